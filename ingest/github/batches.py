"""A unit of sync work for the writer: raw documents, the entities they touch, stream states.

Worker threads fetch and build batches; the one writer thread applies each batch in a single
DuckDB transaction: raw documents stored, their entities materialized, then the stream states
the batch carries (bookmarks, ETags). So a bookmark is committed with the data it covers.
"""
from __future__ import annotations

from collections import Counter
from concurrent.futures import Future
from dataclasses import dataclass, field

import duckdb

from ingest.github.materialize import materialize
from ingest.github.series import refresh_series
from ingest.github.settings import SOURCE, GithubSettings
from ingest.raw import RawDocument, delete_documents, put_documents
from ingest.sync_state import StreamState, save_state
from warehouse.transaction import transaction

__all__ = ["Batch", "apply_batch"]


@dataclass
class Batch:
    """What to write for one repository in one transaction."""

    repo: str
    documents: list[RawDocument] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)     # (kind, key) documents to delete
    entities: dict[str, set[str]] = field(default_factory=dict)      # kind -> keys to materialize
    states: dict[str, StreamState] = field(default_factory=dict)     # stream -> state to save
    refresh_series: bool = False
    done: Future = field(default_factory=Future)                     # the records written, once committed

    def add(self, document: RawDocument, entity: str | None = None) -> None:
        """Store `document`; materialize the entity (kind) it belongs to, by the same key."""
        self.documents.append(document)
        self.touch(entity or document.kind, document.key)

    def drop(self, kind: str, key: str) -> None:
        """Delete a stored document and re-materialize its entity (now without it)."""
        self.dropped.append((kind, key))
        self.touch(kind, key)

    def touch(self, kind: str, key: str) -> None:
        self.entities.setdefault(kind, set()).add(key)

    def is_empty(self) -> bool:
        return not (self.documents or self.dropped or self.entities or self.states or self.refresh_series)


def apply_batch(con: duckdb.DuckDBPyConnection, settings: GithubSettings, batch: Batch) -> Counter:
    """Write `batch` in one transaction; returns the canonical records written per type."""
    with transaction(con):
        put_documents(con, SOURCE, batch.documents)
        dropped: dict[str, list[str]] = {}
        for kind, key in batch.dropped:
            dropped.setdefault(kind, []).append(key)
        for kind, keys in dropped.items():
            delete_documents(con, SOURCE, batch.repo, kind, keys)
        counts = materialize(con, settings, batch.repo, batch.entities, batch.documents)
        for stream, state in batch.states.items():
            save_state(con, SOURCE, batch.repo, stream, state)
        if batch.refresh_series:
            refresh_series(con, batch.repo)
    return counts
