"""The five DORA metrics per group over a window (METRICS.md), and their weekly series."""
from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from metrics.benchmarks import BENCHMARKS, lowest_tier
from metrics.queries import compose
from metrics.sql_files import sql
from metrics.window import GROUPINGS, Window, default_window, week_start

__all__ = ["DORA_COLUMNS", "GROUPINGS", "dora_table", "weekly_series", "default_window", "known_groups",
           "window_query"]

DORA_COLUMNS = [
    "group", "deployments", "deploys_per_week", "changes", "lead_time_p50_hours",
    "lead_time_p90_hours", "failed_deployments", "change_failure_rate", "recovery_p50_hours",
    "rework_deployments", "rework_rate", "deploy_frequency_tier", "lead_time_tier",
    "change_failure_tier", "recovery_tier", "tier",
]

WINDOW_RELATIONS = ("window_deployments", "window_changes")

# The groups a warehouse knows of, besides those with deployments (for --all-groups and pickers).
KNOWN_GROUPS = {
    "org": "SELECT 'all' AS grp",
    "team": """SELECT id AS grp FROM teams UNION SELECT team FROM services WHERE team IS NOT NULL
               UNION SELECT team FROM deployment_services""",
    "service": "SELECT id AS grp FROM services UNION SELECT service FROM deployment_services",
    "repo": """SELECT id AS grp FROM repos UNION SELECT repo FROM service_repos
               UNION SELECT repo FROM prod_deployments""",
}


def window_query(query: str) -> str:
    """`query` with the relations window_deployments and window_changes (their SQL files) in scope."""
    return compose(query, WINDOW_RELATIONS)


def _window_parameters(window: Window, group_by: str, team: str | None, service: str | None) -> dict:
    since, until = window.bounds()
    return {"since": since, "until": until, "group_by": group_by, "team": team, "service": service}


def _check_group_by(group_by: str) -> None:
    if group_by not in GROUPINGS:
        raise ValueError(f"unknown grouping {group_by!r} (expected one of {', '.join(GROUPINGS)})")


def known_groups(con: duckdb.DuckDBPyConnection, group_by: str) -> list[str]:
    """Every team, service or repo the warehouse knows (sorted), for --all-groups and filters."""
    _check_group_by(group_by)
    rows = con.execute(f"SELECT DISTINCT grp FROM ({KNOWN_GROUPS[group_by]}) WHERE grp IS NOT NULL").fetchall()
    return sorted(row[0] for row in rows)


def _add_tiers(frame: pd.DataFrame, benchmark: str) -> pd.DataFrame:
    bands = BENCHMARKS[benchmark]
    frame["deploy_frequency_tier"] = [bands.deploy_frequency_tier(v) for v in frame["deploys_per_week"]]
    frame["lead_time_tier"] = [bands.lead_time_tier(v) for v in frame["lead_time_p50_hours"]]
    frame["change_failure_tier"] = [bands.change_failure_tier(v) for v in frame["change_failure_rate"]]
    frame["recovery_tier"] = [bands.recovery_tier(v) for v in frame["recovery_p50_hours"]]
    frame["tier"] = [
        lowest_tier(*tiers) for tiers in zip(frame["deploy_frequency_tier"], frame["lead_time_tier"],
                                              frame["change_failure_tier"], frame["recovery_tier"])
    ]
    return frame


def _empty_groups(groups: list[str]) -> pd.DataFrame:
    """Rows for groups without deployments in the window: 0 deployments, other figures null."""
    return pd.DataFrame({"group": groups, "deployments": 0, "deploys_per_week": 0.0})


def dora_table(con: duckdb.DuckDBPyConnection, since: date, until: date, group_by: str = "org",
               benchmark: str = "2023", *, all_groups: bool = False, team: str | None = None,
               service: str | None = None) -> pd.DataFrame:
    """The DORA figures per group over [since, until), exactly DORA_COLUMNS, sorted by group.

    `team` and `service` narrow the deployments considered. Unknown figures are None.
    """
    _check_group_by(group_by)
    if benchmark not in BENCHMARKS:
        raise ValueError(f"unknown benchmark {benchmark!r} (expected one of {', '.join(BENCHMARKS)})")
    window = Window(since, until)
    parameters = _window_parameters(window, group_by, team, service) | {"weeks": window.weeks}
    frame = con.execute(window_query(sql("dora_by_group")), parameters).df()
    if all_groups:
        missing = sorted(set(known_groups(con, group_by)) - set(frame["group"]))
        if missing:
            frame = pd.concat([frame, _empty_groups(missing)], ignore_index=True)
    frame = _add_tiers(frame.reindex(columns=DORA_COLUMNS), benchmark)
    frame = frame.sort_values("group", kind="stable").reset_index(drop=True)
    return frame.astype(object).where(frame.notna(), None)


def weekly_series(con: duckdb.DuckDBPyConnection, since: date, until: date, *, tz: str = "UTC",
                  team: str | None = None, service: str | None = None) -> pd.DataFrame:
    """Per week (Monday in `tz`) overlapping the window: deployments, lead time p50, CFR, recovery p50."""
    window = Window(since, until)
    zone = ZoneInfo(tz)
    start, end = window.bounds()
    parameters = _window_parameters(window, "org", team, service) | {
        "tz": tz,
        "first_week": week_start(start, zone),
        "last_week": week_start(end - timedelta(microseconds=1), zone),
    }
    frame = con.execute(window_query(sql("weekly_series")), parameters).df()
    frame["week"] = pd.to_datetime(frame["week"]).dt.date
    return frame.sort_values("week").reset_index(drop=True)
