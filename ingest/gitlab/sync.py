"""`pitwall sync gitlab`: the projects' streams, page by page, each page one transaction.

Every list is read oldest change first (`order_by=updated_at&sort=asc&updated_after=BOOKMARK`),
so each page advances its stream's bookmark (the newest `updated_at` it holds) in the very
transaction that stores it. `updated_after` is inclusive: the items at the bookmark come back
on the next run and are recognised by their stored version (no sub-resources fetched again).
"""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

import duckdb

from ingest.gitlab import mapping
from ingest.gitlab.client import listed, pages, project_path
from ingest.gitlab.mapping import SOURCE
from ingest.gitlab.series import sync_series
from ingest.gitlab.store import Page, write_page
from ingest.http import HttpClient, NotFound, PermissionDenied, RequestStats
from ingest.page_errors import reading
from ingest.raw import RawDocument, document_markers
from ingest.repo_facts import store_repo_facts, tree_facts
from ingest.sync_log import logged_run
from ingest.sync_state import StreamState, load_state
from warehouse.models import _Record, parse_timestamp

__all__ = ["SOURCE", "GitlabSettings", "ProjectNotFound", "SyncSummary", "sync_gitlab"]


Progress = Callable[[str, int, int, Counter], None]


class ProjectNotFound(Exception):
    """A project or group named on the command line does not exist (or the token may not see it)."""


@dataclass(frozen=True)
class GitlabSettings:
    """`environments`: the production environment names, exactly as GitLab spells them."""

    environments: tuple[str, ...] = ("production",)
    since: datetime | None = None
    concurrency: int = 8


@dataclass(frozen=True)
class SyncSummary:
    projects: int
    seconds: float
    stats: RequestStats
    records: Counter = field(default_factory=Counter)

    def line(self) -> str:
        s = self.stats
        records = ", ".join(f"{count} {kind}" for kind, count in sorted(self.records.items())) or "nothing new"
        noun = "project" if self.projects == 1 else "projects"
        return (f"synced {self.projects} {noun} from GitLab in {self.seconds:.1f} s: {s.requests} requests, "
                f"{s.rate_limit_waits} rate-limit waits, {s.retries} retries; records: {records}")


def _newest(values: Sequence[str | None], current: str | None) -> str | None:
    """The newest of `values` and the bookmark `current`."""
    candidates = [v for v in (*values, current) if v]
    return max(candidates, key=parse_timestamp) if candidates else None


class ProjectSync:
    """The streams of one project."""

    def __init__(self, con: duckdb.DuckDBPyConnection, client: HttpClient, settings: GitlabSettings,
                 pool: ThreadPoolExecutor, project: str):
        self.con, self.client, self.settings, self.pool, self.project = con, client, settings, pool, project
        self.records: Counter = Counter()

    def run(self, document: dict[str, Any]) -> Counter:
        self._write(Page(self.project, documents=[RawDocument(self.project, "project", "project", document)],
                         records=[mapping.map_project(document)]))
        self._repository_facts(document.get("default_branch"))
        self._stream("merge_requests", "/merge_requests", {"state": "all"}, self._merge_requests)
        for environment in self.settings.environments:
            self._stream(f"deployments:{environment}", "/deployments", {"environment": environment},
                         self._deployments)
        self.records.update(sync_series(self.con, self.client, self.project))
        self._stream("pipelines", "/pipelines", {}, self._pipelines)
        self._stream("incidents", "/issues", {"issue_type": "incident", "state": "all", "scope": "all"},
                     self._incidents)
        return self.records

    def _repository_facts(self, branch: str | None) -> None:
        """One tree listing of the default branch -> the scorecards' repository facts.

        A listing that is refused or missing (no default branch, an empty repository: 404; no
        permission: 403) leaves the facts unknown; the sync goes on.
        """
        facts = None
        if branch:
            try:
                listing = pages(self.client, project_path(self.project, "/repository/tree"),
                                {"ref": branch, "recursive": "true", "per_page": 100})
                facts = tree_facts(entry["path"] for page in listing for entry in page if entry.get("type") == "blob")
            except (NotFound, PermissionDenied):
                facts = None
        store_repo_facts(self.con, self.project, SOURCE, facts)

    # --- the walk -------------------------------------------------------------------------

    def _write(self, page: Page) -> None:
        self.records.update(write_page(self.con, page))

    def _stream(self, stream: str, tail: str, params: dict[str, Any],
                build: Callable[[list[dict]], tuple[list[RawDocument], list[_Record], list[str]]]) -> None:
        """Walk one list from its bookmark; each page (documents, records) and the bookmark in one write."""
        state = load_state(self.con, SOURCE, self.project, stream)
        start = state.bookmark or (self.settings.since.isoformat() if self.settings.since else None)
        query = {**params, "order_by": "updated_at", "sort": "asc",
                 **({"updated_after": start} if start else {})}
        bookmark = state.bookmark
        for url, items in listed(self.client, project_path(self.project, tail), query):
            with reading(url):  # a page of the wrong shape: bad input from that URL, nothing of it written
                documents, records, reviewed = build(items)
                bookmark = _newest([item.get("updated_at") for item in items], bookmark)
                self._write(Page(self.project, documents=documents, records=records, reviewed=reviewed,
                                 states={stream: StreamState(bookmark=bookmark)}))

    def _changed(self, kind: str, items: list[dict]) -> list[dict]:
        """The items whose `updated_at` differs from the stored document's."""
        key = "iid" if kind == "merge_request" else "id"
        markers = document_markers(self.con, SOURCE, self.project, kind, [str(i[key]) for i in items])
        return [i for i in items if markers.get(str(i[key]), (None, None))[0] != i.get("updated_at")]

    # --- the streams ----------------------------------------------------------------------

    def _merge_request_parts(self, mr: dict) -> tuple[list[dict], list[dict]]:
        """An MR's commits and notes, each sub-page mapped where it is read: one of the wrong
        shape is bad input from its own URL (not the list page's)."""
        base = project_path(self.project, f"/merge_requests/{mr['iid']}")
        pull_request = mapping.merge_request_id(self.project, mr["iid"])
        commits: list[dict] = []
        for url, items in listed(self.client, base + "/commits"):
            with reading(url):
                for item in items:
                    mapping.map_commit(self.project, item, pull_request)
            commits += items
        notes: list[dict] = []
        for url, items in listed(self.client, base + "/notes", {"sort": "asc", "order_by": "created_at"}):
            with reading(url):  # as if the MR had no author: each person's first note is a review
                mapping.map_reviews(pull_request, None, items)
            notes += items
        return commits, notes

    def _merge_requests(self, items: list[dict]):
        changed = self._changed("merge_request", items)
        documents: list[RawDocument] = []
        records: list[_Record] = []
        reviewed: list[str] = []
        for mr, (commits, notes) in zip(changed, self.pool.map(self._merge_request_parts, changed)):
            key = str(mr["iid"])
            pull = mapping.map_merge_request(self.project, mr)
            documents += [RawDocument(self.project, "merge_request", key, mr, version=mr.get("updated_at")),
                          RawDocument(self.project, "merge_request_commits", key, commits),
                          RawDocument(self.project, "merge_request_notes", key, notes)]
            records += [pull, *(mapping.map_commit(self.project, c, pull.id) for c in commits),
                        *mapping.map_reviews(pull.id, pull.author, notes)]
            reviewed.append(pull.id)
        return documents, records, reviewed

    def _deployments(self, items: list[dict]):
        documents = [RawDocument(self.project, "deployment", str(d["id"]), d, version=d.get("updated_at"))
                     for d in items]
        records = [r for r in (mapping.map_deployment(self.project, d) for d in items) if r is not None]
        return documents, records, []

    def _pipeline_detail(self, pipeline: dict) -> dict:
        return self.client.get(project_path(self.project, f"/pipelines/{pipeline['id']}")).data

    def _pipelines(self, items: list[dict]):
        details = list(self.pool.map(self._pipeline_detail, self._changed("pipeline", items)))
        documents = [RawDocument(self.project, "pipeline", str(p["id"]), p, version=p.get("updated_at"))
                     for p in details]
        return documents, [mapping.map_pipeline(self.project, p) for p in details], []

    def _incidents(self, items: list[dict]):
        documents = [RawDocument(self.project, "incident", str(i["iid"]), i, version=i.get("updated_at"))
                     for i in items]
        records = [r for r in (mapping.map_incident(self.project, i) for i in items) if r is not None]
        return documents, records, []


# --- which projects ----------------------------------------------------------------------

def _project(client: HttpClient, project: str) -> dict[str, Any]:
    try:
        response = client.get(project_path(project))
    except NotFound as error:
        raise ProjectNotFound(f"project {project}: not found, or GITLAB_TOKEN may not read it "
                              f"(GET {error.url} answered 404)") from None
    with reading(response.url):  # checked here, where its URL is known
        mapping.map_project(response.data)
    return response.data


def _group_projects(client: HttpClient, group: str) -> list[dict[str, Any]]:
    path = f"/groups/{quote(group.strip('/'), safe='')}/projects"
    try:
        return [p for page in pages(client, path, {"include_subgroups": "true", "archived": "false"})
                for p in page if not p.get("archived")]
    except NotFound as error:
        raise ProjectNotFound(f"group {group}: not found, or GITLAB_TOKEN may not list its projects "
                              f"(GET {error.url} answered 404)") from None


def sync_gitlab(con: duckdb.DuckDBPyConnection, settings: GitlabSettings, client: HttpClient, *,
                projects: Sequence[str] = (), group: str | None = None,
                on_progress: Progress | None = None) -> SyncSummary:
    """Sync the projects (and those of `group`); the derived tables are the caller's to refresh."""
    started = time.monotonic()
    target = ", ".join([*([f"group:{group}"] if group else []), *projects])[:500]
    records: Counter = Counter()
    with logged_run(con, SOURCE, target, client, records):
        found = {p["path_with_namespace"]: p for p in (_group_projects(client, group) if group else [])}
        for name in projects:
            document = _project(client, name)
            found.setdefault(document["path_with_namespace"], document)
        with ThreadPoolExecutor(settings.concurrency, thread_name_prefix="gitlab-fetch") as pool:
            for done, (name, document) in enumerate(found.items(), start=1):
                counts = ProjectSync(con, client, settings, pool, name).run(document)
                records.update(counts)
                if on_progress:
                    on_progress(name, done, len(found), counts)
    return SyncSummary(len(found), time.monotonic() - started, client.stats, records)
