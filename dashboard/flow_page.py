"""The Delivery flow page: cycle-time phases over time, pull-request sizes, review waits (also on
other teams), new hires' time to first deploy, and CI health."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.flow_charts import phase_figure, size_figure, wait_figure, weekly_phases
from dashboard.formatting import format_figure
from dashboard.page import View, run_page
from dashboard.page_data import load_flow
from dashboard.tiles import first_row
from dashboard.widgets import download, table

__all__ = ["ci_wide", "render"]

FLOW_TILES = (
    ("Merged pull requests", "merged_prs", "plain"),
    ("Cycle time p50", "cycle_time_p50_hours", "hours"),
    ("Pickup time p50", "pickup_time_p50_hours", "hours"),
    ("Pickup p50, reviewer in another team", "cross_team_pickup_p50_hours", "hours"),
    ("Reviewed by another team", "cross_team_share", "share"),
)
WAIT_COLUMNS = ["group", "merged_prs", "pickup_time_p50_hours", "pickup_time_p90_hours", "same_team_pickup_p50_hours",
                "cross_team_pickup_p50_hours", "cross_team_prs", "cross_team_share", "unreviewed_prs"]


def ci_wide(ci: pd.DataFrame) -> pd.DataFrame:
    """ci_table's long rows as one row per repo and workflow, one column per figure."""
    if ci.empty:
        return pd.DataFrame(columns=["repo", "workflow"])
    wide = ci.pivot_table(index=["repo", "workflow"], columns="figure", values="value", aggfunc="first", dropna=False)
    columns = [c for c in ("runs", "success_rate", "duration_p50_minutes", "duration_p90_minutes", "rerun_rate")
               if c in wide.columns]
    return wide.reindex(columns=columns).reset_index().rename_axis(columns=None)


def _body(view: View) -> None:
    flow = load_flow(view.db, view.stamp, view.filters, view.settings)
    org = first_row(flow.org)
    st.caption(f"Pull requests merged from {view.filters.since} (bots left out); weeks start Monday in "
               f"{view.timezone}.")
    for column, (label, name, kind) in zip(st.columns(len(FLOW_TILES)), FLOW_TILES):
        with column:
            st.metric(label, format_figure(org and org.get(name), kind), border=True)
    st.plotly_chart(phase_figure(weekly_phases(flow.pull_requests, view.timezone), view.timezone), width="stretch")
    left, right = st.columns(2)
    with left:
        st.plotly_chart(size_figure(org), width="stretch")
    with right:
        st.plotly_chart(wait_figure(flow.teams), width="stretch")
    st.subheader("Review waits by team")
    waits = flow.teams.reindex(columns=WAIT_COLUMNS)
    table(waits, "No pull requests merged in the window.", key="waits")
    st.subheader("New hires: time to first deploy")
    table(flow.new_hires, "No new hires in the window.", key="new-hires")
    st.subheader("CI health")
    ci = ci_wide(flow.ci)
    table(ci, "No CI runs in the window.", key="ci")
    download(ci, "Download CI health as CSV", "pitwall-ci-health.csv")


def render() -> None:
    """Draw the Delivery flow page."""
    run_page("Delivery flow", _body)
