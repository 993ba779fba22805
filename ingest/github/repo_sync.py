"""Fetching one repository: each stream walked newest first down to its bookmark, into batches.

Runs on a worker thread. It reads the warehouse only through the shared `Reader` (committed
data) and writes only by handing batches to the writer. Every stream's state goes in the batch
after its last data, so it is committed after (never before) the data it covers.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import duckdb

from ingest.github import mapping
from ingest.github.batches import Batch
from ingest.github.series import compare_key, missing_compares
from ingest.github.settings import SOURCE, GithubSettings
from ingest.github.streams import (
    COMPARE,
    DEPLOYMENT_STATUSES,
    DEPLOYMENTS,
    ISSUES,
    PULL,
    PULL_COMMITS,
    PULL_REVIEWS,
    PULLS,
    RELEASES,
    REPOSITORY,
    TREE,
    WORKFLOW_RUNS,
    Stream,
)
from ingest.http import HttpClient, ListResult, Response
from ingest.page_errors import reading
from ingest.raw import RawDocument, document_keys, document_markers, load_documents
from ingest.sync_state import StreamState, load_state

__all__ = ["Reader", "SyncContext", "RepoSync", "RECHECK_DAYS", "BASELINE_SCAN_LIMIT", "OVERLAP"]

T = TypeVar("T")

# Deployments without a success status are re-checked while younger than this, counted back
# from the newest deployment of their environment.
RECHECK_DAYS = 7
# With --since, how many deployments older than it are examined for a baseline at most.
BASELINE_SCAN_LIMIT = 100
# Compares fetched per batch.
COMPARES_PER_BATCH = 25
# Walks go this far below their bookmark: GitHub's lists are eventually consistent, so an item
# changed just before the newest one seen may show up late. Items in the overlap that did not
# change are recognised by their version and cost nothing.
OVERLAP = timedelta(minutes=5)

DEPLOYMENT_DOCUMENTS = """
SELECT key, etag, list_contains(json_extract_string(body, '$.statuses[*].state'), 'success') AS succeeded
FROM raw_documents
WHERE source = $source AND scope = $repo AND kind = 'deployment' AND list_contains($keys, key)
"""

UNDECIDED_DEPLOYMENTS = """
SELECT key FROM raw_documents
WHERE source = $source AND scope = $repo AND kind = 'deployment'
  AND json_extract_string(body, '$.deployment.environment') = $environment
  AND NOT list_contains(json_extract_string(body, '$.statuses[*].state'), 'success')
  AND CAST(json_extract_string(body, '$.deployment.created_at') AS TIMESTAMPTZ) >= $horizon
ORDER BY key
"""


class Reader:
    """Reads for worker threads: one cursor of its own, used by one thread at a time."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._cursor = con.cursor()
        self._lock = threading.Lock()

    def __call__(self, query: Callable[..., T], *args: Any) -> T:
        with self._lock:
            return query(self._cursor, *args)

    def close(self) -> None:
        self._cursor.close()


@dataclass
class SyncContext:
    """What every repository worker shares."""

    client: HttpClient
    settings: GithubSettings
    read: Reader
    submit: Callable[[Batch], Future]     # hand a batch to the writer
    fetch_pool: Executor                  # for the per-item requests (a page's pull requests, ...)


@dataclass
class _Walk:
    """One stream being walked: where its first page is, what bookmark it started from."""

    name: str
    first_url: str
    bookmark: datetime | None
    changed: bool = True
    first_etag: str | None = None
    newest: datetime | None = None

    def saw(self, marker: datetime) -> None:
        self.newest = marker if self.newest is None else max(self.newest, marker)

    def done_before(self, marker: datetime) -> bool:
        """True for items older than what the previous walks covered (less the overlap)."""
        return self.bookmark is not None and marker < self.bookmark - OVERLAP

    def next_bookmark(self) -> str | None:
        candidates = [moment for moment in (self.bookmark, self.newest) if moment is not None]
        return _iso(max(candidates)) if candidates else None


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _parse(value: str | None) -> datetime | None:
    return mapping.timestamp(value) if value else None


def _checked(stream: Stream, page: Response, context: Mapping[str, Any]) -> Any:
    """The records of a page, or its one record (post-processed) for a single-record stream:
    each an object, its order field a timestamp, and checked as the writer will map it
    (Stream.check). Anything else is BadPage naming the page's URL, before a batch holds it."""
    with reading(page.url):
        records = [page.data] if stream.single else stream.records(page.data)
        for record in records:
            if not isinstance(record, dict):
                raise TypeError(f"expected an object, got {type(record).__name__}")
            if stream.replication_key:
                mapping.timestamp(record[stream.replication_key])
            stream.check(record, context)
        return stream.post_process(page.data) if stream.single else records


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass
class RepoSync:
    """Fetch everything new of one repository (its repo document is already stored)."""

    ctx: SyncContext
    repo: str
    _submitted: list[Future] = field(default_factory=list)

    # --- plumbing ---------------------------------------------------------------------------

    @property
    def client(self) -> HttpClient:
        return self.ctx.client

    @property
    def settings(self) -> GithubSettings:
        return self.ctx.settings

    def _submit(self, batch: Batch) -> None:
        if not batch.is_empty():
            self._submitted.append(self.ctx.submit(batch))

    def _wait_for_writes(self) -> None:
        """Block until every batch handed over so far is committed (or raise its failure)."""
        for future in self._submitted:
            future.result()
        self._submitted.clear()

    def _get_all(self, stream: Stream, context: dict[str, Any], etag: str | None = None) -> ListResult:
        """Every record of a short list, each page checked; its ETag only when it fit on one page."""
        return self.client.get_all(stream.path_for(**context), params=stream.params, etag=etag,
                                   items=lambda page: _checked(stream, page, context))

    def _map(self, function: Callable[[Any], T], items: Iterable[Any]) -> list[T]:
        return list(self.ctx.fetch_pool.map(function, items))

    def _start(self, stream: Stream, name: str, extra: dict[str, Any] | None = None
               ) -> tuple[_Walk, Iterator[list[Any]]]:
        """Begin walking `stream`: its state, and an iterator over the records of each page.

        When the stream's order makes it safe, page one is asked for conditionally: a 304
        ends the walk at once (`changed` False) and leaves the state as it was.
        """
        params = {**stream.params, **(extra or {})}
        path = stream.path_for(repo=self.repo)
        state = self.ctx.read(load_state, SOURCE, self.repo, name)
        walk = _Walk(name, self.client.url(path, params), _parse(state.bookmark))
        etag = state.etag_for(walk.first_url) if stream.first_page_etag else None

        def pages() -> Iterator[list[Any]]:
            for number, page in enumerate(self.client.pages(path, params=params, etag=etag,
                                                            allow=stream.switched_off)):
                if page.not_modified or page.status in stream.switched_off:
                    walk.changed = False
                    return
                if number == 0:
                    walk.first_etag = page.etag
                yield _checked(stream, page, {"repo": self.repo})

        return walk, pages()

    def _finish(self, walk: _Walk, *, bookmark: str | None = None, etag: str | None | bool = True) -> None:
        """Commit the walk's state after everything it fetched (`etag` True: the first page's)."""
        if not walk.changed:
            return
        first_etag = walk.first_etag if etag is True else (etag or None)
        state = StreamState(url=walk.first_url, etag=first_etag, bookmark=bookmark or walk.next_bookmark())
        self._submit(Batch(self.repo, states={walk.name: state}))

    def _newer(self, items: list[dict], key: str, walk: _Walk) -> tuple[list[dict], bool]:
        """The items down to the bookmark (and --since); True when the walk can stop here."""
        since = self.settings.since
        kept = []
        for item in items:
            marker = mapping.timestamp(item[key])
            if walk.done_before(marker) or (since and marker < since):
                return kept, True
            walk.saw(marker)
            kept.append(item)
        return kept, False

    # --- the streams ------------------------------------------------------------------------

    def run(self) -> None:
        self.sync_pulls()
        if self.settings.deployments_from == "releases":
            self.sync_releases()
        else:
            self.sync_deployments()
        self.sync_compares()
        self.sync_issues()
        self.sync_workflow_runs()
        self.sync_tree()
        self._wait_for_writes()

    def sync_pulls(self) -> None:
        """Pull requests updated since the bookmark, each with its detail, commits and reviews."""
        walk, pages = self._start(PULLS, PULLS.name)
        for items in pages:
            fresh, stop = self._newer(items, PULLS.replication_key, walk)
            stored = self.ctx.read(document_markers, SOURCE, self.repo, "pull",
                                   [str(item["number"]) for item in fresh])
            todo = [item for item in fresh if stored.get(str(item["number"]), (None,))[0] != item["updated_at"]]
            if todo:
                self._submit(self._pull_batch(todo))
            if stop:
                break
        self._finish(walk)

    def _pull_batch(self, items: list[dict]) -> Batch:
        numbers = [str(item["number"]) for item in items]
        etags = {kind: self.ctx.read(document_markers, SOURCE, self.repo, kind, numbers)
                 for kind in (PULL_COMMITS.name, PULL_REVIEWS.name)}
        batch = Batch(self.repo)
        for documents in self._map(lambda item: self._fetch_pull(item, etags), items):
            for document in documents:
                batch.add(document, entity="pull")
        return batch

    def _fetch_pull(self, item: dict, etags: dict[str, dict[str, tuple]]) -> list[RawDocument]:
        number = str(item["number"])
        context = {"repo": self.repo, "number": number}
        detail = _checked(PULL, self.client.get(PULL.path_for(**context)), context)
        documents = [RawDocument(self.repo, PULL.name, number, detail, version=item["updated_at"])]
        for stream in (PULL_COMMITS, PULL_REVIEWS):
            etag = etags[stream.name].get(number, (None, None))[1]
            listed = self._get_all(stream, context, etag)
            if not listed.not_modified:
                documents.append(RawDocument(self.repo, stream.name, number, listed.items, etag=listed.etag))
        return documents

    # deployments ------------------------------------------------------------------------------

    def sync_deployments(self) -> None:
        """Production deployments and their statuses, one list per spelling of each name."""
        for environment in mapping.environment_variants(self.settings.environments):
            self._deployments_of(environment)

    def _deployments_of(self, environment: str) -> None:
        walk, pages = self._start(DEPLOYMENTS, f"{DEPLOYMENTS.name}:{environment}", {"environment": environment})
        since = self.settings.since
        seen: set[str] = set()
        baseline_found, older_scanned = False, 0
        for items in pages:
            known = self._deployment_documents([str(item["id"]) for item in items])
            todo, stop = [], False
            for item in items:
                created = mapping.timestamp(item["created_at"])
                if walk.done_before(created):
                    stop = True
                    break
                walk.saw(created)
                older = since is not None and created < since
                if older and (baseline_found or older_scanned >= BASELINE_SCAN_LIMIT):
                    stop = True
                    break
                key = str(item["id"])
                seen.add(key)
                succeeded, etag = known.get(key, (False, None))
                if older:
                    # Before --since only a baseline is wanted: the first success found ends the walk.
                    older_scanned += 1
                    baseline_found = self._baseline_candidate(item, succeeded, etag)
                elif not succeeded:
                    todo.append((item, etag))
            if todo:
                documents = self._map(lambda pair: self._fetch_deployment(*pair), todo)
                self._submit(self._batch_of([d for d in documents if d is not None]))
            if stop:
                break
        self._finish(walk)
        self._recheck_undecided(environment, walk, seen)

    def _baseline_candidate(self, deployment: dict, succeeded: bool, etag: str | None) -> bool:
        """Store a deployment from before --since; True when it succeeded (it is the baseline)."""
        if succeeded:
            return True
        document = self._fetch_deployment(deployment, etag)
        if document is None:
            return False
        self._submit(self._batch_of([document]))
        return _succeeded(document)

    def _deployment_documents(self, keys: list[str]) -> dict[str, tuple[bool, str | None]]:
        def query(cursor: duckdb.DuckDBPyConnection) -> dict[str, tuple[bool, str | None]]:
            rows = cursor.execute(DEPLOYMENT_DOCUMENTS, {"source": SOURCE, "repo": self.repo, "keys": keys})
            return {key: (bool(succeeded), etag) for key, etag, succeeded in rows.fetchall()}
        return self.ctx.read(query) if keys else {}

    def _fetch_deployment(self, deployment: dict, etag: str | None) -> RawDocument | None:
        """The deployment with its statuses; None when the statuses are unchanged (304)."""
        key = str(deployment["id"])
        statuses = self._get_all(DEPLOYMENT_STATUSES, {"repo": self.repo, "id": key}, etag)
        if statuses.not_modified:
            return None
        return RawDocument(self.repo, "deployment", key, {"deployment": deployment, "statuses": statuses.items},
                           etag=statuses.etag)

    def _batch_of(self, documents: Iterable[RawDocument]) -> Batch:
        batch = Batch(self.repo)
        for document in documents:
            batch.add(document)
        return batch

    def _recheck_undecided(self, environment: str, walk: _Walk, seen: set[str]) -> None:
        """Deployments stored without a success yet (pending, or failed so far) may have a new
        status: the list does not show it, so ask for their statuses again (conditionally)."""
        newest = walk.newest or walk.bookmark
        if newest is None:
            return
        horizon = newest - timedelta(days=RECHECK_DAYS)

        def query(cursor: duckdb.DuckDBPyConnection) -> list[str]:
            rows = cursor.execute(UNDECIDED_DEPLOYMENTS, {"source": SOURCE, "repo": self.repo,
                                                          "environment": environment, "horizon": horizon})
            return [row[0] for row in rows.fetchall() if row[0] not in seen]

        self._wait_for_writes()
        keys = self.ctx.read(query)
        if not keys:
            return
        stored = self.ctx.read(load_documents, SOURCE, self.repo, "deployment", keys)
        documents = self._map(lambda d: self._fetch_deployment(d.body["deployment"], d.etag), stored.values())
        self._submit(self._batch_of([d for d in documents if d is not None]))

    # releases -----------------------------------------------------------------------------------

    def sync_releases(self) -> None:
        """Every release (a short list, read whole so deleted releases go too), and the commit
        of each published release's tag."""
        path = RELEASES.path_for(repo=self.repo)
        state = self.ctx.read(load_state, SOURCE, self.repo, RELEASES.name)
        first_url = self.client.url(path, RELEASES.params)
        listed = self._get_all(RELEASES, {"repo": self.repo}, state.etag_for(first_url))
        if listed.not_modified:
            return
        batch = Batch(self.repo, states={RELEASES.name: StreamState(url=first_url, etag=listed.etag)})
        current = set()
        for release in listed.items:
            key = str(release["id"])
            current.add(key)
            batch.add(RawDocument(self.repo, "release", key, release, version=release.get("published_at")))
        for key in set(self.ctx.read(document_keys, SOURCE, self.repo, "release")) - current:
            batch.drop("release", key)
        tags = sorted({r["tag_name"] for r in listed.items if mapping.release_is_deployment(r)})
        stored = self.ctx.read(document_markers, SOURCE, self.repo, "tag", tags)
        for document in self._map(lambda tag: self._fetch_compare(tag, tag, kind="tag", key=tag),
                                  [tag for tag in tags if tag not in stored]):
            batch.documents.append(document)
        self._submit(batch)

    # compares -----------------------------------------------------------------------------------

    def sync_compares(self) -> None:
        """The compare of every consecutive pair of successful deployments not fetched yet, then
        each deployment's commits from them (always: a killed run may have left them stale)."""
        self._wait_for_writes()
        pairs = self.ctx.read(missing_compares, self.repo)
        for chunk in _chunks(pairs, COMPARES_PER_BATCH):
            documents = self._map(lambda pair: self._fetch_compare(*pair), chunk)
            self._submit(self._batch_of(documents))
        self._submit(Batch(self.repo, refresh_series=True))

    def _fetch_compare(self, base: str, head: str, *, kind: str = "compare", key: str | None = None) -> RawDocument:
        """GET /compare/{base}...{head}, every page of commits, without the file diffs.

        GitHub cannot compare a sha it no longer has (404) or unrelated histories (422): the
        document then records that, and the deployment's commits stay unknown.
        """
        context = {"repo": self.repo, "base": base, "head": head}
        body: dict[str, Any] | None = None
        for page in self.client.pages(COMPARE.path_for(**context), params=COMPARE.params, allow=(404, 422)):
            if page.status in (404, 422):
                message = page.data.get("message") if isinstance(page.data, dict) else None
                body = {"unavailable": {"status": page.status, "message": message}}
                break
            record = _checked(COMPARE, page, context)
            if body is None:
                body = record
            else:
                body["commits"].extend(record["commits"])
        return RawDocument(self.repo, kind, key or compare_key(base, head), body)

    # issues and workflow runs -------------------------------------------------------------------

    def sync_issues(self) -> None:
        """Issues updated since the bookmark; the label filter is applied here, in any case.

        Issues carrying no label at all are not kept (none can be an incident whatever the
        label setting); pull requests, which the issues list returns too, are skipped.
        """
        walk, pages = self._start(ISSUES, ISSUES.name)
        for items in pages:
            fresh, stop = self._newer(items, ISSUES.replication_key, walk)
            issues = [item for item in fresh if not mapping.is_pull_request_item(item)]
            stored = self.ctx.read(document_markers, SOURCE, self.repo, "issue",
                                   [str(item["number"]) for item in issues])
            batch = Batch(self.repo)
            for item in issues:
                key = str(item["number"])
                if item.get("labels"):
                    if stored.get(key, (None,))[0] != item["updated_at"]:
                        batch.add(RawDocument(self.repo, "issue", key, item, version=item["updated_at"]))
                elif key in stored:
                    batch.drop("issue", key)
            self._submit(batch)
            if stop:
                break
        self._finish(walk)

    def sync_workflow_runs(self) -> None:
        """Workflow runs created since the bookmark; a run still in progress holds the bookmark
        at its creation (and disables the conditional request) until it completes."""
        walk, pages = self._start(WORKFLOW_RUNS, WORKFLOW_RUNS.name)
        oldest_running: datetime | None = None
        for items in pages:
            fresh, stop = self._newer(items, WORKFLOW_RUNS.replication_key, walk)
            stored = self.ctx.read(document_markers, SOURCE, self.repo, "workflow_run",
                                   [str(item["id"]) for item in fresh])
            batch = Batch(self.repo)
            for item in fresh:
                key = str(item["id"])
                if item.get("status") != "completed":
                    created = mapping.timestamp(item["created_at"])
                    oldest_running = created if oldest_running is None else min(oldest_running, created)
                if stored.get(key, (None,))[0] != item.get("updated_at"):
                    batch.add(RawDocument(self.repo, "workflow_run", key, WORKFLOW_RUNS.post_process(item),
                                          version=item.get("updated_at")))
            self._submit(batch)
            if stop:
                break
        if oldest_running is not None:
            self._finish(walk, bookmark=_iso(oldest_running), etag=False)
        else:
            self._finish(walk)

    # the tree listing ------------------------------------------------------------------------------

    def sync_tree(self) -> None:
        """The default branch's paths, for the repository facts: one request, conditional once
        listed (an unchanged tree costs one 304). A refused or missing listing is stored as such
        (the facts become unknown) and asked for again next time; the sync goes on either way."""
        repository = next(iter(self.ctx.read(load_documents, SOURCE, self.repo, REPOSITORY.name).values()), None)
        branch = repository.body.get("default_branch") if repository else None
        if not branch:
            self._submit(self._tree_batch(None, {"unavailable": {"status": None, "message": "no default branch"}}))
            return
        path = TREE.path_for(repo=self.repo, ref=branch)
        url = self.client.url(path, TREE.params)
        state = self.ctx.read(load_state, SOURCE, self.repo, TREE.name)
        response = self.client.get(path, params=TREE.params, etag=state.etag_for(url), allow=TREE.refused)
        if response.not_modified:
            return
        if response.status in TREE.refused:
            message = response.data.get("message") if isinstance(response.data, dict) else None
            body = {"unavailable": {"status": response.status, "message": message}}
            self._submit(self._tree_batch(StreamState(url=url), body))
        else:
            body = _checked(TREE, response, {"repo": self.repo, "ref": branch})
            self._submit(self._tree_batch(StreamState(url=url, etag=response.etag), body, etag=response.etag))

    def _tree_batch(self, state: StreamState | None, body: dict[str, Any], etag: str | None = None) -> Batch:
        """The tree document, stamped with when it was listed (a rebuild keeps that time)."""
        body = {**body, "listed_at": _iso(datetime.now(UTC))}
        batch = Batch(self.repo, states={TREE.name: state} if state else {})
        batch.add(RawDocument(self.repo, TREE.name, TREE.name, body, etag=etag))
        return batch


def _succeeded(document: RawDocument) -> bool:
    outcome = mapping.deployment_outcome(document.body["statuses"])
    return outcome is not None and outcome[0] == "success"
