"""Reading a CSV history: outcome column, positive value, ids, and clear errors."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from connector.errors import LeadscoreError
from connector.evaluation import History
from connector.reports import history_from_csv, input_coverage
from connector.scoring import properties_needed
from connector.scoring.config import DEFAULT_CONFIG_PATH
from connector.scoring_files import load_config


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "leads.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_target_is_removed_and_read_as_outcomes(tmp_path: Path, now: datetime) -> None:
    path = _csv(tmp_path, "id,job,won\na,ceo,yes\nb,student,no\nc,cto,Yes\n")
    history = history_from_csv(path, "won", now)
    assert list(history.converted) == [True, False, True]
    assert "won" not in history.leads.contacts.columns
    assert list(history.leads.contacts.index) == ["a", "b", "c"]
    assert history.source == "leads.csv (won = yes)"


def test_an_explicit_positive_value(tmp_path: Path, now: datetime) -> None:
    path = _csv(tmp_path, "stage,n\nclosedwon,1\nopen,2\nlost,3\n")
    history = history_from_csv(path, "stage", now, positive="closedwon")
    assert list(history.converted) == [True, False, False]
    assert list(history.leads.contacts.index) == ["1", "2", "3"]


def test_an_unclear_target_asks_for_positive(tmp_path: Path, now: datetime) -> None:
    path = _csv(tmp_path, "stage\nopen\nlost\nwon later\n")
    with pytest.raises(LeadscoreError, match="pass --positive VALUE"):
        history_from_csv(path, "stage", now)


def test_a_positive_value_that_never_occurs(tmp_path: Path, now: datetime) -> None:
    path = _csv(tmp_path, "y\nno\nyes\n")
    with pytest.raises(LeadscoreError, match="no row has y = 'true'"):
        history_from_csv(path, "y", now, positive="true")


def test_a_missing_target_column_lists_the_columns(tmp_path: Path, now: datetime) -> None:
    path = _csv(tmp_path, "a,b\n1,2\n")
    with pytest.raises(LeadscoreError, match=r"no target column 'y' \(columns: a, b\)"):
        history_from_csv(path, "y", now)


def test_an_empty_outcome_names_its_line(tmp_path: Path, now: datetime) -> None:
    path = _csv(tmp_path, "a,y\n1,yes\n2,\n")
    with pytest.raises(LeadscoreError, match="empty on line 3"):
        history_from_csv(path, "y", now)


def test_duplicate_ids_are_refused(tmp_path: Path, now: datetime) -> None:
    path = _csv(tmp_path, "contact_id,y\n7,yes\n7,no\n")
    with pytest.raises(LeadscoreError, match="repeats id '7'"):
        history_from_csv(path, "y", now)


def test_the_semicolon_bank_file_reads(bank_history: History) -> None:
    assert len(bank_history.leads) == 41188
    assert bank_history.conversions == 4640
    assert "y" not in bank_history.leads.contacts.columns


_HUBSPOT_EXPORT = (
    "Record ID,First Name,Email,Job Title,Number of Employees,Industry,Country/Region,"
    "Number of Pageviews,Number of Sessions,Marketing emails opened,Create Date,Converted\n"
    "101,Ann,ann@acme.com,Marketing Director,50-100,software,Germany,12,4,3,2026-01-05,yes\n"
    "102,Bob,bob@shop.com,Student,1-5,retail,France,1,1,0,2026-02-11,no\n"
)


def test_hubspot_export_labels_are_read_as_internal_names(tmp_path: Path, now: datetime) -> None:
    path = _csv(tmp_path, _HUBSPOT_EXPORT)
    history = history_from_csv(path, "Converted", now)
    columns = set(history.leads.contacts.columns)
    assert {"hs_object_id", "jobtitle", "numemployees", "createdate", "country"} <= columns
    assert not {"Job Title", "Number of Employees", "Create Date"} & columns
    # "Record ID" is taken as the contact id, as HubSpot exports it.
    assert list(history.leads.contacts.index) == ["101", "102"]


def test_an_export_with_labels_covers_the_shipped_config(tmp_path: Path, now: datetime) -> None:
    history = history_from_csv(_csv(tmp_path, _HUBSPOT_EXPORT), "Converted", now)
    coverage = input_coverage(history.leads.contacts.columns, load_config(DEFAULT_CONFIG_PATH), "x")
    assert {"jobtitle", "numemployees", "hs_analytics_num_page_views"} <= set(coverage.found)
    assert coverage.found_share >= 0.3
    assert coverage.warning is None
    assert coverage.unrecognised == ()


def test_raw_headers_say_which_labels_stand_for_which_property() -> None:
    headers = ["Job Title", "jobtitle", "Lifecycle Stage", "  number of   employees ", "Tags"]
    coverage = input_coverage(headers, load_config(DEFAULT_CONFIG_PATH), "leads.csv")
    # The file's own internal-name column wins over a label for the same property.
    assert coverage.renamed == {
        "Lifecycle Stage": "lifecyclestage",
        "  number of   employees ": "numemployees",
    }
    assert coverage.unrecognised == ("Tags",)


def test_a_file_with_nothing_recognised_warns_with_what_is_missing(
    tmp_path: Path, now: datetime
) -> None:
    path = _csv(tmp_path, "Lead Origin,Tags,Converted\nAPI,Ringing,no\nAPI,Busy,yes\n")
    history = history_from_csv(path, "Converted", now)
    config = load_config(DEFAULT_CONFIG_PATH)
    coverage = input_coverage(history.leads.contacts.columns, config, history.source)
    assert coverage.found == ()
    warning = coverage.warning
    assert warning is not None
    wanted = len(properties_needed(config).contact)
    assert warning.startswith(f"leads.csv (Converted = yes): none of the {wanted} properties")
    assert "not found: annualrevenue, " in warning
    assert "columns not recognised as HubSpot properties" in warning
    assert warning.endswith("Lead Origin, Tags")
    assert coverage.to_json()["warning"] == warning


def test_a_few_properties_only_still_warn() -> None:
    headers = ["jobtitle", "country", "Tags"]
    coverage = input_coverage(headers, load_config(DEFAULT_CONFIG_PATH), "leads.csv")
    assert coverage.found == ("country", "jobtitle")
    assert coverage.warning is not None
    assert "only 2 of the" in coverage.warning
    assert "properties the scoring config reads are in the file (country, jobtitle)" in (
        coverage.warning
    )
