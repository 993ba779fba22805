"""The Teams page: one team's DORA and developer-experience figures against the organisation,
its services' figures and their scorecard levels."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.formatting import format_figure
from dashboard.page import View, run_page
from dashboard.page_data import load_dora, load_team
from dashboard.tiles import first_row
from dashboard.widgets import download, literal, table

__all__ = ["COMPARED", "compare", "render"]

COMPARED = (
    ("DORA", "Deployments per week", "deploys_per_week", "per_week"),
    ("DORA", "Change lead time p50", "lead_time_p50_hours", "hours"),
    ("DORA", "Change failure rate", "change_failure_rate", "share"),
    ("DORA", "Recovery time p50", "recovery_p50_hours", "hours"),
    ("DORA", "Rework rate", "rework_rate", "share"),
    ("DORA", "Overall tier", "tier", "plain"),
    ("Developer experience", "Merged pull requests per week", "throughput_per_week", "per_week"),
    ("Developer experience", "Cycle time p50", "cycle_time_p50_hours", "hours"),
    ("Developer experience", "Pickup time p50", "pickup_time_p50_hours", "hours"),
    ("Developer experience", "Review time p50", "review_time_p50_hours", "hours"),
    ("Developer experience", "Pull request size p50 (lines)", "pr_size_p50", "plain"),
    ("Developer experience", "Reviewed by another team", "cross_team_share", "share"),
    ("Developer experience", "New hires' time to first deploy p50", "new_hire_first_deploy_p50_hours", "hours"),
)
"""The rows of the comparison: section, label, figure column, how it is written."""
ROW_PIXELS = 35
"""A table row's height: the comparison is drawn tall enough to need no scrolling."""


def _devex_row(frame: pd.DataFrame, group: str) -> dict | None:
    return first_row(frame[frame["group"] == group])


def compare(data: dict[str, pd.DataFrame], team: str) -> pd.DataFrame:
    """The team's figures next to the organisation's, written with their units."""
    team_rows = {"DORA": first_row(data["dora_team"]), "Developer experience": _devex_row(data["devex_team"], team)}
    org_rows = {"DORA": first_row(data["dora_org"]), "Developer experience": _devex_row(data["devex_org"], "all")}
    rows = []
    for section, label, column, kind in COMPARED:
        mine, everyone = team_rows[section], org_rows[section]
        rows.append({"figure": label, "kind": section,
                     team: format_figure(mine and mine.get(column), kind),
                     "organisation": format_figure(everyone and everyone.get(column), kind)})
    return pd.DataFrame(rows)


def _levels(scorecards: pd.DataFrame) -> pd.DataFrame:
    """One row per service, one column per scorecard: "level (score)"."""
    if scorecards.empty:
        return pd.DataFrame(columns=["group"])
    cells = scorecards.assign(cell=[f"{level} ({format_figure(score, 'share')})" for level, score
                                    in zip(scorecards["level"], scorecards["score"])])
    return cells.pivot(index="service", columns="scorecard", values="cell").reset_index().rename(
        columns={"service": "group"}).rename_axis(columns=None)


def _body(view: View) -> None:
    filters = view.filters
    if filters.team is None:
        st.info("Choose a team in the sidebar to compare it with the organisation.")
        st.subheader("Every team")
        teams = load_dora(view.db, view.stamp, filters, "team")
        table(teams, "No teams in this warehouse.")
        return
    data = load_team(view.db, view.stamp, filters, view.settings)
    st.header(f"Team {literal(filters.team)}")
    st.caption(f"{filters.days} days from {filters.since}; tiers from the DORA {filters.benchmark} benchmarks.")
    comparison = compare(data, filters.team)
    table(comparison, "No figures.", key="comparison", height=ROW_PIXELS * (len(comparison) + 1) + 3)
    st.subheader("Services and scorecard levels")
    services = data["services"].merge(_levels(data["scorecards"]), on="group", how="outer")
    levels = [column for column in services.columns if column not in data["services"].columns]
    services = services.reindex(columns=["group", *levels, *data["services"].columns[1:]])
    services = services.rename(columns={"group": "service"})
    table(services, "This team has no services with deployments or scorecard results.", key="team-services")
    download(services, "Download the team's services as CSV", f"pitwall-team-{filters.team}-services.csv")


def render() -> None:
    """Draw the Teams page."""
    run_page("Teams", _body)
