"""The overview page: filters, the five DORA tiles, weekly trends, a grouped table, data health.

Data reaches the page only as plain text, numbers, tables and charts, never as raw HTML.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

from dashboard.charts import trend_figures
from dashboard.filters import GROUPINGS, Filters
from dashboard.overview_data import load_overview
from dashboard.overview_extras import render_banner, render_extras
from dashboard.page import View, run_page
from dashboard.safe_csv import to_safe_csv
from dashboard.tiles import TIER_COLORS, Tile, build_tiles, first_row, tier_label

__all__ = ["render"]

HEALTH_ITEMS = (
    ("failed_attempts", "Failed deployment attempts",
     "Production deployments that failed, errored or were cancelled: they count in no DORA figure."),
    ("unattributed_incidents", "Unattributed incidents",
     "Incidents no deployment could be blamed for: left out of the change failure rate."),
    ("deployments_without_baseline", "Deployments without a baseline",
     "First deployments of a repo and environment: no earlier deployment, so no known changes."),
    ("negative_lead_times_dropped", "Negative lead times dropped",
     "Changes that started after their deployment (clock skew, rewritten history): left out of lead time."),
)

TABLE_FORMATS = {
    "deploys_per_week": st.column_config.NumberColumn(format="%.2f"),
    "lead_time_p50_hours": st.column_config.NumberColumn(format="%.1f"),
    "lead_time_p90_hours": st.column_config.NumberColumn(format="%.1f"),
    "change_failure_rate": st.column_config.NumberColumn(format="percent"),
    "recovery_p50_hours": st.column_config.NumberColumn(format="%.1f"),
    "rework_rate": st.column_config.NumberColumn(format="percent"),
}


def _render_tile(tile: Tile, days: int) -> None:
    """One DORA tile: the figure, its change, the tier badge and the small print."""
    neutral = tile.delta_is_neutral
    st.metric(
        tile.label, tile.value, delta=tile.delta, border=True,
        delta_color="off" if neutral else ("inverse" if tile.lower_is_better else "normal"),
        delta_arrow="off" if neutral else "auto",
        help=f"{tile.explanation} The change is against the previous {days} days.",
    )
    st.badge(tile.tier, color=tile.tier_color)
    st.caption(tile.detail)


def _render_header(filters: Filters, overall: str | None, tz: str) -> None:
    """The window shown and the comparison period, and the overall tier."""
    before = filters.previous()
    last, before_last = filters.until - timedelta(days=1), before.until - timedelta(days=1)
    st.caption(f"{filters.days} days from {filters.since} to {last}, compared with the previous "
               f"{filters.days} days ({before.since} to {before_last}). Weeks in {tz}. "
               f"Tiers from the DORA {filters.benchmark} benchmarks; the overall tier is the lowest of the four.")
    st.badge(tier_label(overall, prefix="Overall tier"), color=TIER_COLORS.get(overall, "gray"))


def _render_trends(figures: list) -> None:
    """The weekly trend charts, two per row."""
    st.subheader("Weekly trends")
    for start in range(0, len(figures), 2):
        for column, figure in zip(st.columns(2), figures[start:start + 2]):
            with column:
                st.plotly_chart(figure, width="stretch")


def _render_table(tables: dict[str, pd.DataFrame], filters: Filters, wanted_by: str) -> str:
    """The DORA figures by team or service, with a CSV download of exactly that table."""
    st.subheader("By team or service")
    by = st.radio("Group by", GROUPINGS, index=GROUPINGS.index(wanted_by), key="by", horizontal=True)
    table = tables[by]
    if table.empty:
        st.info("No deployments in this window.")
    else:
        st.dataframe(table, hide_index=True, column_config=TABLE_FORMATS, placeholder="—")
    st.download_button("Download this table as CSV", data=to_safe_csv(table), mime="text/csv",
                       file_name=f"pitwall-dora-by-{by}-{filters.since}-{filters.until}.csv")
    return by


def _render_health(health: dict[str, int]) -> None:
    """Counts that tell how far the figures can be trusted."""
    st.subheader("Data health")
    for column, (key, label, explanation) in zip(st.columns(len(HEALTH_ITEMS)), HEALTH_ITEMS):
        with column:
            value = health.get(key)
            st.metric(label, "—" if value is None else str(value), help=explanation, border=True)


def _body(view: View) -> dict[str, str]:
    """The overview's sections; returns the table grouping for the URL."""
    filters = view.filters
    overview = load_overview(view.db, view.stamp, filters, view.timezone)
    render_banner(overview.leader, datetime.now(UTC))
    current = first_row(overview.current)
    _render_header(filters, current and current.get("tier"), view.timezone)
    for column, tile in zip(st.columns(5), build_tiles(current, first_row(overview.previous), filters.days)):
        with column:
            _render_tile(tile, filters.days)
    _render_trends(trend_figures(overview.weekly, view.timezone))
    by = _render_table(overview.tables, filters, view.by)
    _render_health(overview.health)
    render_extras(overview.leader, filters.days, filters.benchmark)
    return {"by": by}


def render() -> None:
    """Draw the overview for the warehouse named by PITWALL_DB and the filters in the URL."""
    run_page("Delivery overview", _body)
