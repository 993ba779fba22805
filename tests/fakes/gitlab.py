"""A fake GitLab REST v4 API served over real HTTP on 127.0.0.1, for the tests and the bench.

Shaped like the recorded samples (our own builders): the project path URL-encoded as one
segment, offset pagination (`x-page`, `x-next-page`, `x-per-page`, `x-total` and `Link`),
`updated_after` (inclusive) with `order_by=updated_at&sort=asc|desc`, MR commits newest first
with an empty `parent_ids`, system notes, deployments with their `deployable` job, a compare over
the fake commit graph, pipeline lists without durations, incidents as issues of type incident.
Authentication is the `PRIVATE-TOKEN` header. Served with the faults of fakes.served; its
rate-limit answer (`reset`) is a 429 with RateLimit-Remaining 0 and RateLimit-Reset (an epoch).
"""
from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote, urlencode

import duckdb

from fakes.common import VirtualClock, client_options, iso, sha_of
from fakes.served import Answer, FakeServer, Served
from ingest.gitlab import GitlabSettings, SyncSummary, make_client, sync_gitlab
from metrics.settings import MetricsSettings
from pitwall.refresh import refresh_derived

__all__ = ["FakeGitLab", "FakeProject", "FakeGitLabServer", "TOKEN", "delivery_history", "sync_once", "encoded"]

TOKEN = "glpat-fake0token0for0tests"


def _user(username: str) -> dict[str, Any]:
    return {"id": int(sha_of(username)[:6], 16), "username": username, "name": username.title(),
            "state": "active", "avatar_url": None, "web_url": f"https://gitlab.example/{username}"}


class FakeProject:
    """One project's data, with builders shaped like the REST API's answers."""

    def __init__(self, path: str, number: int, *, archived: bool = False):
        self.path = path
        self.id = number
        self.archived = archived
        self.commits: dict[str, dict] = {}
        self.mrs: dict[int, dict] = {}
        self.mr_commits: dict[int, list[str]] = {}
        self.notes: dict[int, list[dict]] = {}
        self.deployments: list[dict] = []
        self.pipelines: dict[int, dict] = {}
        self.issues: list[dict] = []
        # The default branch's files (GET .../repository/tree); None: the listing answers 404.
        self.tree: list[str] | None = ["README.md", ".gitlab-ci.yml", "src/main.py"]
        self._note_id = number * 100_000

    def document(self) -> dict[str, Any]:
        namespace, _, name = self.path.rpartition("/")
        return {"id": self.id, "name": name, "path": name, "path_with_namespace": self.path,
                "namespace": {"full_path": namespace}, "default_branch": "main", "archived": self.archived,
                "web_url": f"https://gitlab.example/{self.path}", "visibility": "private",
                "created_at": "2020-01-01T00:00:00.000Z", "last_activity_at": "2024-01-01T00:00:00.000Z"}

    def commit(self, name: str, authored: datetime | str, parents: Sequence[str] = (), *,
               author: str = "dev") -> str:
        sha = sha_of(f"{self.path}:{name}")
        self.commits[sha] = {
            "id": sha, "short_id": sha[:8], "created_at": iso(authored), "title": f"Commit {name}",
            "message": f"Commit {name}\n", "author_name": author, "author_email": f"{author}@example.com",
            "authored_date": iso(authored), "committer_name": author, "committer_email": f"{author}@example.com",
            "committed_date": iso(authored), "trailers": {}, "web_url": f"https://gitlab.example/{self.path}",
            "parent_ids": [sha_of(f"{self.path}:{p}") for p in parents]}
        return sha

    def sha(self, name: str) -> str:
        return sha_of(f"{self.path}:{name}")

    def merge_request(self, iid: int, *, created: datetime | str, updated: datetime | str,
                      commits: Sequence[str] = (), merged: datetime | str | None = None,
                      merge_commit: str | None = None, squash_commit: str | None = None,
                      author: str = "dev", draft: bool = False, labels: Sequence[str] = (),
                      state: str | None = None) -> dict:
        mr = {"id": self.id * 1000 + iid, "iid": iid, "project_id": self.id, "title": f"MR {iid}",
              "state": state or ("merged" if merged else "opened"), "created_at": iso(created),
              "updated_at": iso(updated), "merged_at": iso(merged) if merged else None,
              "closed_at": None, "target_branch": "main", "source_branch": f"topic-{iid}",
              "author": _user(author), "labels": list(labels), "draft": draft, "work_in_progress": draft,
              "squash": squash_commit is not None,
              "merge_commit_sha": self.sha(merge_commit) if merge_commit else None,
              "squash_commit_sha": self.sha(squash_commit) if squash_commit else None,
              "sha": self.sha(commits[-1]) if commits else None,
              "web_url": f"https://gitlab.example/{self.path}/-/merge_requests/{iid}"}
        self.mrs[iid] = mr
        self.mr_commits[iid] = [self.sha(name) for name in commits]
        self.notes[iid] = []
        return mr

    def note(self, iid: int, author: str, created: datetime | str, body: str, *, system: bool = False) -> None:
        self._note_id += 1
        self.notes[iid].append({"id": self._note_id, "type": None, "body": body, "author": _user(author),
                                "created_at": iso(created), "updated_at": iso(created), "system": system,
                                "noteable_type": "MergeRequest", "noteable_iid": iid, "resolvable": False})

    def deployment(self, id: int, commit: str, *, created: datetime | str, finished: datetime | str | None,
                   status: str = "success", environment: str = "production",
                   updated: datetime | str | None = None) -> dict:
        deployment = {
            "id": id, "iid": len(self.deployments) + 1, "ref": "main", "sha": self.sha(commit),
            "created_at": iso(created), "updated_at": iso(updated or finished or created), "status": status,
            "user": _user("deployer"),
            "environment": {"id": 7, "name": environment, "slug": environment, "external_url": None},
            "deployable": {"id": id * 10, "status": status, "stage": "deploy", "name": "deploy", "ref": "main",
                           "created_at": iso(created), "started_at": iso(created),
                           "finished_at": iso(finished) if finished else None}}
        self.deployments.append(deployment)
        return deployment

    def pipeline(self, id: int, commit: str, *, created: datetime | str, finished: datetime | str | None,
                 status: str = "success", source: str = "push") -> dict:
        detail = {"id": id, "iid": id % 1000, "project_id": self.id, "sha": self.sha(commit), "ref": "main",
                  "status": status, "source": source, "created_at": iso(created),
                  "updated_at": iso(finished or created), "started_at": iso(created),
                  "finished_at": iso(finished) if finished else None,
                  "duration": None, "queued_duration": 1, "web_url": f"https://gitlab.example/p/{id}"}
        self.pipelines[id] = detail
        return detail

    def incident(self, iid: int, *, created: datetime | str, closed: datetime | str | None = None,
                 issue_type: str = "incident") -> dict:
        issue = {"id": self.id * 1000 + iid, "iid": iid, "project_id": self.id, "title": f"Incident {iid}",
                 "state": "closed" if closed else "opened", "created_at": iso(created),
                 "updated_at": iso(closed or created), "closed_at": iso(closed) if closed else None,
                 "labels": [], "issue_type": issue_type, "type": issue_type.upper(), "author": _user("oncall")}
        self.issues.append(issue)
        return issue

    # --- answers --------------------------------------------------------------------------

    def _ancestors(self, sha: str) -> set[str]:
        seen: set[str] = set()
        stack = [sha]
        while stack:
            current = stack.pop()
            if current in seen or current not in self.commits:
                continue
            seen.add(current)
            stack.extend(self.commits[current]["parent_ids"])
        return seen

    def compare(self, base: str, head: str) -> dict:
        shipped = self._ancestors(head) - self._ancestors(base)
        commits = sorted((self.commits[s] for s in shipped), key=lambda c: (c["committed_date"], c["id"]))
        return {"commit": commits[-1] if commits else None, "commits": commits,
                "diffs": [{"diff": "@@ -1 +1 @@"}], "compare_timeout": False, "compare_same_ref": base == head}


def _changed_since(items: list[dict], query: dict[str, str]) -> list[dict]:
    after = query.get("updated_after")
    if after:
        moment = datetime.fromisoformat(after)
        items = [i for i in items if datetime.fromisoformat(i["updated_at"]) >= moment]
    reverse = query.get("sort", "desc") == "desc"
    return sorted(items, key=lambda i: (i["updated_at"], i["id"]), reverse=reverse)


class FakeGitLab(Served):
    """The data and behaviour of the fake API."""

    prefix = "/api/v4"

    def __init__(self, *, token: str = TOKEN, page_size: int = 100, link: bool = True):
        super().__init__()
        self.token = token
        self.page_size = page_size
        self.link = link                   # send `Link` besides x-next-page
        self.projects: dict[str, FakeProject] = {}

    def project(self, path: str, **options: Any) -> FakeProject:
        self.projects[path] = FakeProject(path, len(self.projects) + 1, **options)
        return self.projects[path]

    def authorized(self, headers: Any) -> bool:
        return headers.get("PRIVATE-TOKEN") == self.token

    def rate_limited(self, seconds: float) -> dict[str, str]:
        return {"RateLimit-Remaining": "0", "RateLimit-Reset": str(int(time.time() + seconds))}

    def answer(self, path: str, query: list[tuple[str, str]], host: str) -> Answer:
        params = dict(query)
        status, body, paginated = self.route(path, params)
        headers = {"RateLimit-Limit": "2000", "RateLimit-Remaining": "1999"}
        if status == 200 and paginated:
            body, more = self._page(body, host + path, params)
            headers.update(more)
        return status, body, headers

    def _page(self, items: list, url: str, query: dict[str, str]) -> tuple[list, dict[str, str]]:
        per_page = min(int(query.get("per_page", 20)), 100, self.page_size)
        page = int(query.get("page", 1))
        last = max(1, -(-len(items) // per_page))
        following = str(page + 1) if page < last else ""
        headers = {"x-page": str(page), "x-per-page": str(per_page), "x-next-page": following,
                   "x-total": str(len(items)), "x-total-pages": str(last)}
        if self.link and following:
            headers["Link"] = f'<{url}?{urlencode({**query, "page": following})}>; rel="next"'
        return items[(page - 1) * per_page:page * per_page], headers

    def route(self, path: str, query: dict[str, str]) -> tuple[int, Any, bool]:
        """(status, body, paginated) for a path with its segments still encoded."""
        parts = [unquote(p) for p in path.strip("/").split("/")]
        if parts[:1] == ["groups"] and len(parts) == 3 and parts[2] == "projects":
            found = [p.document() for p in self.projects.values() if p.path.startswith(parts[1] + "/")]
            return (200, found, True) if found else (404, {"message": "404 Group Not Found"}, False)
        if parts[:1] != ["projects"] or len(parts) < 2 or parts[1] not in self.projects:
            return 404, {"message": "404 Project Not Found"}, False
        project, rest = self.projects[parts[1]], parts[2:]
        if not rest:
            return 200, project.document(), False
        if rest == ["merge_requests"]:
            return 200, _changed_since(list(project.mrs.values()), query), True
        if rest[0] == "merge_requests" and len(rest) == 3 and int(rest[1]) in project.mrs:
            iid = int(rest[1])
            if rest[2] == "commits":
                items = [{**project.commits[s], "parent_ids": []} for s in reversed(project.mr_commits[iid])]
                return 200, items, True
            if rest[2] == "notes":
                return 200, project.notes[iid], True
        if rest == ["deployments"]:
            wanted = [d for d in project.deployments if d["environment"]["name"] == query.get("environment")]
            return 200, _changed_since(wanted, query), True
        if rest == ["repository", "tree"]:
            if project.tree is None or query.get("ref") != "main":
                return 404, {"message": "404 Tree Not Found"}, False
            return 200, [{"path": p, "type": "blob", "name": p.rsplit("/", 1)[-1]}
                         for p in project.tree], True
        if rest == ["repository", "compare"]:
            return 200, project.compare(query["from"], query["to"]), False
        if rest == ["pipelines"]:
            listed = [{k: v for k, v in p.items() if k not in ("started_at", "finished_at", "duration")}
                      for p in project.pipelines.values()]
            return 200, _changed_since(listed, query), True
        if rest[0] == "pipelines" and len(rest) == 2 and int(rest[1]) in project.pipelines:
            return 200, project.pipelines[int(rest[1])], False
        if rest == ["issues"]:
            wanted = [i for i in project.issues if query.get("issue_type") in (None, i["issue_type"])]
            return 200, _changed_since(wanted, query), True
        return 404, {"message": "404 Not Found"}, False


class FakeGitLabServer(FakeServer):
    """Serve a FakeGitLab on 127.0.0.1 under /api/v4 while the `with` block runs."""

    def __init__(self, gitlab: FakeGitLab):
        super().__init__(gitlab)
        self.gitlab = gitlab


def encoded(path: str) -> str:
    """A project path as it appears in request URLs."""
    return quote(path, safe="")


# --- a standard project history, and a sync run in this process -------------------------------

def _march(day: int, hour: int = 0) -> datetime:
    return datetime(2024, 3, day, hour, tzinfo=UTC)


def delivery_history(gitlab: FakeGitLab, path: str, offset: int = 0) -> FakeProject:
    """Three squash-merged MRs (MR n: branch commit bn authored day n+1 08:00, squash commit cn
    at 12:00, reviewed by `rev`), deployments 100 (c0, Mar 1 10:00), 101 (c1, Mar 3 10:00), 102
    failed (c2, Mar 4 09:00), 103 (c3, Mar 5 10:00), 104 still running, 105 cancelled, a staging
    deployment 106; pipelines 900 (success, 5 min) and 901 (failed); incident issue 1 opened Mar 5
    12:00, closed 15:00, and an ordinary issue 2. Ids are offset by `offset` (global ids in GitLab).
    """
    project = gitlab.project(path)
    project.commit("c0", _march(1))
    for n in (1, 2, 3):
        project.commit(f"b{n}", _march(n + 1, 8), [f"c{n - 1}"], author="dev")
        project.commit(f"c{n}", _march(n + 1, 12), [f"c{n - 1}"], author="dev")
        project.merge_request(n, created=_march(n + 1, 7), updated=_march(n + 1, 12), commits=[f"b{n}"],
                              merged=_march(n + 1, 12), squash_commit=f"c{n}", labels=["backend"])
        project.note(n, "dev", _march(n + 1, 7), "assigned to @rev", system=True)
        project.note(n, "dev", _march(n + 1, 8), "ready for a look")
        project.note(n, "rev", _march(n + 1, 9), "looks fine, one nit")
        project.note(n, "rev", _march(n + 1, 10), "left a second comment")
        project.note(n, "rev", _march(n + 1, 11), "approved this merge request", system=True)
    project.merge_request(4, created=_march(6, 7), updated=_march(6, 8), commits=[], author="dev", draft=True)
    project.deployment(offset + 100, "c0", created=_march(1, 9), finished=_march(1, 10))
    project.deployment(offset + 101, "c1", created=_march(3, 9), finished=_march(3, 10))
    project.deployment(offset + 102, "c2", created=_march(4, 8), finished=_march(4, 9), status="failed")
    project.deployment(offset + 103, "c3", created=_march(5, 9), finished=_march(5, 10))
    project.deployment(offset + 104, "c3", created=_march(6, 9), finished=None, status="running")
    project.deployment(offset + 105, "c3", created=_march(6, 10), finished=_march(6, 11), status="canceled")
    project.deployment(offset + 106, "c3", created=_march(5, 8), finished=_march(5, 9), environment="staging")
    project.pipeline(offset + 900, "c1", created=_march(2, 12), finished=datetime(2024, 3, 2, 12, 5, tzinfo=UTC))
    project.pipeline(offset + 901, "c2", created=_march(3, 12), finished=_march(3, 13), status="failed",
                     source="merge_request_event")
    project.incident(1, created=_march(5, 12), closed=_march(5, 15))
    project.incident(2, created=_march(5, 13), issue_type="issue")
    return project


def sync_once(con: duckdb.DuckDBPyConnection, server: FakeGitLabServer, projects: Sequence[str] = (), *,
              group: str | None = None, clock: VirtualClock | None = None, notices: list[str] | None = None,
              token: str = TOKEN, since: datetime | None = None) -> SyncSummary:
    """One `sync gitlab` run against the fake on a virtual clock, then the derived tables."""
    with make_client(server.url, token, **client_options(clock, notices)) as client:
        summary = sync_gitlab(con, GitlabSettings(since=since), client, projects=list(projects), group=group)
    refresh_derived(con, MetricsSettings())
    return summary
