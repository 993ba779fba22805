"""Where each resource list of a sync stopped (table sync_state): bookmark and first-page ETag.

A stream's state is saved in the same transaction as the last data it covers, so a sync killed
at any moment resumes from a bookmark that never runs ahead of what is stored.
"""
from __future__ import annotations

from dataclasses import dataclass

import duckdb

__all__ = ["StreamState", "load_state", "save_state", "clear_states"]

UPSERT = """
INSERT OR REPLACE INTO sync_state (source, scope, stream, url, etag, bookmark, updated_at)
VALUES ($source, $scope, $stream, $url, $etag, $bookmark, now())
"""


@dataclass(frozen=True)
class StreamState:
    """`bookmark`: everything changed up to it is stored; `etag`: of the first page at `url`."""

    url: str | None = None
    etag: str | None = None
    bookmark: str | None = None

    def etag_for(self, url: str) -> str | None:
        """The ETag to send for `url`: only when it is the very URL the ETag was answered for."""
        return self.etag if self.url == url else None


def load_state(con: duckdb.DuckDBPyConnection, source: str, scope: str, stream: str) -> StreamState:
    row = con.execute(
        "SELECT url, etag, bookmark FROM sync_state WHERE source = ? AND scope = ? AND stream = ?",
        [source, scope, stream]).fetchone()
    return StreamState(*row) if row else StreamState()


def save_state(con: duckdb.DuckDBPyConnection, source: str, scope: str, stream: str,
               state: StreamState) -> None:
    """Record `state` (within the caller's transaction)."""
    con.execute(UPSERT, {"source": source, "scope": scope, "stream": stream, "url": state.url,
                         "etag": state.etag, "bookmark": state.bookmark})


def clear_states(con: duckdb.DuckDBPyConnection, source: str) -> None:
    """Forget every bookmark and ETag of `source` (the next sync fetches everything again)."""
    con.execute("DELETE FROM sync_state WHERE source = ?", [source])
