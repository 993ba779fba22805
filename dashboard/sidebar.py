"""The filters every page shares (window, team, service, benchmark year), started from the URL."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import streamlit as st

from dashboard.filters import Filters
from dashboard.group_data import load_groups
from metrics.benchmarks import BENCHMARKS

__all__ = ["filter_sidebar", "picker"]

EARLIEST, LATEST = date(1970, 1, 1), date(2100, 12, 31)
"""The date picker's bounds (a URL window outside them widens them)."""


def picker(label: str, options: list[str], wanted: str | None, key: str, everyone: str) -> str | None:
    """A selectbox over `options` plus "everyone" (None), starting at `wanted` when it is known."""
    if wanted is not None and wanted not in options:
        st.warning(f"Ignored the URL parameter {key}: the warehouse knows no such {key}.")
        wanted = None
    choices: list[str | None] = [None, *options]
    return st.selectbox(label, choices, index=choices.index(wanted), key=key,
                        format_func=lambda choice: everyone if choice is None else choice)


def _window(wanted: Filters) -> tuple[date, date]:
    """The date range picker: first and last day shown, [since, until) returned."""
    last_day = wanted.until - timedelta(days=1)
    picked = st.date_input("Window (first and last day)", value=(wanted.since, last_day), key="window",
                           min_value=min(EARLIEST, wanted.since), max_value=max(LATEST, last_day),
                           format="YYYY-MM-DD")
    if isinstance(picked, (tuple, list)) and len(picked) == 2:
        return picked[0], picked[1] + timedelta(days=1)
    return wanted.since, wanted.until  # half-picked range: keep the current window


def filter_sidebar(db: str, stamp: str, wanted: Filters) -> Filters:
    """The filter widgets, started from the URL; returns what they now select."""
    with st.sidebar:
        st.header("Filters")
        since, until = _window(wanted)
        team = picker("Team", load_groups(db, stamp, "team"), wanted.team, "team", "All teams")
        service = picker("Service", load_groups(db, stamp, "service"), wanted.service, "service", "All services")
        years = list(BENCHMARKS)
        benchmark = st.selectbox("DORA benchmark year", years, index=years.index(wanted.benchmark), key="benchmark")
        st.caption("Warehouse (read-only)")
        st.text(db)
    return replace(wanted, since=since, until=until, team=team, service=service, benchmark=benchmark)
