"""Delivery-flow charts: cycle-time phases per week (stacked), pull-request sizes, review waits."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import chart_text, week_axis, week_axis_title

__all__ = ["PHASES", "SIZES", "phase_figure", "size_figure", "wait_figure", "weekly_phases"]

PHASES = (("coding_hours", "Coding"), ("pickup_hours", "Pickup"), ("review_hours", "Review"),
          ("deploy_hours", "Deploy"))
SIZES = (("pr_size_xs", "XS"), ("pr_size_s", "S"), ("pr_size_m", "M"), ("pr_size_l", "L"), ("pr_size_xl", "XL"))
LAYOUT = {"height": 340, "margin": {"l": 10, "r": 10, "t": 50, "b": 10}}


def weekly_phases(pull_requests: pd.DataFrame, tz: str) -> pd.DataFrame:
    """Per week of merging (Monday in `tz`): the median hours of each phase and the pull requests merged."""
    columns = ["week", "merged_prs", *(column for column, _ in PHASES)]
    if pull_requests.empty:
        return pd.DataFrame(columns=columns)
    merged = pd.to_datetime(pull_requests["merged_at"], utc=True).dt.tz_convert(tz)
    days = merged.dt.tz_localize(None).dt.normalize()
    frame = pull_requests.assign(week=(days - pd.to_timedelta(days.dt.day_of_week, unit="D")).dt.date)
    for column, _ in PHASES:
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    grouped = frame.groupby("week", sort=True)
    weekly = grouped[[column for column, _ in PHASES]].median()
    weekly.insert(0, "merged_prs", grouped.size())
    return weekly.reset_index().reindex(columns=columns)


def phase_figure(weekly: pd.DataFrame, tz: str) -> go.Figure:
    """The cycle-time breakdown as stacked bars per week."""
    weeks = [week.isoformat() for week in weekly["week"]]
    figure = go.Figure([go.Bar(x=weeks, y=list(weekly[column]), name=label) for column, label in PHASES])
    figure.update_layout(title={"text": "Cycle time by phase per week (median hours of the merged pull requests)"},
                         barmode="stack", xaxis=week_axis(weeks, tz),
                         yaxis={"title": {"text": "Median hours per phase (stacked)"}}, **LAYOUT)
    if not weeks:
        figure.update_xaxes(title={"text": week_axis_title(tz)})
    return figure


def size_figure(org: dict | None) -> go.Figure:
    """How many merged pull requests fall in each size bucket."""
    counts = [int((org or {}).get(column) or 0) for column, _ in SIZES]
    figure = go.Figure(go.Bar(x=[label for _, label in SIZES], y=counts, text=counts, name="Pull requests"))
    figure.update_layout(title={"text": "Pull-request size distribution (merged in the window)"},
                         xaxis={"title": {"text": "Size bucket (lines changed)"}},
                         yaxis={"title": {"text": "Pull requests (count)"}}, **LAYOUT)
    return figure


def wait_figure(teams: pd.DataFrame) -> go.Figure:
    """Per team: median pickup when the first reviewer is in the same team or another one."""
    groups = [chart_text(str(group)) for group in teams["group"]]
    figure = go.Figure([
        go.Bar(x=groups, y=list(teams["same_team_pickup_p50_hours"]), name="Reviewer in the same team"),
        go.Bar(x=groups, y=list(teams["cross_team_pickup_p50_hours"]), name="Reviewer in another team"),
    ])
    figure.update_layout(title={"text": "Review wait (pickup p50) by the reviewer's team"}, barmode="group",
                         xaxis={"title": {"text": "Author's team"}},
                         yaxis={"title": {"text": "Pickup time p50 (hours)"}}, **LAYOUT)
    return figure
