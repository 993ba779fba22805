"""The log of provider syncs (table sync_runs) and the ingest log the data-health page reads."""
from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from ingest.http import HttpClient
from warehouse.pending import mark_derive_pending

__all__ = ["logged_run"]

START_RUN = """
INSERT INTO sync_runs (id, source, target, started_at, status) VALUES ($id, $source, $target, now(), 'running')
"""
MARK_INTERRUPTED = "UPDATE sync_runs SET status = 'interrupted' WHERE source = $source AND status = 'running'"
FINISH_RUN = """
UPDATE sync_runs
SET finished_at = now(), status = $status, requests = $requests, not_modified = $not_modified,
    rate_limit_waits = $waits, retries = $retries, records = $records, error = $error
WHERE id = $id
"""
LOG_INGEST = "INSERT INTO ingest_runs VALUES (?, ?, now(), ?)"


def _finish(con: duckdb.DuckDBPyConnection, run_id: str, status: str, client: HttpClient,
            records: Counter, error: str | None) -> None:
    stats = client.stats
    con.execute(FINISH_RUN, {"id": run_id, "status": status, "requests": stats.requests,
                             "not_modified": stats.not_modified, "waits": stats.rate_limit_waits,
                             "retries": stats.retries, "records": json.dumps(dict(records)), "error": error})


@contextmanager
def logged_run(con: duckdb.DuckDBPyConnection, source: str, target: str, client: HttpClient,
               records: Counter) -> Iterator[None]:
    """Log one sync of `source`: running while the block runs, then success or failed.

    A run still marked running when the next one starts was killed: it becomes interrupted.
    `records` (filled by the block) is logged with the outcome; a success also goes into
    ingest_runs, the last-sync log every source writes. The derived tables are marked pending
    first (the block commits in batches; the caller's derive clears the mark).
    """
    run_id = str(uuid.uuid4())
    mark_derive_pending(con, f"sync {source} {target}")
    con.execute(MARK_INTERRUPTED, {"source": source})
    con.execute(START_RUN, {"id": run_id, "source": source, "target": target})
    try:
        yield
    except BaseException as error:
        _finish(con, run_id, "failed", client, records, str(error) or type(error).__name__)
        raise
    _finish(con, run_id, "success", client, records, None)
    con.execute(LOG_INGEST, [source, target, sum(records.values())])
