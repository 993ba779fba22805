"""One transaction per page of a stream: raw documents, canonical records, the bookmark.

So a sync killed at any moment resumes from a bookmark that never runs ahead of what is
stored, and every page is written (and its memory freed) before the next one is read.
Commits are merged with the row already stored: a merge request's commit list knows the
merge request but not the parents, a compare knows the parents but not the merge request,
and neither may erase what the other wrote.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import duckdb

from ingest.gitlab.mapping import SOURCE
from ingest.raw import RawDocument, put_documents
from ingest.sync_state import StreamState, save_state
from warehouse.models import Commit, _Record
from warehouse.store import upsert_records
from warehouse.transaction import transaction

__all__ = ["Page", "write_page"]

STORED_COMMITS = "SELECT sha, parents, pull_request FROM commits WHERE repo = $repo AND list_contains($shas, sha)"
DELETE_REVIEWS = "DELETE FROM reviews WHERE source = $source AND list_contains($ids, pull_request)"


@dataclass
class Page:
    """What one transaction writes for one project."""

    project: str
    documents: list[RawDocument] = field(default_factory=list)
    records: list[_Record] = field(default_factory=list)
    reviewed: list[str] = field(default_factory=list)         # merge requests whose reviews are replaced
    states: dict[str, StreamState] = field(default_factory=dict)


def _merged_commits(con: duckdb.DuckDBPyConnection, project: str, commits: Sequence[Commit]) -> list[Commit]:
    """`commits` completed with the parents and merge-request link already stored."""
    if not commits:
        return []
    rows = con.execute(STORED_COMMITS, {"repo": project, "shas": [c.sha for c in commits]}).fetchall()
    stored = {sha: (parents, pull_request) for sha, parents, pull_request in rows}
    merged = []
    for commit in commits:
        parents, pull_request = stored.get(commit.sha, (None, None))
        merged.append(commit.model_copy(update={
            "parents": commit.parents or parents or None,
            "pull_request": commit.pull_request or pull_request,
        }))
    return merged


def write_page(con: duckdb.DuckDBPyConnection, page: Page) -> Counter:
    """Write `page` in one transaction; the records written per type."""
    commits = [r for r in page.records if isinstance(r, Commit)]
    others: Iterable[_Record] = [r for r in page.records if not isinstance(r, Commit)]
    with transaction(con):
        put_documents(con, SOURCE, page.documents)
        if page.reviewed:
            con.execute(DELETE_REVIEWS, {"source": SOURCE, "ids": page.reviewed})
        counts = Counter(upsert_records(con, [*_merged_commits(con, page.project, commits), *others]))
        for stream, state in page.states.items():
            save_state(con, SOURCE, page.project, stream, state)
    return counts
