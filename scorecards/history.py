"""Stored scorecard results over time: per service (trends) and rolled up per team or org.

A rollup row counts the services of a team (or of the whole organisation) at one level on one
evaluation day of one scorecard: one row per level, "none" first, levels lowest first, zero
counts included. `mean_score` is the mean of the services' scores (exempt-only services, whose
score is null, left out). A service without a team is in team "unassigned".
"""
from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

__all__ = ["HISTORY_GROUPINGS", "TREND_COLUMNS", "ROLLUP_COLUMNS", "service_trends", "rollups"]

HISTORY_GROUPINGS = ("service", "team", "org")
TREND_COLUMNS = ["evaluated_on", "scorecard", "service", "team", "level", "score"]
ROLLUP_COLUMNS = ["evaluated_on", "scorecard", "group", "services", "mean_score", "level", "services_at_level",
                  "share"]

FILTERED_RESULTS = """
SELECT evaluated_on, scorecard, service, coalesce(team, 'unassigned') AS team, level, level_rank, score
FROM scorecard_results
WHERE ($scorecard IS NULL OR scorecard = $scorecard)
  AND ($service IS NULL OR service = $service)
  AND ($team IS NULL OR coalesce(team, 'unassigned') = $team)
  AND ($since IS NULL OR evaluated_on >= $since)
  AND ($until IS NULL OR evaluated_on < $until)
"""

TRENDS = f"""
SELECT evaluated_on, scorecard, service, team, level, score
FROM ({FILTERED_RESULTS})
ORDER BY scorecard, service, evaluated_on
"""

ROLLUPS = f"""
WITH results AS (
    SELECT *, CASE WHEN $by = 'org' THEN 'all' ELSE team END AS grp FROM ({FILTERED_RESULTS})
),
groups AS (
    SELECT evaluated_on, scorecard, grp, count(*) AS services, avg(score) AS mean_score
    FROM results
    GROUP BY evaluated_on, scorecard, grp
),
levels AS (
    SELECT evaluated_on, scorecard,
           unnest(list_prepend('none', levels)) AS level,
           unnest(range(0, len(levels) + 1)) AS level_rank
    FROM scorecard_runs
)
SELECT g.evaluated_on, g.scorecard, g.grp AS "group", g.services, g.mean_score, l.level,
       count(r.service) AS services_at_level,
       count(r.service) / g.services AS share
FROM groups AS g
JOIN levels AS l ON l.evaluated_on = g.evaluated_on AND l.scorecard = g.scorecard
LEFT JOIN results AS r
       ON r.evaluated_on = g.evaluated_on AND r.scorecard = g.scorecard AND r.grp = g.grp
      AND r.level_rank = l.level_rank
GROUP BY g.evaluated_on, g.scorecard, g.grp, g.services, g.mean_score, l.level, l.level_rank
ORDER BY g.scorecard, g.grp, g.evaluated_on, l.level_rank
"""


def _parameters(scorecard: str | None, service: str | None, team: str | None, since: date | None,
                until: date | None) -> dict[str, object]:
    return {"scorecard": scorecard, "service": service, "team": team, "since": since, "until": until}


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    frame["evaluated_on"] = pd.to_datetime(frame["evaluated_on"]).dt.date
    return frame.astype(object).where(frame.notna(), None)


def service_trends(con: duckdb.DuckDBPyConnection, *, scorecard: str | None = None, service: str | None = None,
                   team: str | None = None, since: date | None = None, until: date | None = None) -> pd.DataFrame:
    """Each service's level and score per evaluation day (TREND_COLUMNS), oldest first."""
    frame = con.execute(TRENDS, _parameters(scorecard, service, team, since, until)).df()
    return _plain(frame.reindex(columns=TREND_COLUMNS))


def rollups(con: duckdb.DuckDBPyConnection, by: str = "team", *, scorecard: str | None = None,
            service: str | None = None, team: str | None = None, since: date | None = None,
            until: date | None = None) -> pd.DataFrame:
    """Per team (or `by="org"`: everything, group "all"), day and level: how many services and
    what share are at that level, and the group's mean score (ROLLUP_COLUMNS)."""
    if by not in ("team", "org"):
        raise ValueError(f"unknown rollup {by!r} (expected team or org)")
    parameters = _parameters(scorecard, service, team, since, until) | {"by": by}
    frame = con.execute(ROLLUPS, parameters).df()
    return _plain(frame.reindex(columns=ROLLUP_COLUMNS))
