"""The five DORA metrics per group over a window (METRICS.md), and their weekly series.

The figures of several groupings, and of the period before the window, come from one query;
`shared_span` lets several queries on one connection share the reads of the deployments and
changes (the figures are the same either way).
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from metrics.benchmarks import BENCHMARKS, lowest_tier
from metrics.queries import compose, run
from metrics.sql_files import sql
from metrics.window import GROUPINGS, Window, default_window, week_start

__all__ = ["DORA_COLUMNS", "GROUPINGS", "Periods", "SharedSpan", "dora_figures", "dora_frame", "dora_table",
           "run_window", "weekly_series", "default_window", "known_groups", "shared_span", "window_query"]

DORA_COLUMNS = [
    "group", "deployments", "deploys_per_week", "changes", "lead_time_p50_hours",
    "lead_time_p90_hours", "failed_deployments", "change_failure_rate", "recovery_p50_hours",
    "rework_deployments", "rework_rate", "deploy_frequency_tier", "lead_time_tier",
    "change_failure_tier", "recovery_tier", "tier",
]

SPAN_RELATIONS = ("span_deployments", "span_changes")
# Relations window_deployments and window_changes: the periods' deployments and changes, grouped.
GROUPED = "WITH ungrouped AS NOT MATERIALIZED (\n{rows}\n)\nSELECT * FROM (\n{grouped}\n)"
WINDOW_RELATIONS = {"window_deployments": "period_deployments", "window_changes": "period_changes"}

# Relation dora_periods(period, since, until): the window, and maybe the period before it.
CURRENT_PERIOD = "SELECT 'current' AS period, $since::TIMESTAMPTZ AS since, $until::TIMESTAMPTZ AS until"
BOTH_PERIODS = CURRENT_PERIOD + "\nUNION ALL SELECT 'previous', $previous_since::TIMESTAMPTZ, $since::TIMESTAMPTZ"
# Relation dora_groupings(group_by): one grouping, or several.
ONE_GROUPING = "SELECT $group_by::VARCHAR AS group_by"
SEVERAL_GROUPINGS = "SELECT unnest($groupings::VARCHAR[]) AS group_by"

SPAN_SINCE = "$span_since"
"""Where the span of the periods starts, in the SQL files: $since, or $previous_since with the previous period."""
# shared_span's temporary tables, in order: (the span relation read, what the table keeps of it).
# Relation span_changes is then a view on them (shared_changes.sql).
SHARED_TABLES = {"span_deployments": ("span_deployments", "SELECT * FROM span_deployments"),
                 "span_change_keys": ("span_changes", "SELECT k, lead_time_seconds FROM span_changes")}
SHARED_TABLE = "CREATE TEMPORARY TABLE {name} AS {query}"
SHARED_VIEW = "CREATE TEMPORARY VIEW {name} AS {query}"
DROP_SHARED_TABLE = "DROP TABLE IF EXISTS temp.{name}"
DROP_SHARED_VIEW = "DROP VIEW IF EXISTS temp.{name}"

# The groups a warehouse knows of, besides those with deployments (for --all-groups and pickers).
KNOWN_GROUPS = {
    "org": "SELECT 'all' AS grp",
    "team": """SELECT id AS grp FROM teams UNION SELECT team FROM services WHERE team IS NOT NULL
               UNION SELECT team FROM deployment_services""",
    "service": "SELECT id AS grp FROM services UNION SELECT service FROM deployment_services",
    "repo": """SELECT id AS grp FROM repos UNION SELECT repo FROM service_repos
               UNION SELECT repo FROM prod_deployments""",
}


@dataclass(frozen=True)
class Periods:
    """The window [since, until) (period "current") and, when `previous`, the period of equal
    length just before it (period "previous")."""

    window: Window
    previous: bool = False

    @property
    def start(self) -> date:
        """The first day of the earliest period."""
        return self.window.previous().since if self.previous else self.window.since

    def parameters(self) -> dict:
        """The parameters relation dora_periods uses."""
        since, until = self.window.bounds()
        return {"since": since, "until": until} | (
            {"previous_since": self.window.previous().bounds()[0]} if self.previous else {})


@dataclass(frozen=True)
class SharedSpan:
    """The deployments and changes of a span of days, held as temporary tables on one connection
    (see `shared_span`)."""

    since: date
    until: date

    def check_covers(self, periods: Periods) -> None:
        """Refuse periods outside the span: their figures would miss rows."""
        if periods.start < self.since or periods.window.until > self.until:
            raise ValueError(f"periods from {periods.start} to {periods.window.until} are outside the shared span "
                             f"from {self.since} to {self.until}")


@contextmanager
def shared_span(con: duckdb.DuckDBPyConnection, periods: Periods) -> Iterator[SharedSpan]:
    """The deployments and changes of `periods` read once, for the queries given the SharedSpan
    on `con` while inside (temporary tables and a view, dropped afterwards)."""
    try:
        for name, (source, query) in SHARED_TABLES.items():
            text = _spanned(compose(query, [_periods_relation(periods.previous), source]), periods.previous)
            run(con, SHARED_TABLE.format(name=name, query=text), periods.parameters())
        con.execute(SHARED_VIEW.format(name="span_changes", query=sql("shared_changes")))
        yield SharedSpan(periods.start, periods.window.until)
    finally:
        con.execute(DROP_SHARED_VIEW.format(name="span_changes"))
        for name in SHARED_TABLES:
            con.execute(DROP_SHARED_TABLE.format(name=name))


def window_query(query: str, *, previous: bool = False, several_groupings: bool = False,
                 shared: bool = False) -> str:
    """`query` with the relations dora_periods, dora_groupings, window_deployments (each
    deployment of a period once per group it counts for, with its outcome) and window_changes
    (the lead times of their changes, grouped the same way) in scope: see the SQL files
    span_*.sql, period_*.sql and grouped.sql.

    Parameters: $since and $until (the window), $previous_since with `previous` (the period
    before it too), $group_by (one grouping) or $groupings (`several_groupings`), $team and $service.
    `shared`: the span's deployments and changes come from the temporary tables of `shared_span`.
    """
    groupings = ("dora_groupings", SEVERAL_GROUPINGS if several_groupings else ONE_GROUPING)
    span = () if shared else SPAN_RELATIONS
    window = [(name, GROUPED.format(rows=sql(rows), grouped=sql("grouped"))) for name, rows in WINDOW_RELATIONS.items()]
    return _spanned(compose(query, [_periods_relation(previous), groupings, *span, *window]), previous)


def _periods_relation(previous: bool) -> tuple[str, str]:
    """Relation dora_periods: the window, and the period before it when `previous`."""
    return ("dora_periods", BOTH_PERIODS if previous else CURRENT_PERIOD)


def _spanned(query: str, previous: bool) -> str:
    """`query` with the span's start ($span_since) named as the parameter that holds it."""
    return query.replace(SPAN_SINCE, "$previous_since" if previous else "$since")


def run_window(con: duckdb.DuckDBPyConnection, name: str, periods: Periods, parameters: dict, *,
               several_groupings: bool = False, shared: SharedSpan | None = None) -> pd.DataFrame:
    """The query metrics/sql/NAME.sql over `periods` (see window_query)."""
    if shared is not None:
        shared.check_covers(periods)
    text = window_query(sql(name), previous=periods.previous, several_groupings=several_groupings,
                        shared=shared is not None)
    return run(con, text, periods.parameters() | parameters)


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


def _check_benchmark(benchmark: str) -> None:
    if benchmark not in BENCHMARKS:
        raise ValueError(f"unknown benchmark {benchmark!r} (expected one of {', '.join(BENCHMARKS)})")


def dora_figures(con: duckdb.DuckDBPyConnection, periods: Periods, groupings: Sequence[str], *,
                 team: str | None = None, service: str | None = None,
                 shared: SharedSpan | None = None) -> pd.DataFrame:
    """The raw DORA figures (no tiers) of every period and grouping in one query: columns period,
    group_by, then DORA_COLUMNS up to rework_rate, groups with deployments only. See dora_table."""
    for group_by in groupings:
        _check_group_by(group_by)
    parameters = {"groupings": list(groupings), "team": team, "service": service}
    return run_window(con, "dora_by_group", periods, parameters, several_groupings=True, shared=shared)


def dora_frame(con: duckdb.DuckDBPyConnection, figures: pd.DataFrame, period: str, group_by: str,
               benchmark: str = "2023", *, all_groups: bool = False,
               known: Sequence[str] | None = None) -> pd.DataFrame:
    """dora_table's frame for one period and grouping of `figures` (from dora_figures).

    `known`: known_groups(con, group_by) when the caller has it (with `all_groups`)."""
    _check_benchmark(benchmark)
    chosen = (figures["period"] == period) & (figures["group_by"] == group_by)
    frame = figures[chosen].drop(columns=["period", "group_by"]).reset_index(drop=True)
    if all_groups:
        missing = sorted(set(known_groups(con, group_by) if known is None else known) - set(frame["group"]))
        if missing:
            frame = pd.concat([frame, _empty_groups(missing)], ignore_index=True)
    frame = _add_tiers(frame.reindex(columns=DORA_COLUMNS), benchmark)
    frame = frame.sort_values("group", kind="stable").reset_index(drop=True)
    return frame.astype(object).where(frame.notna(), None)


def dora_table(con: duckdb.DuckDBPyConnection, since: date, until: date, group_by: str = "org",
               benchmark: str = "2023", *, all_groups: bool = False, team: str | None = None,
               service: str | None = None) -> pd.DataFrame:
    """The DORA figures per group over [since, until), exactly DORA_COLUMNS, sorted by group.

    `team` and `service` narrow the deployments considered. Unknown figures are None.
    """
    _check_group_by(group_by)
    _check_benchmark(benchmark)
    figures = dora_figures(con, Periods(Window(since, until)), [group_by], team=team, service=service)
    return dora_frame(con, figures, "current", group_by, benchmark, all_groups=all_groups)


def weekly_series(con: duckdb.DuckDBPyConnection, since: date, until: date, *, tz: str = "UTC",
                  team: str | None = None, service: str | None = None,
                  shared: SharedSpan | None = None) -> pd.DataFrame:
    """Per week (Monday in `tz`) overlapping the window: deployments, lead time p50, CFR, recovery p50."""
    window = Window(since, until)
    zone = ZoneInfo(tz)
    start, end = window.bounds()
    parameters = {
        "group_by": "org", "team": team, "service": service, "tz": tz,
        "first_week": week_start(start, zone),
        "last_week": week_start(end - timedelta(microseconds=1), zone),
    }
    frame = run_window(con, "weekly_series", Periods(window), parameters, shared=shared)
    frame["week"] = pd.to_datetime(frame["week"]).dt.date
    return frame.sort_values("week").reset_index(drop=True)
