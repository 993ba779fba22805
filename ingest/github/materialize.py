"""Canonical rows from the raw store: the one path from GitHub JSON to the warehouse tables.

A sync stores raw documents and then materializes the entities they belong to, in the same
transaction; `pitwall rebuild` materializes every entity again. Both read the documents back
from raw_documents, so the canonical tables are always a function of the raw store and the
settings. Re-materializing an entity first removes the rows it produced before.

Commits are shared: a commit listed by a pull request is linked to it (to the lowest-numbered
pull request when several list it); a commit known only from a compare is stored unlinked and
never overwrites a linked one.

The tree listing gives no canonical record: it becomes the repository facts of the scorecards
(repo_tree_facts, through ingest/repo_facts.py), which a rebuild recomputes the same way.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import duckdb

from ingest.github import mapping
from ingest.github.settings import SOURCE, GithubSettings
from ingest.raw import RawDocument, load_documents
from ingest.repo_facts import delete_repo_facts, store_repo_facts, tree_facts
from warehouse.models import Commit
from warehouse.store import upsert_records

__all__ = ["materialize", "clear_canonical", "Documents", "KINDS", "CANONICAL_TABLES", "compare_commits"]

CANONICAL_TABLES = ("repos", "commits", "pull_requests", "reviews", "deployments", "incidents", "pipeline_runs")

LINKED_COMMITS = """
SELECT sha FROM commits WHERE source = $source AND repo = $repo AND list_contains($ids, pull_request)
"""
DELETE_LINKED_COMMITS = """
DELETE FROM commits WHERE source = $source AND repo = $repo AND list_contains($ids, pull_request)
"""
DELETE_REVIEWS = "DELETE FROM reviews WHERE source = $source AND list_contains($ids, pull_request)"
DELETE_BY_ID = "DELETE FROM {table} WHERE source = $source AND list_contains($ids, id)"
EXISTING_COMMITS = "SELECT sha, pull_request FROM commits WHERE repo = $repo AND list_contains($shas, sha)"
DOCUMENTS_MENTIONING = """
SELECT kind, key, CAST(body AS VARCHAR) FROM raw_documents
WHERE source = $source AND scope = $repo AND kind IN ('pull_commits', 'compare')
  AND regexp_matches(CAST(body AS VARCHAR), $pattern)
ORDER BY kind, key
"""

_ABSENT = object()


def compare_commits(body: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The commits of a stored compare document (none when GitHub could not compare)."""
    return [] if "unavailable" in body else list(body.get("commits") or [])


# --- commits ------------------------------------------------------------------------------

def _number(pull_request: str | None) -> float:
    number = mapping.pull_request_number(pull_request) if pull_request else None
    return number if number is not None else float("inf")


def _existing_links(con: duckdb.DuckDBPyConnection, repo: str, shas: list[str]) -> dict[str, str | None]:
    if not shas:
        return {}
    rows = con.execute(EXISTING_COMMITS, {"repo": repo, "shas": shas}).fetchall()
    return dict(rows)


def _write_linked_commits(con: duckdb.DuckDBPyConnection, repo: str, commits: Iterable[Commit]) -> int:
    """Write pull-request commits; a commit already linked to a lower-numbered pull request stays."""
    best: dict[str, Commit] = {}
    for commit in commits:
        held = best.get(commit.sha)
        if held is None or _number(commit.pull_request) < _number(held.pull_request):
            best[commit.sha] = commit
    existing = _existing_links(con, repo, list(best))
    keep = []
    for sha, commit in best.items():
        current = existing.get(sha, _ABSENT)
        if current is _ABSENT or current is None or _number(commit.pull_request) <= _number(current):
            keep.append(commit)
    upsert_records(con, keep)
    return len(keep)


def _insert_missing_commits(con: duckdb.DuckDBPyConnection, repo: str, commits: Iterable[Commit]) -> int:
    """Write commits known from a compare only where the warehouse lacks them."""
    fresh = {commit.sha: commit for commit in commits}
    existing = _existing_links(con, repo, list(fresh))
    keep = [commit for sha, commit in fresh.items() if sha not in existing]
    upsert_records(con, keep)
    return len(keep)


def _restore_commits(con: duckdb.DuckDBPyConnection, repo: str, shas: set[str]) -> int:
    """Commits a pull request no longer lists: keep them if another list or a compare has them."""
    pattern = "|".join(re.escape(sha) for sha in sorted(shas))
    linked: list[Commit] = []
    unlinked: list[Commit] = []
    for kind, key, body in con.execute(DOCUMENTS_MENTIONING,
                                       {"source": SOURCE, "repo": repo, "pattern": pattern}).fetchall():
        data = json.loads(body)
        if kind == "pull_commits":
            linked.extend(mapping.map_commit(repo, item, mapping.pull_request_id(repo, key))
                          for item in data if item["sha"] in shas)
        else:
            unlinked.extend(mapping.map_commit(repo, item) for item in compare_commits(data) if item["sha"] in shas)
    return _write_linked_commits(con, repo, linked) + _insert_missing_commits(con, repo, unlinked)


# --- one handler per kind of entity ---------------------------------------------------------

class Documents:
    """The raw documents of one repository: those of the batch being written (already parsed,
    in memory) first, else the stored ones."""

    def __init__(self, con: duckdb.DuckDBPyConnection, repo: str, fresh: Iterable[RawDocument] = ()):
        self.con = con
        self.repo = repo
        self._fresh = {(document.kind, document.key): document for document in fresh}

    def get(self, kind: str, keys: Iterable[str]) -> dict[str, RawDocument]:
        found: dict[str, RawDocument] = {}
        missing = []
        for key in keys:
            if (kind, key) in self._fresh:
                found[key] = self._fresh[(kind, key)]
            else:
                missing.append(key)
        found.update(load_documents(self.con, SOURCE, self.repo, kind, missing))
        return found


def _delete(con: duckdb.DuckDBPyConnection, table: str, ids: list[str]) -> None:
    con.execute(DELETE_BY_ID.format(table=table), {"source": SOURCE, "ids": ids})


def _upsert(con: duckdb.DuckDBPyConnection, records: Sequence[Any]) -> Counter:
    return Counter(upsert_records(con, records))


def _repos(con: duckdb.DuckDBPyConnection, settings: GithubSettings, raw: Documents, keys: list[str]) -> Counter:
    return _upsert(con, [mapping.map_repo(document.body) for document in raw.get("repo", keys).values()])


def _pulls(con: duckdb.DuckDBPyConnection, settings: GithubSettings, raw: Documents, numbers: list[str]) -> Counter:
    repo = raw.repo
    pulls, commit_lists, review_lists = (raw.get(kind, numbers) for kind in ("pull", "pull_commits", "pull_reviews"))
    ids = [mapping.pull_request_id(repo, number) for number in numbers]
    parameters = {"source": SOURCE, "repo": repo, "ids": ids}
    previously_linked = {row[0] for row in con.execute(LINKED_COMMITS, parameters).fetchall()}
    con.execute(DELETE_LINKED_COMMITS, parameters)
    con.execute(DELETE_REVIEWS, {"source": SOURCE, "ids": ids})
    _delete(con, "pull_requests", ids)
    records: list[Any] = []
    for number in numbers:
        if number in pulls:
            commits = commit_lists[number].body if number in commit_lists else []
            reviews = review_lists[number].body if number in review_lists else []
            records.extend(mapping.map_pull(repo, pulls[number].body, commits, reviews))
    commits = [record for record in records if isinstance(record, Commit)]
    counts = _upsert(con, [record for record in records if not isinstance(record, Commit)])
    counts["commit"] += _write_linked_commits(con, repo, commits)
    orphans = previously_linked - {commit.sha for commit in commits}
    if orphans:
        counts["commit"] += _restore_commits(con, repo, orphans)
    return counts


def _compares(con: duckdb.DuckDBPyConnection, settings: GithubSettings, raw: Documents, keys: list[str]) -> Counter:
    commits = [mapping.map_commit(raw.repo, item) for document in raw.get("compare", keys).values()
               for item in compare_commits(document.body)]
    return Counter({"commit": _insert_missing_commits(con, raw.repo, commits)})


def _deployments(con: duckdb.DuckDBPyConnection, settings: GithubSettings, raw: Documents, ids: list[str]) -> Counter:
    _delete(con, "deployments", ids)
    if settings.deployments_from != "deployments":
        return Counter()
    records = [mapping.map_deployment(raw.repo, d.body["deployment"], d.body["statuses"], settings.production_names)
               for d in raw.get("deployment", ids).values()]
    return _upsert(con, [record for record in records if record is not None])


def _release_sha(tag: RawDocument | None) -> str | None:
    if tag is None or "unavailable" in tag.body:
        return None
    return (tag.body.get("base_commit") or {}).get("sha")


def _releases(con: duckdb.DuckDBPyConnection, settings: GithubSettings, raw: Documents, ids: list[str]) -> Counter:
    _delete(con, "deployments", [f"release:{id_}" for id_ in ids])
    if settings.deployments_from != "releases":
        return Counter()
    releases = raw.get("release", ids)
    tags = raw.get("tag", [d.body["tag_name"] for d in releases.values()])
    records = [mapping.map_release(raw.repo, d.body, _release_sha(tags.get(d.body["tag_name"])),
                                   settings.release_environment) for d in releases.values()]
    return _upsert(con, [record for record in records if record is not None])


def _issues(con: duckdb.DuckDBPyConnection, settings: GithubSettings, raw: Documents, numbers: list[str]) -> Counter:
    _delete(con, "incidents", [f"{raw.repo}#{number}" for number in numbers])
    records = [mapping.map_issue(raw.repo, d.body, settings.incident_labels)
               for d in raw.get("issue", numbers).values()]
    return _upsert(con, [record for record in records if record is not None])


def _runs(con: duckdb.DuckDBPyConnection, settings: GithubSettings, raw: Documents, ids: list[str]) -> Counter:
    return _upsert(con, [mapping.map_workflow_run(raw.repo, d.body) for d in raw.get("workflow_run", ids).values()])


def _tree(con: duckdb.DuckDBPyConnection, settings: GithubSettings, raw: Documents, keys: list[str]) -> Counter:
    """The repository facts of the stored listing: unknown (None) when it was refused or missing;
    GitHub's `truncated` listing counts as far as it goes. Facts are no records: nothing counted."""
    for document in raw.get("tree", keys).values():
        body = document.body
        facts = None if "unavailable" in body else tree_facts(body["paths"])
        store_repo_facts(con, raw.repo, SOURCE, facts, listed_at=mapping.timestamp(body["listed_at"]))
    return Counter()


Handler = Callable[[duckdb.DuckDBPyConnection, GithubSettings, Documents, list[str]], Counter]

# Kinds of raw document that are entities, in materialization order (pull requests link their
# commits before compares add the unlinked ones; the result does not depend on it).
KINDS: dict[str, Handler] = {
    "repo": _repos,
    "pull": _pulls,
    "compare": _compares,
    "deployment": _deployments,
    "release": _releases,
    "issue": _issues,
    "workflow_run": _runs,
    "tree": _tree,
}


def materialize(con: duckdb.DuckDBPyConnection, settings: GithubSettings, repo: str,
                entities: Mapping[str, Iterable[str]], fresh: Iterable[RawDocument] = ()) -> Counter:
    """(Re)write the canonical rows of the given entities of `repo` (kind -> keys) from the raw
    documents (`fresh`: those just stored, spared a read back), within the caller's transaction.
    Returns the records written per type."""
    raw = Documents(con, repo, fresh)
    counts: Counter = Counter()
    for kind, handler in KINDS.items():
        keys = sorted(set(entities.get(kind, ())))
        if keys:
            counts.update(handler(con, settings, raw, keys))
    return counts


def clear_canonical(con: duckdb.DuckDBPyConnection) -> None:
    """Remove every canonical row GitHub produced, and its repository facts (before a rebuild)."""
    for table in CANONICAL_TABLES:
        con.execute(f"DELETE FROM {table} WHERE source = ?", [SOURCE])
    delete_repo_facts(con, SOURCE)
