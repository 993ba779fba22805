"""Idempotent writes of canonical records: the last record for a natural key wins."""
from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from warehouse.models import Commit, Incident, Service, _Record

__all__ = ["TABLES", "NATURAL_KEYS", "upsert_records", "replace_rows", "record_row", "table_columns",
           "delete_source"]

# Event type -> warehouse table.
TABLES: dict[str, str] = {
    "team": "teams",
    "service": "services",
    "repo": "repos",
    "commit": "commits",
    "pull_request": "pull_requests",
    "review": "reviews",
    "deployment": "deployments",
    "incident": "incidents",
    "pipeline_run": "pipeline_runs",
}

NATURAL_KEYS: dict[str, tuple[str, ...]] = {table: ("source", "id") for table in TABLES.values()}
NATURAL_KEYS["commits"] = ("repo", "sha")
NATURAL_KEYS["service_repos"] = ("source", "service")


def natural_key(record: _Record) -> tuple[Any, ...]:
    """The key that identifies `record` in its table; re-importing it replaces the row."""
    if isinstance(record, Commit):
        return ("commit", record.repo, record.sha)
    return (record.type, record.source, record.id)


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    """(column name, SQL type) of a warehouse table, in table order."""
    return [(row[0], row[1]) for row in con.execute(f"DESCRIBE {table}").fetchall()]


def record_row(record: _Record) -> dict[str, Any]:
    """The warehouse row of a record (nested fields flattened to their columns)."""
    row = record.model_dump(exclude={"type"})
    if isinstance(record, Service):
        row.pop("repos")
        row["annotations"] = json.dumps(record.annotations) if record.annotations is not None else None
    if isinstance(record, Incident):
        caused_by = row.pop("caused_by") or {}
        row["caused_by_deployment"] = caused_by.get("deployment")
        row["caused_by_sha"] = caused_by.get("sha")
    return row


def _service_repo_rows(services: Sequence[Service]) -> list[dict[str, Any]]:
    rows = {}
    for service in services:
        for link in service.repos or []:
            key = (service.source, service.id, link.repo, link.prefix)
            rows[key] = dict(zip(("source", "service", "repo", "path"), key))
    return list(rows.values())


def _write_table(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]],
                 replace_keys: list[tuple[Any, ...]] | None = None) -> None:
    """Delete the rows whose natural key is among `rows` (or `replace_keys`), then insert `rows`."""
    key = NATURAL_KEYS[table]
    columns = table_columns(con, table)
    frame = pd.DataFrame(rows, columns=[name for name, _ in columns])
    keys = pd.DataFrame(replace_keys, columns=list(key)) if replace_keys is not None else frame[list(key)]
    con.register("pitwall_staged_keys", keys)
    con.register("pitwall_staged_rows", frame)
    try:
        match = " AND ".join(f"{table}.{k} = pitwall_staged_keys.{k}" for k in key)
        con.execute(f"DELETE FROM {table} USING pitwall_staged_keys WHERE {match}")
        select = ", ".join(f"CAST({name} AS {sql_type})" for name, sql_type in columns)
        con.execute(f"INSERT INTO {table} SELECT {select} FROM pitwall_staged_rows")
    finally:
        # After a failed statement the transaction is aborted and unregister would raise too,
        # hiding the real error: let the caller's ROLLBACK clean up instead.
        with contextlib.suppress(duckdb.Error):
            con.unregister("pitwall_staged_keys")
            con.unregister("pitwall_staged_rows")


def upsert_records(con: duckdb.DuckDBPyConnection, records: Iterable[_Record]) -> dict[str, int]:
    """Write validated records, replacing rows with the same natural key.

    Within `records` the last one for a key wins. The caller owns the transaction, so a
    failed batch leaves nothing behind. Returns the number of records written per type.
    """
    latest: dict[tuple[Any, ...], _Record] = {}
    for record in records:
        latest.pop(natural_key(record), None)  # keep file order of the last occurrence
        latest[natural_key(record)] = record
    by_type: dict[str, list[_Record]] = {}
    for record in latest.values():
        by_type.setdefault(record.type, []).append(record)
    for event_type, group in by_type.items():
        table = TABLES[event_type]
        _write_table(con, table, [record_row(r) for r in group])
        if event_type == "service":
            _write_table(con, "service_repos", _service_repo_rows(group),
                         replace_keys=[(s.source, s.id) for s in group])
    return {event_type: len(group) for event_type, group in by_type.items()}


def replace_rows(con: duckdb.DuckDBPyConnection, table: str,
                 stream: Callable[[list[str]], pa.RecordBatchReader]) -> None:
    """Insert staged rows (their natural keys unique among them), replacing the rows of `table`
    with the same keys; `stream(columns)` gives those columns of the staged rows as Arrow batches
    (the keys alone are read only when the table holds rows). The caller owns the transaction."""
    key = NATURAL_KEYS[table]
    match = " AND ".join(f"{table}.{k} = pitwall_staged_keys.{k}" for k in key)
    try:
        if con.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchall()[0][0]:
            con.register("pitwall_staged_keys", stream(list(key)))
            con.execute(f"DELETE FROM {table} USING pitwall_staged_keys WHERE {match}")
        con.register("pitwall_staged_rows", stream([name for name, _ in table_columns(con, table)]))
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM pitwall_staged_rows")
    finally:
        for name in ("pitwall_staged_keys", "pitwall_staged_rows"):
            with contextlib.suppress(duckdb.Error):  # as in _write_table: the real error must surface
                con.unregister(name)


def delete_source(con: duckdb.DuckDBPyConnection, source: str) -> None:
    """Delete every canonical row of `source` (and its ingest log); the caller owns the transaction."""
    for table in (*TABLES.values(), "service_repos", "ingest_runs"):
        con.execute(f"DELETE FROM {table} WHERE source = ?", [source])
