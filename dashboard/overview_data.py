"""The overview page's figures: every table, chart and count it shows, read over one connection.

The DORA figures of the window and of the period before it, by organisation, team and service,
come from one query; that query, the weekly series and data health share one read of the span's
deployments and changes (metrics.dora.shared_span). Cached in the process like dashboard.data
(keyed by the warehouse stamp) and on disk by the read snapshot (dashboard.result_cache), so a
result is never stale.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd
import streamlit as st

from dashboard.filters import GROUPINGS, Filters
from dashboard.result_cache import cached_read
from dashboard.scorecard_data import golden_path_table
from metrics.dora import Periods, dora_figures, dora_frame, known_groups, shared_span, weekly_series
from metrics.health import data_health, last_sync
from metrics.window import Window

__all__ = ["LeaderView", "Overview", "load_overview"]

FIGURE_GROUPINGS = ("org", "team", "service")


@dataclass(frozen=True)
class LeaderView:
    """The overview's leader sections: tiers per team and service, golden paths, the last sync."""

    teams: pd.DataFrame            # dora_table by team (every team) over the window
    previous_teams: pd.DataFrame   # the same over the previous period
    services: pd.DataFrame         # dora_table by service (every service) over the window
    golden_paths: pd.DataFrame
    last_sync: datetime | None


@dataclass(frozen=True)
class Overview:
    """Everything the overview page shows for one set of filters."""

    current: pd.DataFrame            # dora_table by org over the window: one row, or none without deployments
    previous: pd.DataFrame           # the same over the previous period of equal length
    weekly: pd.DataFrame             # weekly_series over the window
    health: dict[str, int]           # data_health over the window
    tables: dict[str, pd.DataFrame]  # dora_table by team and by service (GROUPINGS) over the window
    leader: LeaderView


@st.cache_data(show_spinner=False, max_entries=64)
def load_overview(db: str, stamp: str, filters: Filters, tz: str = "UTC") -> Overview:
    """The overview's figures for `filters`, weeks starting Monday in `tz` (`stamp` only keys the
    cache); kept on disk for the next process too (dashboard.result_cache)."""
    return cached_read(db, "overview", (filters, tz), lambda con: _overview(con, filters, tz))


def _overview(con: duckdb.DuckDBPyConnection, filters: Filters, tz: str) -> Overview:
    scope = {"team": filters.team, "service": filters.service}
    args = (filters.since, filters.until)
    periods = Periods(Window(*args), previous=True)
    with shared_span(con, periods) as shared:
        figures = dora_figures(con, periods, FIGURE_GROUPINGS, **scope, shared=shared)
        known = {group_by: known_groups(con, group_by) for group_by in GROUPINGS}

        def table(period: str, group_by: str, all_groups: bool = False) -> pd.DataFrame:
            return dora_frame(con, figures, period, group_by, filters.benchmark, all_groups=all_groups,
                              known=known.get(group_by))

        services = table("current", "service", all_groups=True)
        # Golden paths compare every service: the services' figures serve when no filter narrows them.
        every_service = services if filters.team is None and filters.service is None else None
        leader = LeaderView(
            teams=table("current", "team", all_groups=True),
            previous_teams=table("previous", "team", all_groups=True),
            services=services,
            golden_paths=golden_path_table(con, *args, filters.benchmark, dora=every_service),
            last_sync=last_sync(con),
        )
        return Overview(
            current=table("current", "org"),
            previous=table("previous", "org"),
            weekly=weekly_series(con, *args, tz=tz, **scope, shared=shared),
            health=data_health(con, *args, **scope, shared=shared),
            tables={group_by: table("current", group_by) for group_by in GROUPINGS},
            leader=leader,
        )
