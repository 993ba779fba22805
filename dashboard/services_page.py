"""The Services & scorecards page: every service's level and score per scorecard (filtered by
team and level), and one service's page: its rules ordered as what to fix next, its level
history, its DORA figures and the deployments, changes and incidents behind them."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.charts import chart_text
from dashboard.page import View, run_page
from dashboard.page_data import load_scorecards, load_service
from dashboard.widgets import download, literal, table

__all__ = ["history_figure", "render"]

DAY_MS = 24 * 3600 * 1000
SECTION_TITLES = {"deployments": "Deployments", "changes": "Changes they shipped",
                  "incidents": "Incidents attributed to them"}


def history_figure(history: pd.DataFrame) -> go.Figure:
    """Each scorecard's score over the evaluation days, the level named at each point."""
    figure = go.Figure()
    for scorecard, rows in history.groupby("scorecard", sort=True):
        figure.add_trace(go.Scatter(
            x=[day.isoformat() for day in rows["evaluated_on"]], y=[float(s or 0) * 100 for s in rows["score"]],
            text=[chart_text(str(level)) for level in rows["level"]], mode="lines+markers+text",
            textposition="top center", name=chart_text(str(scorecard))))
    figure.update_layout(title={"text": "Scorecard score and level per evaluation day"},
                         xaxis={"title": {"text": "Evaluation day"}, "type": "date", "tickformat": "%d %b %Y",
                                "dtick": DAY_MS},
                         yaxis={"title": {"text": "Score (% of rule weight passed)"}, "range": [0, 110]},
                         height=320, margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return figure


def _service_list(view: View, level: str | None) -> pd.DataFrame:
    """The latest results, narrowed to the chosen level."""
    results = load_scorecards(view.db, view.stamp, view.filters.team)
    return results if level is None else results[results["level"] == level].reset_index(drop=True)


def _service_page(view: View, service: str) -> None:
    detail = load_service(view.db, view.stamp, view.filters, service)
    st.header(f"Service {literal(service)}")
    st.subheader("What to fix next")
    st.caption("Failing rules first, lowest level first; then the rules that pass or are exempt.")
    table(detail.rules, "No scorecard results for this service: run `pitwall scorecards evaluate`.", key="rules")
    st.subheader("Level history")
    if detail.history.empty:
        st.info("No stored evaluations of this service.")
    else:
        st.plotly_chart(history_figure(detail.history), width="stretch")
    st.subheader("DORA figures")
    table(detail.dora, "No deployments of this service in the window.", key="service-dora")
    for section, frame in detail.behind.items():
        st.subheader(SECTION_TITLES[section])
        table(frame, f"No {section} in the window.", key=f"behind-{section}")
        download(frame, f"Download the {section} as CSV", f"pitwall-{service}-{section}.csv")


def _body(view: View) -> dict[str, str]:
    everything = load_scorecards(view.db, view.stamp, view.filters.team)
    levels = sorted(set(everything["level"]))
    wanted = st.query_params.get("level")
    if wanted is not None and wanted not in levels:
        st.warning(f"Ignored the URL parameter level: no service is at level {literal(wanted)}.")
        wanted = None
    choices: list[str | None] = [None, *levels]
    level = st.selectbox("Level", choices, index=choices.index(wanted), key="level",
                         format_func=lambda choice: "Every level" if choice is None else choice)
    if view.filters.service:
        _service_page(view, view.filters.service)
        return {"level": level} if level else {}
    st.subheader("Services by scorecard")
    st.caption("Choose a service in the sidebar to see its rules, level history and DORA figures.")
    services = _service_list(view, level)
    table(services, "No scorecard results match: run `pitwall scorecards evaluate`, or widen the filters.",
          key="services")
    download(services, "Download this list as CSV", "pitwall-scorecards.csv")
    return {"level": level} if level else {}


def render() -> None:
    """Draw the Services & scorecards page."""
    run_page("Services & scorecards", _body)
