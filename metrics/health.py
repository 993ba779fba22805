"""Data health: what the DORA figures leave out (attempts, unattributed incidents, ...)."""
from __future__ import annotations

from datetime import date

import duckdb

from metrics.dora import window_query
from metrics.sql_files import sql
from metrics.window import Window

__all__ = ["data_health", "HEALTH_KEYS"]

HEALTH_KEYS = ("failed_attempts", "unattributed_incidents", "deployments_without_baseline",
               "negative_lead_times_dropped")


def data_health(con: duckdb.DuckDBPyConnection, since: date, until: date, *, team: str | None = None,
                service: str | None = None) -> dict[str, int]:
    """Counts over [since, until) of what no DORA figure includes, keyed by HEALTH_KEYS."""
    start, end = Window(since, until).bounds()
    parameters = {"since": start, "until": end, "group_by": "org", "team": team, "service": service}
    row = con.execute(window_query(sql("data_health")), parameters).fetchone()
    return {key: int(value) for key, value in zip(HEALTH_KEYS, row)}
