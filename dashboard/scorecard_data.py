"""Reads of the stored scorecard results the scorecards package does not offer yet: the latest
evaluation of each scorecard, per service and per rule.

scorecards.history covers levels over time; these cover "where each service stands now".
"""
from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from scorecards.golden_paths import GOLDEN_PATH_COLUMNS, golden_paths, service_templates

__all__ = ["LATEST_COLUMNS", "RULE_COLUMNS", "golden_path_table", "latest_results", "latest_rules"]

LATEST_COLUMNS = ["scorecard", "service", "team", "level", "level_rank", "score", "evaluated_on"]
RULE_COLUMNS = ["scorecard", "rule", "level", "status", "value", "reason", "remediation", "evaluated_on"]

LATEST_DAY = """
latest AS (SELECT scorecard, max(evaluated_on) AS evaluated_on FROM scorecard_runs GROUP BY scorecard)
"""

LATEST_RESULTS = f"""
WITH {LATEST_DAY}
SELECT r.scorecard, r.service, r.team, r.level, r.level_rank, r.score, r.evaluated_on
FROM scorecard_results AS r JOIN latest USING (scorecard, evaluated_on)
WHERE ($team IS NULL OR r.team = $team) AND ($service IS NULL OR r.service = $service)
ORDER BY r.scorecard, r.service
"""

# "What to fix next": failing rules first, lowest level first (its rank among the scorecard's
# levels), then the passing and exempt ones, each by level and rule.
LATEST_RULES = f"""
WITH {LATEST_DAY}
SELECT q.scorecard, q.rule, q.level, q.status, q.value::VARCHAR AS value, q.reason, q.remediation, q.evaluated_on
FROM scorecard_rule_results AS q
JOIN latest USING (scorecard, evaluated_on)
JOIN scorecard_runs AS runs USING (scorecard, evaluated_on)
WHERE q.service = $service
ORDER BY q.scorecard, q.status <> 'fail', list_position(runs.levels, q.level), q.status, q.rule
"""


def _plain(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    frame = frame.reindex(columns=columns)
    if not frame.empty:
        frame["evaluated_on"] = pd.to_datetime(frame["evaluated_on"]).dt.date
    return frame.astype(object).where(frame.notna(), None)


def latest_results(con: duckdb.DuckDBPyConnection, team: str | None = None,
                   service: str | None = None) -> pd.DataFrame:
    """Each service's level and score in the latest evaluation of each scorecard (LATEST_COLUMNS)."""
    return _plain(con.execute(LATEST_RESULTS, {"team": team, "service": service}).df(), LATEST_COLUMNS)


def latest_rules(con: duckdb.DuckDBPyConnection, service: str) -> pd.DataFrame:
    """`service`'s rule results in the latest evaluation of each scorecard, ordered as what to fix
    next: failing rules of the lowest level first (RULE_COLUMNS)."""
    return _plain(con.execute(LATEST_RULES, {"service": service}).df(), RULE_COLUMNS)


def golden_path_table(con: duckdb.DuckDBPyConnection, since: date, until: date, benchmark: str,
                      dora: pd.DataFrame | None = None) -> pd.DataFrame:
    """scorecards.golden_paths (`dora`: see there), or no rows when the warehouse has no catalog
    services (golden_paths itself fails on a warehouse with neither services nor deployments)."""
    if service_templates(con).empty:
        return pd.DataFrame(columns=GOLDEN_PATH_COLUMNS)
    return golden_paths(con, since, until, benchmark, dora=dora)
