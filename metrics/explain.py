"""Drill-down: the rows behind one group's figures (`pitwall metrics dora|devex --explain GROUP`).

Each function returns named sections (section name -> DataFrame), in output order.
"""
from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from metrics.compare import plain_objects
from metrics.devex import Scope, ci_runs, new_hire_people, open_pull_requests, pull_request_flow
from metrics.dora import window_query
from metrics.queries import run
from metrics.settings import MetricsSettings
from metrics.sql_files import sql
from metrics.window import GROUPINGS, Window

__all__ = ["DORA_SECTIONS", "DEVEX_SECTIONS", "dora_explain", "devex_explain"]

DORA_SECTIONS = ("deployments", "changes", "incidents")
DEVEX_SECTIONS = ("pull_requests", "open_pull_requests", "new_hires", "ci_runs")


def dora_explain(con: duckdb.DuckDBPyConnection, since: date, until: date, group_by: str,
                 group: str) -> dict[str, pd.DataFrame]:
    """The deployments of `group` in [since, until), the changes they shipped and the incidents
    attributed to them: every row behind the group's DORA figures."""
    if group_by not in GROUPINGS:
        raise ValueError(f"unknown grouping {group_by!r} (expected one of {', '.join(GROUPINGS)})")
    start, end = Window(since, until).bounds()
    parameters = {"since": start, "until": end, "group_by": group_by, "team": None, "service": None,
                  "group": group}
    return {section: plain_objects(run(con, window_query(sql(f"explain_{section}")), parameters))
            for section in DORA_SECTIONS}


def devex_explain(con: duckdb.DuckDBPyConnection, scope: Scope, group: str,
                  settings: MetricsSettings | None = None) -> dict[str, pd.DataFrame]:
    """The merged pull requests, the open ones at the window's end, the new hires (org and team
    groupings) and the CI runs behind `group`'s developer-experience figures."""
    settings = settings or MetricsSettings()
    return {
        "pull_requests": pull_request_flow(con, scope, group, settings),
        "open_pull_requests": open_pull_requests(con, scope, group, settings),
        "new_hires": new_hire_people(con, scope, group, settings),
        "ci_runs": ci_runs(con, scope, group, settings),
    }
