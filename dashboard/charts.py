"""Weekly trend charts (plotly) from metrics.dora.weekly_series."""
from __future__ import annotations

import html
import math
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

__all__ = ["TRENDS", "chart_text", "trend_figure", "trend_figures", "week_axis", "week_axis_title"]

MAX_TICKS = 12
SMALL_COUNT = 5
WEEK_MS = 7 * 24 * 3600 * 1000


@dataclass(frozen=True)
class _Trend:
    """One weekly chart: which series column, its title and its y axis."""

    column: str
    title: str
    y_title: str
    kind: str                  # "bar" (a count) or "line"
    tick_format: str | None = None


TRENDS = (
    _Trend("deployments", "Deployments per week", "Deployments (count)", "bar"),
    _Trend("lead_time_p50_hours", "Change lead time p50 per week", "Lead time p50 (hours)", "line"),
    _Trend("change_failure_rate", "Change failure rate per week", "Change failure rate (%)", "line", ".0%"),
    _Trend("recovery_p50_hours", "Recovery time p50 per week", "Recovery time p50 (hours)", "line"),
)


def chart_text(text: str) -> str:
    """A name from the warehouse as a chart label: Plotly reads `<b>`, `<a href>` ... in labels as
    markup, so `<`, `>` and `&` go in as entities (it shows them as the characters again)."""
    return html.escape(text, quote=False)


def week_axis_title(tz: str) -> str:
    """The x axis title of a weekly chart: weeks start on Monday in the settings' time zone."""
    return f"Week starting Monday ({tz})"


def trend_figure(weekly: pd.DataFrame, trend: _Trend, tz: str = "UTC") -> go.Figure:
    """One trend as a figure: weeks on x, the figure on y; weeks without data are gaps in lines."""
    weeks = [pd.Timestamp(week).date().isoformat() for week in weekly["week"]]
    values = [None if pd.isna(value) else float(value) for value in weekly[trend.column]]
    if trend.kind == "bar":
        trace = go.Bar(x=weeks, y=values, name=trend.y_title)
    else:
        trace = go.Scatter(x=weeks, y=values, name=trend.y_title, mode="lines+markers")
    figure = go.Figure(trace)
    figure.update_layout(
        title={"text": trend.title},
        xaxis=week_axis(weeks, tz),
        yaxis={"title": {"text": trend.y_title}, "tickformat": trend.tick_format, "rangemode": "tozero"},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=300,
    )
    if trend.kind == "bar" and max((v for v in values if v is not None), default=0) <= SMALL_COUNT:
        figure.update_yaxes(dtick=1)   # a count: no ticks at 0.5
    return figure


def week_axis(weeks: list[str], tz: str) -> dict:
    """A date axis ticked on Mondays (every n-th week when there are many)."""
    axis = {"title": {"text": week_axis_title(tz)}, "type": "date", "tickformat": "%d %b %Y"}
    if weeks:
        axis |= {"tick0": weeks[0], "dtick": WEEK_MS * max(1, math.ceil(len(weeks) / MAX_TICKS))}
    return axis


def trend_figures(weekly: pd.DataFrame, tz: str = "UTC") -> list[go.Figure]:
    """The four weekly trend charts, in DORA order, weeks starting Monday in `tz`."""
    return [trend_figure(weekly, trend, tz) for trend in TRENDS]
