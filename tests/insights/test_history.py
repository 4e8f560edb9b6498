"""Reading a CSV history: outcome column, positive value, ids, and clear errors."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from connector.errors import LeadscoreError
from connector.evaluation import History
from connector.reports import history_from_csv


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
