"""The overview's leader sections: a stale-data banner, how teams and services spread across
tiers, golden-path services against the others, and the biggest movers since the previous period."""
from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.overview_data import LeaderView
from dashboard.widgets import table
from metrics.scores import score_table

__all__ = ["STALE_AFTER", "TIER_ORDER", "movers", "render_extras", "stale_message", "tier_spread"]

STALE_AFTER = timedelta(days=2)
TIER_ORDER = ("elite", "high", "medium", "low", "no data")
MOVERS = 3
"""How many teams the biggest movers list shows."""


def stale_message(last: datetime | None, now: datetime) -> str | None:
    """The banner text when the last sync is older than STALE_AFTER (or never happened), else None."""
    if last is None:
        return "No import or sync has ever finished: the figures are empty."
    age = now - last
    if age <= STALE_AFTER:
        return None
    return (f"The data may be stale: the last import or sync finished {age.days} days ago "
            f"({last:%Y-%m-%d %H:%M} UTC). Run `pitwall sync` or `pitwall import`.")


def tier_spread(teams: pd.DataFrame, services: pd.DataFrame) -> pd.DataFrame:
    """How many teams and services sit in each overall tier ("no data": no figure known, e.g. no deployments)."""
    def counts(frame: pd.DataFrame) -> list[int]:
        tiers = frame["tier"].fillna("no data") if not frame.empty else pd.Series(dtype=object)
        return [int((tiers == tier).sum()) for tier in TIER_ORDER]
    return pd.DataFrame({"tier": TIER_ORDER, "teams": counts(teams), "services": counts(services)})


def spread_figure(spread: pd.DataFrame) -> go.Figure:
    """Teams and services per tier, tier names on the axis (colour is never the only cue)."""
    figure = go.Figure([go.Bar(x=list(spread["tier"]), y=list(spread[column]), name=column.title(),
                               text=list(spread[column])) for column in ("teams", "services")])
    figure.update_layout(title={"text": "Teams and services per overall DORA tier"}, barmode="group",
                         xaxis={"title": {"text": "Overall tier"}}, yaxis={"title": {"text": "Count"}},
                         height=300, margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return figure


def movers(current: pd.DataFrame, previous: pd.DataFrame, benchmark: str, count: int = MOVERS) -> pd.DataFrame:
    """The `count` teams whose 0-10 DORA score changed most against the previous period (teams
    with deployments in both periods)."""
    columns = ["group", "score_before", "score_now", "change"]
    current, previous = (frame[frame["deployments"].fillna(0) > 0] for frame in (current, previous))
    if current.empty or previous.empty:
        return pd.DataFrame(columns=columns)
    now = score_table(current, benchmark)[["group", "score"]].rename(columns={"score": "score_now"})
    before = score_table(previous, benchmark)[["group", "score"]].rename(columns={"score": "score_before"})
    both = now.merge(before, on="group").dropna()
    both["change"] = [float(a) - float(b) for a, b in zip(both["score_now"], both["score_before"])]
    order = both["change"].abs().sort_values(ascending=False, kind="stable").index
    return both.loc[order].head(count).reindex(columns=columns).reset_index(drop=True)


def render_banner(leader: LeaderView, now: datetime) -> None:
    """The stale-data banner, when the data is stale."""
    message = stale_message(leader.last_sync, now)
    if message:
        st.warning(message)


def render_extras(leader: LeaderView, days: int, benchmark: str) -> None:
    """Tier spread, golden paths and biggest movers."""
    st.subheader("How teams and services spread across tiers")
    st.plotly_chart(spread_figure(tier_spread(leader.teams, leader.services)), width="stretch")
    st.subheader("Golden paths against the other services")
    st.caption("Medians over each template's services of their own DORA figures; the last row is the services "
               "created without a template.")
    table(leader.golden_paths, "No catalog services.", key="golden-paths")
    st.subheader("Biggest movers")
    st.caption(f"Teams whose 0–10 DORA score changed most against the previous {days} days.")
    table(movers(leader.teams, leader.previous_teams, benchmark), "No team has a score in both periods.",
          key="movers")
