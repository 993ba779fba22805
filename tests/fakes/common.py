"""What every fake provider and its sync runs share: names made into shas, timestamps, a virtual
clock with quick retries for the client, and the canonical rows two warehouses are compared by.
"""
from __future__ import annotations

import hashlib
import threading
import time
from datetime import UTC, datetime
from typing import Any

import duckdb

from ingest.http import RetryPolicy

__all__ = ["sha_of", "iso", "VirtualClock", "QUICK_RETRIES", "client_options", "CANONICAL", "canonical_rows"]

QUICK_RETRIES = RetryPolicy(attempts=4, base_delay=0.5, max_delay=4.0, secondary_wait=60.0)
CANONICAL = ("repos", "commits", "pull_requests", "reviews", "deployments", "incidents", "pipeline_runs")


def sha_of(name: str) -> str:
    """The 40-hex sha the fake gives a commit named `name` in a test."""
    return hashlib.sha1(name.encode()).hexdigest()


def iso(moment: datetime | str) -> str:
    """GitHub's timestamp format: UTC, seconds, `Z`."""
    if isinstance(moment, str):
        return moment
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class VirtualClock:
    """A clock whose sleep only moves time on: rate-limit waits without waiting."""

    def __init__(self, start: float | None = None):
        self.now = time.time() if start is None else start
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self.now += seconds


def client_options(clock: VirtualClock | None = None, notices: list[str] | None = None) -> dict[str, Any]:
    """A provider's `make_client` keywords for a sync on `clock` (a new one by default) with quick
    retries, its notices appended to `notices` (dropped without)."""
    clock = clock or VirtualClock()
    return {"sleep": clock.sleep, "clock": clock.time, "policy": QUICK_RETRIES,
            "on_notice": notices.append if notices is not None else (lambda message: None)}


def canonical_rows(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every canonical table's rows, sorted: two warehouses are equal when these are."""
    return {table: sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr) for table in CANONICAL}
