"""Data health: what the DORA figures leave out (attempts, unattributed incidents, ...), and how
fresh the warehouse is (last syncs, bookmark ages, record counts, repos no service lists)."""
from __future__ import annotations

from datetime import date, datetime

import duckdb
import pandas as pd

from metrics.dora import Periods, SharedSpan, run_window
from metrics.window import Window

__all__ = ["data_health", "HEALTH_KEYS", "BOOKMARK_COLUMNS", "COUNTED_TABLES", "SYNC_COLUMNS", "bookmark_ages",
           "last_sync", "last_syncs", "record_counts", "unmapped_repos"]

HEALTH_KEYS = ("failed_attempts", "unattributed_incidents", "deployments_without_baseline",
               "negative_lead_times_dropped")


def data_health(con: duckdb.DuckDBPyConnection, since: date, until: date, *, team: str | None = None,
                service: str | None = None, shared: SharedSpan | None = None) -> dict[str, int]:
    """Counts over [since, until) of what no DORA figure includes, keyed by HEALTH_KEYS."""
    parameters = {"group_by": "org", "team": team, "service": service}
    row = run_window(con, "data_health", Periods(Window(since, until)), parameters, shared=shared).iloc[0]
    return {key: int(value) for key, value in zip(HEALTH_KEYS, row)}


# --- freshness of the warehouse: syncs, bookmarks, record counts, unmapped repos ---------------

SYNC_COLUMNS = ["source", "target", "last_sync", "records", "runs", "age_hours"]
LAST_SYNCS = """
SELECT source, target, max(finished_at) AS last_sync, arg_max(records, finished_at) AS records, count(*) AS runs,
       date_diff('second', max(finished_at), $now::TIMESTAMPTZ) / 3600.0 AS age_hours
FROM ingest_runs
GROUP BY source, target
ORDER BY source, target
"""

BOOKMARK_COLUMNS = ["source", "scope", "stream", "bookmark", "updated_at", "age_hours"]
BOOKMARK_AGES = """
SELECT source, scope, stream, bookmark, updated_at,
       date_diff('second', updated_at, $now::TIMESTAMPTZ) / 3600.0 AS age_hours
FROM sync_state
ORDER BY source, scope, stream
"""

COUNTED_TABLES = ("teams", "services", "repos", "commits", "pull_requests", "reviews", "deployments",
                  "incidents", "pipeline_runs")
"""The canonical tables whose row counts the data-health page shows."""

UNMAPPED_REPOS = """
WITH seen AS (
    SELECT id AS repo FROM repos UNION SELECT repo FROM deployments UNION SELECT repo FROM pull_requests
)
SELECT repo FROM seen WHERE repo NOT IN (SELECT repo FROM service_repos) ORDER BY repo
"""


def last_syncs(con: duckdb.DuckDBPyConnection, now: datetime) -> pd.DataFrame:
    """Per source and target (repo, file, organisation): its last import or sync, the records it
    brought, how many runs there were, and how many hours before `now` it finished (SYNC_COLUMNS)."""
    frame = con.execute(LAST_SYNCS, {"now": now}).df().reindex(columns=SYNC_COLUMNS)
    return frame.astype(object).where(frame.notna(), None)


def bookmark_ages(con: duckdb.DuckDBPyConnection, now: datetime) -> pd.DataFrame:
    """Where each provider stream stopped and how many hours before `now` it last moved (BOOKMARK_COLUMNS)."""
    frame = con.execute(BOOKMARK_AGES, {"now": now}).df().reindex(columns=BOOKMARK_COLUMNS)
    return frame.astype(object).where(frame.notna(), None)


def record_counts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Rows per canonical table (`table`, `rows`), in COUNTED_TABLES order."""
    counts = [(table, con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]) for table in COUNTED_TABLES]
    return pd.DataFrame(counts, columns=["table", "rows"])


def unmapped_repos(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Repositories the warehouse knows that no service lists: their deployments belong to no service."""
    return [row[0] for row in con.execute(UNMAPPED_REPOS).fetchall()]


def last_sync(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """When the last import or sync of any source finished (None when nothing was ever loaded)."""
    return con.execute("SELECT max(finished_at) FROM ingest_runs").fetchone()[0]
