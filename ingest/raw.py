"""The raw JSON store: every fetched resource as the provider returned it (table raw_documents).

Canonical rows are always derived from these documents, during a sync and by `pitwall rebuild`
alike, so a setting that changes (production environments, incident label) can be applied again
offline. Writes join the caller's transaction.
"""
from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

__all__ = ["RawDocument", "put_documents", "delete_documents", "load_documents", "document_markers",
           "document_keys", "scopes", "count_documents"]

COLUMNS = ["source", "scope", "kind", "key", "version", "etag", "body"]

UPSERT = """
INSERT OR REPLACE INTO raw_documents (source, scope, kind, key, version, etag, fetched_at, body)
SELECT source, scope, kind, key, version, etag, now(), CAST(body AS JSON) FROM raw_staged
"""

DELETE = """
DELETE FROM raw_documents
WHERE source = $source AND scope = $scope AND kind = $kind AND list_contains($keys, key)
"""

SELECT_BODIES = """
SELECT key, version, etag, CAST(body AS VARCHAR) FROM raw_documents
WHERE source = $source AND scope = $scope AND kind = $kind AND list_contains($keys, key)
"""

SELECT_ALL_BODIES = """
SELECT key, version, etag, CAST(body AS VARCHAR) FROM raw_documents
WHERE source = $source AND scope = $scope AND kind = $kind
ORDER BY key
"""

SELECT_MARKERS = """
SELECT key, version, etag FROM raw_documents
WHERE source = $source AND scope = $scope AND kind = $kind AND list_contains($keys, key)
"""


@dataclass(frozen=True)
class RawDocument:
    """One fetched resource: `body` is its JSON; `version` its updated_at (when it has one);
    `etag` the ETag of the single-page answer it came from."""

    scope: str
    kind: str
    key: str
    body: Any
    version: str | None = None
    etag: str | None = None


def put_documents(con: duckdb.DuckDBPyConnection, source: str, documents: Sequence[RawDocument]) -> None:
    """Store `documents`, replacing any with the same (scope, kind, key)."""
    if not documents:
        return
    latest = {(d.scope, d.kind, d.key): d for d in documents}
    frame = pd.DataFrame(
        [(source, d.scope, d.kind, d.key, d.version, d.etag, json.dumps(d.body, separators=(",", ":")))
         for d in latest.values()],
        columns=COLUMNS, dtype="object")
    con.register("raw_staged", frame)
    try:
        con.execute(UPSERT)
    finally:
        with contextlib.suppress(duckdb.Error):
            con.unregister("raw_staged")


def delete_documents(con: duckdb.DuckDBPyConnection, source: str, scope: str, kind: str,
                     keys: Iterable[str]) -> None:
    keys = list(keys)
    if keys:
        con.execute(DELETE, {"source": source, "scope": scope, "kind": kind, "keys": keys})


def _documents(rows: list[tuple], scope: str, kind: str) -> dict[str, RawDocument]:
    return {key: RawDocument(scope, kind, key, json.loads(body), version, etag)
            for key, version, etag, body in rows}


def load_documents(con: duckdb.DuckDBPyConnection, source: str, scope: str, kind: str,
                   keys: Iterable[str] | None = None) -> dict[str, RawDocument]:
    """The stored documents of one kind in a scope (all of them when `keys` is None), by key."""
    parameters: dict[str, Any] = {"source": source, "scope": scope, "kind": kind}
    if keys is None:
        return _documents(con.execute(SELECT_ALL_BODIES, parameters).fetchall(), scope, kind)
    keys = list(keys)
    if not keys:
        return {}
    return _documents(con.execute(SELECT_BODIES, {**parameters, "keys": keys}).fetchall(), scope, kind)


def document_markers(con: duckdb.DuckDBPyConnection, source: str, scope: str, kind: str,
                     keys: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
    """(version, etag) of the stored documents among `keys`, without reading their bodies."""
    keys = list(keys)
    if not keys:
        return {}
    rows = con.execute(SELECT_MARKERS, {"source": source, "scope": scope, "kind": kind, "keys": keys})
    return {key: (version, etag) for key, version, etag in rows.fetchall()}


def document_keys(con: duckdb.DuckDBPyConnection, source: str, scope: str, kind: str) -> list[str]:
    """Every key of one kind in a scope, sorted."""
    return [row[0] for row in con.execute(
        "SELECT key FROM raw_documents WHERE source = ? AND scope = ? AND kind = ? ORDER BY key",
        [source, scope, kind]).fetchall()]


def scopes(con: duckdb.DuckDBPyConnection, source: str) -> list[str]:
    """The scopes (repositories) holding documents of `source`, sorted."""
    return [row[0] for row in con.execute(
        "SELECT DISTINCT scope FROM raw_documents WHERE source = ? ORDER BY scope", [source]).fetchall()]


def count_documents(con: duckdb.DuckDBPyConnection, source: str) -> int:
    # fetchall, not fetchone: a result left unfinished blocks the relational API on this connection
    # (DuckDB 2), and `pitwall rebuild` derives next in the same transaction.
    return con.execute("SELECT count(*) FROM raw_documents WHERE source = ?", [source]).fetchall()[0][0]
