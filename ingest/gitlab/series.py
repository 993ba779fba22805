"""The commits each production deployment shipped: the compare with its predecessor.

A series is one project and one environment, ordered by finish time (ties by numeric id), as
metrics.derive orders it. For each successful deployment after the first, the commits of
`GET /projects/:id/repository/compare?from=PREVIOUS_SHA&to=SHA` are stored (raw document kind
`compare`, key `from...to`) as commit records with their parents, and become the deployment's
explicit `commits`. The first of a series has no baseline and keeps `commits` unknown.
"""
from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Callable

import duckdb
import pandas as pd

from ingest.gitlab.client import project_path
from ingest.gitlab.mapping import SOURCE, map_commit
from ingest.gitlab.store import Page, write_page
from ingest.http import HttpClient
from ingest.raw import RawDocument

__all__ = ["sync_series", "compare_key"]

SUCCESSFUL = """
SELECT id, lower(environment) AS series, sha, commits
FROM deployments
WHERE source = $source AND repo = $repo AND status = 'success'
ORDER BY series, finished_at, TRY_CAST(id AS BIGINT), id
"""
STORED_COMPARES = """
SELECT key, json_extract_string(body, '$.commits[*].id') AS shas
FROM raw_documents WHERE source = $source AND scope = $repo AND kind = 'compare'
"""
UPDATE_COMMITS = """
UPDATE deployments SET commits = from_json(staged.commits, '["VARCHAR"]')
FROM series_staged AS staged
WHERE deployments.source = $source AND deployments.repo = $repo AND deployments.id = staged.id
"""


def compare_key(base: str, head: str) -> str:
    return f"{base}...{head}"


def _pairs(con: duckdb.DuckDBPyConnection, project: str) -> list[tuple[str, str | None, str, list | None]]:
    """(deployment id, previous sha or None, sha, stored commits) in series order."""
    pairs = []
    previous: tuple[str, str] | None = None
    for id_, series, sha, commits in con.execute(SUCCESSFUL, {"source": SOURCE, "repo": project}).fetchall():
        base = previous[1] if previous and previous[0] == series else None
        pairs.append((id_, base, sha, commits))
        previous = (series, sha)
    return pairs


def _fetch_compare(client: HttpClient, project: str, base: str, head: str) -> dict:
    response = client.get(project_path(project, "/repository/compare"), params={"from": base, "to": head})
    return {name: value for name, value in response.data.items() if name != "diffs"}


def sync_series(con: duckdb.DuckDBPyConnection, client: HttpClient, project: str,
                fetch: Callable[[HttpClient, str, str, str], dict] = _fetch_compare) -> Counter:
    """Fetch the compares the project's series lack (one transaction each), then set every
    successful deployment's `commits` from them. Returns the records written."""
    counts: Counter = Counter()
    stored = dict(con.execute(STORED_COMPARES, {"source": SOURCE, "repo": project}).fetchall())
    for _, base, head, _ in _pairs(con, project):
        if base is None or base == head or compare_key(base, head) in stored:
            continue
        body = fetch(client, project, base, head)
        records = [map_commit(project, item) for item in body.get("commits") or []]
        key = compare_key(base, head)
        counts.update(write_page(con, Page(project, documents=[RawDocument(project, "compare", key, body)],
                                           records=records)))
        stored[key] = [item["id"] for item in body.get("commits") or []]
    changed = []
    for id_, base, head, current in _pairs(con, project):
        if base is None:
            expected = None
        elif base == head:
            expected = []
        else:
            key = compare_key(base, head)
            expected = list(stored[key] or []) if key in stored else None
        if (list(current) if current is not None else None) != expected:
            changed.append((id_, json.dumps(expected) if expected is not None else None))
    if changed:
        con.register("series_staged", pd.DataFrame(changed, columns=["id", "commits"], dtype="object"))
        try:
            con.execute(UPDATE_COMMITS, {"source": SOURCE, "repo": project})
        finally:
            with contextlib.suppress(duckdb.Error):
                con.unregister("series_staged")
    return counts
