"""Developer-experience figures (docs/metrics.md, "Developer experience"), SQL-first.

Per merged pull request: coding, pickup, review, deploy and cycle time; size; reviews; whether
its first reviewer sits in another team. Per group: those as p50/p75/p90, throughput and work in
progress; new hires' time to first deploy; CI success, duration and re-runs. Bots are left out
of every figure, and each figure comes with the previous period of equal length: one query reads
the pull requests of both periods (relation devex_periods) and one the new hires of both.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from metrics.compare import against_previous, plain_objects
from metrics.queries import compose, devex_session, run
from metrics.settings import MetricsSettings
from metrics.sql_files import sql
from metrics.window import GROUPINGS, Window, week_start

__all__ = [
    "CI_FIGURES", "DEVEX_FIGURES", "NEW_HIRE_COLUMNS", "NEW_HIRE_FIGURES", "Scope", "ci_table", "devex_figures",
    "devex_table", "figures_for",
    "devex_weekly_series", "new_hires_table", "pull_request_flow", "open_pull_requests", "new_hire_people",
    "ci_runs",
]

PERCENTILES = ("p50", "p75", "p90")
DURATIONS = ("coding_time", "pickup_time", "review_time", "deploy_time", "cycle_time")
CROSS_TEAM_DURATIONS = ("cross_team_pickup", "same_team_pickup")


def _percentile_names(stem: str, unit: str) -> list[str]:
    return [f"{stem}_{p}_{unit}" for p in PERCENTILES]


NEW_HIRE_FIGURES = ["new_hires", *_percentile_names("new_hire_first_deploy", "hours")]

# The per-group figures in output order (docs/metrics.md defines each).
DEVEX_FIGURES: list[str] = [
    "merged_prs", "throughput_per_week", "open_prs",
    *(name for stem in DURATIONS for name in _percentile_names(stem, "hours")),
    "pr_size_p50", "pr_size_xs", "pr_size_s", "pr_size_m", "pr_size_l", "pr_size_xl",
    "reviews_per_pr", "unreviewed_prs",
    "cross_team_prs", "cross_team_share",
    *(name for stem in CROSS_TEAM_DURATIONS for name in _percentile_names(stem, "hours")),
    *NEW_HIRE_FIGURES,
]

# The figures that count something (whole numbers, 0 rather than unknown).
DEVEX_COUNTS = ["merged_prs", "open_prs", "pr_size_xs", "pr_size_s", "pr_size_m", "pr_size_l", "pr_size_xl",
                "unreviewed_prs", "cross_team_prs", "new_hires"]

CI_FIGURES: list[str] = ["runs", "success_rate", *_percentile_names("duration", "minutes"), "rerun_rate"]

NEW_HIRE_COLUMNS = ["team", "month", "new_hires", "deployed", *_percentile_names("first_deploy", "hours")]

FLOW_RELATIONS = ("devex_periods", "person_teams", "devex_pull_requests", "pull_request_groups")
NEW_HIRE_RELATIONS = ("person_teams", "devex_new_hires")
NEW_HIRE_FIGURE_RELATIONS = ("devex_periods", *NEW_HIRE_RELATIONS)

Connection = duckdb.DuckDBPyConnection


@dataclass(frozen=True)
class Scope:
    """What a developer-experience query covers: a window, a grouping and optional filters."""

    since: date
    until: date
    group_by: str = "org"
    team: str | None = None
    service: str | None = None

    def __post_init__(self) -> None:
        if self.group_by not in GROUPINGS:
            raise ValueError(f"unknown grouping {self.group_by!r} (expected one of {', '.join(GROUPINGS)})")

    @property
    def window(self) -> Window:
        return Window(self.since, self.until)

    def previous(self) -> Scope:
        """The same scope over the period of equal length just before."""
        earlier = self.window.previous()
        return Scope(earlier.since, earlier.until, self.group_by, self.team, self.service)

    def windows(self, periods: int) -> list[Window]:
        """The window and the `periods` - 1 periods of equal length before it, newest first."""
        windows = [self.window]
        while len(windows) < periods:
            windows.append(windows[-1].previous())
        return windows

    def parameters(self, settings: MetricsSettings, periods: int = 1) -> dict:
        """The query parameters: relation devex_periods holds the window and the `periods` - 1
        periods before it ($period_starts, $period_ends); $since and $until span them all."""
        bounds = [window.bounds() for window in self.windows(periods)]
        return {"since": bounds[-1][0], "until": bounds[0][1], "weeks": self.window.weeks,
                "period_starts": [start for start, _ in bounds], "period_ends": [end for _, end in bounds],
                "group_by": self.group_by, "team": self.team, "service": self.service,
                "bots": settings.bot_names, "tz": settings.timezone}


def _counts(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """`columns` as whole numbers, 0 where a group has none (an outer join leaves them empty)."""
    for column in columns:
        frame[column] = frame[column].fillna(0).astype("int64")
    return frame


def _split_percentiles(frame: pd.DataFrame, column: str, unit: str) -> pd.DataFrame:
    """Replace the [p50, p75, p90] list column `column` with one column per percentile."""
    names = _percentile_names(column, unit)
    values = [list(v) if isinstance(v, (list, tuple)) or hasattr(v, "tolist") else [None] * 3
              for v in frame[column]]
    for index, name in enumerate(names):
        frame[name] = [v[index] for v in values]
    return frame.drop(columns=[column])


def _query(con: Connection, query: str, relations: tuple[str, ...], scope: Scope,
           settings: MetricsSettings, periods: int = 1, **extra) -> pd.DataFrame:
    """Run `query` (SQL text) with `relations` in scope and the scope's parameters (over
    `periods` periods) plus `extra`."""
    with devex_session(con, settings):
        return run(con, compose(query, relations), scope.parameters(settings, periods) | extra)


def _new_hire_figures(con: Connection, scope: Scope, settings: MetricsSettings,
                      by_month: bool, periods: int = 1) -> pd.DataFrame:
    frame = _query(con, sql("devex_new_hire_figures"), NEW_HIRE_FIGURE_RELATIONS, scope, settings, periods,
                   by_month=by_month)
    return _split_percentiles(frame, "first_deploy", "hours")


def figures_for(group_by: str) -> list[str]:
    """The figures of a grouping: DEVEX_FIGURES, without the new-hire ones for service and repo
    (a person belongs to a team, not to a service or repository)."""
    return DEVEX_FIGURES if group_by in ("org", "team") else [f for f in DEVEX_FIGURES if f not in NEW_HIRE_FIGURES]


def _period_figures(con: Connection, scope: Scope, settings: MetricsSettings, periods: int) -> list[pd.DataFrame]:
    """The figures (see `devex_figures`) of the window and the `periods` - 1 periods before it,
    newest first, from one flow query and one new-hire query."""
    figures = figures_for(scope.group_by)
    frame = _query(con, sql("devex_figures"), FLOW_RELATIONS, scope, settings, periods)
    for column in (*DURATIONS, *CROSS_TEAM_DURATIONS):
        frame = _split_percentiles(frame, column, "hours")
    hires = _new_hire_figures(con, scope, settings, by_month=False, periods=periods).drop(columns=["month", "deployed"])
    hires = hires.rename(columns={f"first_deploy_{p}_hours": f"new_hire_first_deploy_{p}_hours" for p in PERCENTILES})
    frame = frame.merge(hires, on=["period", "group"], how="outer")
    tables = []
    for period in range(periods):
        table = frame[frame["period"] == period].reindex(columns=["group", *figures])
        table["throughput_per_week"] = table["throughput_per_week"].fillna(0.0)
        table = _counts(table, [column for column in DEVEX_COUNTS if column in figures])
        tables.append(plain_objects(table.sort_values("group", kind="stable").reset_index(drop=True)))
    return tables


def devex_figures(con: Connection, scope: Scope, settings: MetricsSettings | None = None) -> pd.DataFrame:
    """The figures of one window, wide: `group` then `figures_for(group_by)`, one row per group
    with a pull request merged in the window or open at its end, or (org, team) a new hire."""
    return _period_figures(con, scope, settings or MetricsSettings(), 1)[0]


def devex_table(con: Connection, scope: Scope, settings: MetricsSettings | None = None) -> pd.DataFrame:
    """Long rows `group, figure, value, previous, delta, percent`: every figure of `devex_figures`
    against the previous period of equal length (both periods read together)."""
    current, previous = _period_figures(con, scope, settings or MetricsSettings(), 2)
    return against_previous(current, previous, ["group"], figures_for(scope.group_by))


def new_hires_table(con: Connection, scope: Scope, settings: MetricsSettings | None = None) -> pd.DataFrame:
    """New hires of the window per team and month of joining (time zone of the settings):
    NEW_HIRE_COLUMNS, sorted by team and month."""
    frame = _new_hire_figures(con, scope, settings or MetricsSettings(), by_month=True)
    frame = frame.rename(columns={"group": "team"}).reindex(columns=NEW_HIRE_COLUMNS)
    return plain_objects(frame.sort_values(["team", "month"], kind="stable").reset_index(drop=True))


def _ci_figures(con: Connection, scope: Scope, settings: MetricsSettings) -> pd.DataFrame:
    frame = _query(con, sql("devex_ci"), ("devex_ci_runs",), scope, settings)
    frame = _split_percentiles(frame, "duration", "minutes")
    return frame.sort_values(["group", "repo", "workflow"], kind="stable").reset_index(drop=True)


def ci_table(con: Connection, scope: Scope, settings: MetricsSettings | None = None) -> pd.DataFrame:
    """CI figures per (group, repo, workflow) with runs started in the window, long:
    `group, repo, workflow, figure, value, previous, delta, percent` over CI_FIGURES."""
    settings = settings or MetricsSettings()
    current = _ci_figures(con, scope, settings)
    previous = _ci_figures(con, scope.previous(), settings)
    return against_previous(current, previous, ["group", "repo", "workflow"], CI_FIGURES)


def devex_weekly_series(con: Connection, scope: Scope,
                        settings: MetricsSettings | None = None) -> pd.DataFrame:
    """Per group with a merge in the window and week (Monday in the settings' time zone)
    overlapping it: merged_prs, pickup_time_p50_hours, cycle_time_p50_hours."""
    settings = settings or MetricsSettings()
    zone = ZoneInfo(settings.timezone)
    start, end = scope.window.bounds()
    weeks = {"first_week": week_start(start, zone), "last_week": week_start(end - timedelta(microseconds=1), zone)}
    frame = _query(con, sql("devex_weekly"), FLOW_RELATIONS, scope, settings, **weeks)
    frame["week"] = pd.to_datetime(frame["week"]).dt.date
    return plain_objects(frame.sort_values(["group", "week"], kind="stable").reset_index(drop=True))


# --- drill-down: the rows behind the figures of one group ------------------------------------

FLOW_COLUMNS = [
    "id", "repo", "number", "author", "title", "started_at", "ready_at", "first_review_at",
    "first_reviewer", "merged_at", "deployment_id", "deployed_at", "coding_hours", "pickup_hours",
    "review_hours", "deploy_hours", "cycle_hours", "size", "size_bucket", "reviews", "author_team",
    "reviewer_team", "cross_team",
]

EXPLAIN_PULL_REQUESTS = """
SELECT f.* FROM pull_request_groups AS f
WHERE f.grp = $group AND {condition}
ORDER BY {order}, f.id
"""
MERGED_IN_WINDOW = "f.merged_at >= $since AND f.merged_at < $until"
OPEN_AT_END = """f.created_at < $until AND (f.merged_at IS NULL OR f.merged_at >= $until)
    AND (f.closed_at IS NULL OR f.closed_at >= $until)"""


def _group_rows(con: Connection, scope: Scope, group: str, settings: MetricsSettings,
                condition: str, order: str) -> pd.DataFrame:
    query = EXPLAIN_PULL_REQUESTS.format(condition=condition, order=order)
    frame = _query(con, query, FLOW_RELATIONS, scope, settings, group=group)
    return plain_objects(frame.reindex(columns=FLOW_COLUMNS))


def pull_request_flow(con: Connection, scope: Scope, group: str,
                      settings: MetricsSettings | None = None) -> pd.DataFrame:
    """The merged pull requests of the window behind `group`'s figures, one row each (FLOW_COLUMNS)."""
    return _group_rows(con, scope, group, settings or MetricsSettings(), MERGED_IN_WINDOW, "f.merged_at")


def open_pull_requests(con: Connection, scope: Scope, group: str,
                       settings: MetricsSettings | None = None) -> pd.DataFrame:
    """The pull requests of `group` open at the end of the window (work in progress)."""
    return _group_rows(con, scope, group, settings or MetricsSettings(), OPEN_AT_END, "f.created_at")


NEW_HIRE_PEOPLE = """
SELECT * FROM devex_new_hires
WHERE $group_by IN ('org', 'team') AND ($group_by = 'org' OR team = $group)
ORDER BY first_seen_at, person
"""


def new_hire_people(con: Connection, scope: Scope, group: str,
                    settings: MetricsSettings | None = None) -> pd.DataFrame:
    """The new hires behind `group`'s new-hire figures (org and team groupings), one row each."""
    frame = _query(con, NEW_HIRE_PEOPLE, NEW_HIRE_RELATIONS, scope, settings or MetricsSettings(), group=group)
    return plain_objects(frame)


CI_RUNS = """
SELECT grp AS "group", repo, workflow, id, status, attempt, started_at, finished_at, minutes
FROM devex_ci_runs WHERE grp = $group ORDER BY repo, workflow, started_at, id
"""


def ci_runs(con: Connection, scope: Scope, group: str,
            settings: MetricsSettings | None = None) -> pd.DataFrame:
    """The CI runs of the window behind `group`'s CI figures."""
    frame = _query(con, CI_RUNS, ("devex_ci_runs",), scope, settings or MetricsSettings(), group=group)
    return plain_objects(frame)
