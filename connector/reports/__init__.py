"""The read side: where a history comes from, what a portal's page shows, how results render.

- a history from a CSV export (`history_from_csv`; HubSpot's export labels read as
  internal names, `input_coverage` says which of a config's properties an input has) or
  from a synced portal in the store (`load_portal_history`, `PortalSource`), and the
  portal's trained model as a file;
- the live A/B experiment's result from the store (`experiment_report`);
- a portal's analysis for the dashboard (`analyse_portal`);
- self-contained HTML pages with inline SVG plots (`render_*`, `write_page`) and JSON
  output (`dumps`).

The computations themselves are `connector.evaluation`'s.
"""

from connector.reports.csv_history import history_from_csv, input_coverage
from connector.reports.experiment import ExperimentReport, experiment_report
from connector.reports.json_output import dumps, to_jsonable
from connector.reports.portal_analysis import PortalAnalysis, analyse_portal
from connector.reports.portal_history import PortalHistory, load_portal_history, resolve_portal
from connector.reports.portal_model import active_model_file
from connector.reports.property_labels import ColumnRecognition
from connector.reports.render import (
    evidence_figures,
    render_comparison,
    render_report,
    render_segments,
    write_page,
)
from connector.reports.sources import HistorySource, PortalSource

__all__ = [
    "ColumnRecognition",
    "ExperimentReport",
    "HistorySource",
    "PortalAnalysis",
    "PortalHistory",
    "PortalSource",
    "active_model_file",
    "analyse_portal",
    "dumps",
    "evidence_figures",
    "experiment_report",
    "history_from_csv",
    "input_coverage",
    "load_portal_history",
    "render_comparison",
    "render_report",
    "render_segments",
    "resolve_portal",
    "to_jsonable",
    "write_page",
]
