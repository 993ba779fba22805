"""A fake GitHub REST API served over real HTTP on 127.0.0.1 (fakes.served), for the tests and the bench.

`FakeGitHub` holds the data (built with `FakeRepo`'s small builders) and the injected faults;
`FakeGitHubServer` serves it. Responses are shaped like the recorded samples of PROVIDERS.md
(our own builders, not the recordings): `Link` pagination with absolute URLs, weak ETags and 304s,
rate-limit headers, pull requests in the issues list, exact-case `environment` filtering, a
compare over the fake commit graph, a recursive tree listing of the default branch (or an error
for one repository: `tree_status`), 301 for a renamed repository, 404 outside the API root.

Faults: those of fakes.served, with GitHub's messages, and GitHub's own: the primary rate limit
(`primary_limit`: 403, remaining 0, reset) and the secondary rate limit (`secondary_limit`: 403
with a message).
"""
from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlencode

import duckdb

from fakes.common import VirtualClock, client_options, iso, sha_of
from fakes.served import Answer, FakeServer, Fault, Served
from ingest.github import GithubSettings, SyncSummary, make_client, sync_github
from ingest.http import HttpClient
from metrics.settings import MetricsSettings
from pitwall.refresh import refresh_derived

__all__ = ["FakeGitHub", "FakeRepo", "FakeGitHubServer", "TOKEN", "settings_for", "fake_client", "sync_once",
           "delivery_history"]

TOKEN = "ghp_fake0token0for0tests0only0000000000"
DOCS = "https://docs.github.com/rest"
RATE_LIMIT = 5000


def _stable_id(*parts: object) -> int:
    """A numeric id that is the same in every fake built the same way."""
    return int(hashlib.md5(repr(parts).encode()).hexdigest()[:8], 16)


def _user(login: str) -> dict[str, Any]:
    number = int(hashlib.md5(login.encode()).hexdigest()[:6], 16)
    return {"login": login, "id": number, "node_id": f"U_{number}", "avatar_url": f"https://avatars.example/u/{number}",
            "gravatar_id": "", "url": f"https://api.github.com/users/{login}", "html_url": f"https://github.com/{login}",
            "type": "User", "site_admin": False}


def _label(name: str) -> dict[str, Any]:
    number = int(hashlib.md5(name.encode()).hexdigest()[:6], 16)
    return {"id": number, "node_id": f"LA_{number}", "url": f"https://api.github.com/labels/{name}",
            "name": name, "color": "d73a4a", "default": False, "description": None}


class FakeRepo:
    """One repository's data, with builders that shape it like the REST API returns it."""

    def __init__(self, github: FakeGitHub, full_name: str, *, default_branch: str | None = "main",
                 archived: bool = False, fork: bool = False, has_issues: bool = True):
        self.github = github
        self.full_name = full_name
        self.owner, self.name = full_name.split("/")
        self.default_branch = default_branch
        self.archived = archived
        self.fork = fork
        self.has_issues = has_issues
        self.id = _stable_id(full_name)
        self.commits: dict[str, dict] = {}
        self.pulls: dict[int, dict] = {}
        self.pull_commits: dict[int, list[str]] = {}
        self.reviews: dict[int, list[dict]] = {}
        self.deployments: dict[int, dict] = {}
        self.statuses: dict[int, list[dict]] = {}
        self.issues: dict[int, dict] = {}
        self.runs: dict[int, dict] = {}
        self.releases: dict[int, dict] = {}
        self.tags: dict[str, str] = {}
        self.files: list[str] = []               # the default branch's files (paths), for the tree
        self.tree_status: int | None = None      # answer the tree with this error (409: empty repository)
        self.tree_truncated = False              # the tree listing says it was cut short

    # --- shapes ---------------------------------------------------------------------------

    @property
    def api(self) -> str:
        return f"https://api.github.com/repos/{self.full_name}"

    def document(self) -> dict[str, Any]:
        return {
            "id": self.id, "node_id": f"R_{self.id}", "name": self.name, "full_name": self.full_name,
            "private": True, "owner": _user(self.owner), "html_url": f"https://github.com/{self.full_name}",
            "description": None, "fork": self.fork, "url": self.api, "archived": self.archived,
            "has_issues": self.has_issues,
            "disabled": False, "visibility": "private", "default_branch": self.default_branch,
            "created_at": "2020-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z",
            "pushed_at": "2024-01-01T00:00:00Z", "language": "Python", "forks_count": 0,
            "open_issues_count": 0, "topics": [],
        }

    def _commit_item(self, sha: str, name: str, authored: str, committed: str, parents: Sequence[str],
                     message: str, author: str) -> dict[str, Any]:
        return {
            "sha": sha, "node_id": f"C_{sha[:12]}", "url": f"{self.api}/commits/{sha}",
            "html_url": f"https://github.com/{self.full_name}/commit/{sha}",
            "comments_url": f"{self.api}/commits/{sha}/comments",
            "commit": {
                "author": {"name": author.title(), "email": f"{author}@example.com", "date": authored},
                "committer": {"name": "GitHub", "email": "noreply@github.com", "date": committed},
                "message": message, "tree": {"sha": sha_of(f"tree:{sha}"), "url": f"{self.api}/git/trees/x"},
                "url": f"{self.api}/git/commits/{sha}", "comment_count": 0,
                "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None},
            },
            "author": _user(author), "committer": _user("web-flow"),
            "parents": [{"sha": p, "url": f"{self.api}/commits/{p}",
                         "html_url": f"https://github.com/{self.full_name}/commit/{p}"} for p in parents],
        }

    # --- builders -------------------------------------------------------------------------

    def commit(self, name: str, authored: datetime | str, parents: Sequence[str] = (), *,
               committed: datetime | str | None = None, message: str | None = None, author: str = "dev") -> str:
        """Add a commit named `name` (parents are names too); returns its sha."""
        sha = sha_of(name)
        self.commits[sha] = self._commit_item(sha, name, iso(authored), iso(committed or authored),
                                              [sha_of(p) for p in parents], message or f"Commit {name}", author)
        return sha

    def pull(self, number: int, *, created: datetime | str, commits: Sequence[str] = (),
             title: str | None = None, merged: datetime | str | None = None, merge_commit: str | None = None,
             closed: datetime | str | None = None, updated: datetime | str | None = None,
             labels: Sequence[str] = (), draft: bool = False, author: str = "dev", base: str = "main",
             additions: int = 10, deletions: int = 2, reviews: Sequence[tuple] = ()) -> dict:
        """Add a pull request listing the named `commits`; `merge_commit` names its merge or squash
        commit (before merge the fake still shows a test merge sha, as GitHub does).
        `reviews` are (state, submitted_at, reviewer) with GitHub's upper-case states."""
        closed = closed or merged
        stamps = [iso(t) for t in (created, merged, closed, updated) if t is not None]
        stamps += [iso(submitted) for _, submitted, *_ in reviews if submitted is not None]
        head = sha_of(commits[-1]) if commits else sha_of(f"head:{number}")
        merge_sha = sha_of(merge_commit) if merge_commit else sha_of(f"test-merge:{self.full_name}#{number}")
        url = f"{self.api}/pulls/{number}"
        self.pulls[number] = {
            "url": url, "id": _stable_id(self.full_name, "pull", number), "node_id": f"PR_{number}",
            "html_url": f"https://github.com/{self.full_name}/pull/{number}",
            "diff_url": f"https://github.com/{self.full_name}/pull/{number}.diff",
            "patch_url": f"https://github.com/{self.full_name}/pull/{number}.patch",
            "issue_url": f"{self.api}/issues/{number}", "number": number,
            "state": "closed" if closed else "open", "locked": False, "title": title or f"Change {number}",
            "user": _user(author), "body": "", "labels": [_label(name) for name in labels], "milestone": None,
            "active_lock_reason": None, "created_at": iso(created),
            "updated_at": iso(updated) if updated else max(stamps),
            "closed_at": iso(closed) if closed else None, "merged_at": iso(merged) if merged else None,
            "merge_commit_sha": merge_sha, "assignee": None, "assignees": [], "requested_reviewers": [],
            "requested_teams": [], "draft": draft, "commits_url": f"{url}/commits",
            "review_comments_url": f"{url}/comments", "review_comment_url": f"{self.api}/pulls/comments{{/number}}",
            "comments_url": f"{self.api}/issues/{number}/comments", "statuses_url": f"{self.api}/statuses/{head}",
            "head": {"label": f"{self.owner}:feature-{number}", "ref": f"feature-{number}", "sha": head,
                     "user": _user(self.owner), "repo": self.document()},
            "base": {"label": f"{self.owner}:{base}", "ref": base, "sha": sha_of(f"base:{number}"),
                     "user": _user(self.owner), "repo": self.document()},
            "_links": {"self": {"href": url}}, "author_association": "MEMBER", "auto_merge": None,
            # Detail-only fields, removed from the list shape by the server:
            "merged": merged is not None, "mergeable": None, "rebaseable": None, "mergeable_state": "unknown",
            "merged_by": _user("maintainer") if merged else None, "comments": 0, "review_comments": 0,
            "maintainer_can_modify": False, "commits": len(commits), "additions": additions,
            "deletions": deletions, "changed_files": 3,
        }
        self.pull_commits[number] = [sha_of(name) for name in commits]
        self.reviews[number] = [
            {"id": _stable_id(self.full_name, "review", number, index), "node_id": "PRR_x", "user": _user(reviewer),
             "body": "", "state": state,
             "html_url": f"https://github.com/{self.full_name}/pull/{number}#review",
             "pull_request_url": url, "author_association": "MEMBER", "_links": {},
             "submitted_at": iso(submitted) if submitted is not None else None, "commit_id": head}
            for index, (state, submitted, reviewer) in enumerate(r if len(r) == 3 else (*r, "reviewer")
                                                                  for r in reviews)]
        return self.pulls[number]

    def deployment(self, id: int, commit: str, *, created: datetime | str, environment: str = "production",
                   statuses: Sequence[tuple[str, datetime | str]] = ()) -> dict:
        """Add a deployment of the commit named `commit`, with (state, created_at) statuses."""
        sha = sha_of(commit)
        self.deployments[id] = {
            "url": f"{self.api}/deployments/{id}", "id": id, "node_id": f"DE_{id}", "sha": sha, "ref": sha,
            "task": "deploy", "payload": {}, "original_environment": environment, "environment": environment,
            "description": None, "creator": _user("deployer"), "created_at": iso(created),
            "updated_at": iso(created), "statuses_url": f"{self.api}/deployments/{id}/statuses",
            "repository_url": self.api, "transient_environment": False,
            "production_environment": environment.lower() in ("production", "prod", "prd"),
            "performed_via_github_app": None,
        }
        self.statuses[id] = []
        for state, moment in statuses:
            self.add_status(id, state, moment)
        return self.deployments[id]

    def add_status(self, deployment: int, state: str, created: datetime | str) -> None:
        """A new status of a deployment (the deployments list itself does not change)."""
        status_id = _stable_id(self.full_name, "status", deployment, len(self.statuses[deployment]))
        self.statuses[deployment].append({
            "url": f"{self.api}/deployments/{deployment}/statuses/{status_id}", "id": status_id,
            "node_id": f"DES_{status_id}", "state": state, "creator": _user("deployer"),
            "description": f"Deployment {state}", "environment": self.deployments[deployment]["environment"],
            "target_url": "", "created_at": iso(created), "updated_at": iso(created),
            "deployment_url": f"{self.api}/deployments/{deployment}", "repository_url": self.api,
            "environment_url": "", "log_url": "", "performed_via_github_app": None,
        })

    def issue(self, number: int, *, created: datetime | str, closed: datetime | str | None = None,
              labels: Sequence[str] = (), title: str | None = None, updated: datetime | str | None = None) -> dict:
        """Add an issue (pull requests show up in the issues list on their own)."""
        stamps = [iso(t) for t in (created, closed, updated) if t is not None]
        self.issues[number] = {
            "url": f"{self.api}/issues/{number}", "repository_url": self.api,
            "labels_url": f"{self.api}/issues/{number}/labels{{/name}}",
            "comments_url": f"{self.api}/issues/{number}/comments", "events_url": f"{self.api}/issues/{number}/events",
            "html_url": f"https://github.com/{self.full_name}/issues/{number}",
            "id": _stable_id(self.full_name, "issue", number),
            "node_id": f"I_{number}", "number": number, "title": title or f"Issue {number}", "user": _user("oncall"),
            "labels": [_label(name) for name in labels], "state": "closed" if closed else "open", "locked": False,
            "assignee": None, "assignees": [], "milestone": None, "comments": 0, "created_at": iso(created),
            "updated_at": iso(updated) if updated else max(stamps), "closed_at": iso(closed) if closed else None,
            "author_association": "MEMBER", "active_lock_reason": None, "body": "",
            "state_reason": "completed" if closed else None,
        }
        return self.issues[number]

    def run(self, id: int, *, created: datetime | str, updated: datetime | str, name: str = "CI",
            status: str = "completed", conclusion: str | None = "success", attempt: int = 1,
            commit: str = "main-head", branch: str = "main", event: str = "push",
            started: datetime | str | None = None) -> dict:
        """Add a workflow run."""
        self.runs[id] = {
            "id": id, "name": name, "node_id": f"WFR_{id}", "head_branch": branch, "head_sha": sha_of(commit),
            "path": ".github/workflows/ci.yml", "display_title": name, "run_number": id % 10_000,
            "event": event, "status": status, "conclusion": conclusion if status == "completed" else None,
            "workflow_id": 42, "check_suite_id": id + 1, "url": f"{self.api}/actions/runs/{id}",
            "html_url": f"https://github.com/{self.full_name}/actions/runs/{id}", "pull_requests": [],
            "created_at": iso(created), "updated_at": iso(updated), "actor": _user("dev"), "run_attempt": attempt,
            "referenced_workflows": [], "run_started_at": iso(started or created),
            "triggering_actor": _user("dev"), "jobs_url": f"{self.api}/actions/runs/{id}/jobs",
            "previous_attempt_url": None, "head_commit": {"id": sha_of(commit), "message": "x"},
            "repository": {"id": self.id, "full_name": self.full_name},
        }
        return self.runs[id]

    def release(self, id: int, tag: str, commit: str, *, published: datetime | str | None,
                draft: bool = False, prerelease: bool = False, created: datetime | str | None = None) -> dict:
        """Add a release of tag `tag` on the commit named `commit`."""
        self.tags[tag] = sha_of(commit)
        self.releases[id] = {
            "url": f"{self.api}/releases/{id}", "assets_url": f"{self.api}/releases/{id}/assets",
            "html_url": f"https://github.com/{self.full_name}/releases/tag/{tag}", "id": id,
            "tag_name": tag, "target_commitish": self.default_branch, "name": tag, "draft": draft,
            "author": _user("releaser"), "prerelease": prerelease,
            "created_at": iso(created or published or "2020-01-01T00:00:00Z"),
            "published_at": iso(published) if published else None, "assets": [], "body": "",
        }
        return self.releases[id]

    # --- reading, as the API does -----------------------------------------------------------

    def _ancestors(self, sha: str) -> list[str]:
        """`sha` and every ancestor the fake knows, nearest first."""
        found, queue = [sha], [sha]
        seen = {sha}
        while queue:
            for parent in self.commits.get(queue.pop(0), {}).get("parents", []):
                if parent["sha"] not in seen:
                    seen.add(parent["sha"])
                    found.append(parent["sha"])
                    queue.append(parent["sha"])
        return found

    def resolve(self, ref: str) -> str | None:
        """A sha or tag name -> the sha of a known commit."""
        ref = self.tags.get(ref, ref)
        return ref if ref in self.commits else None

    def compare(self, base: str, head: str) -> dict | None:
        base_sha, head_sha = self.resolve(base), self.resolve(head)
        if base_sha is None or head_sha is None:
            return None
        from_head, from_base = self._ancestors(head_sha), self._ancestors(base_sha)
        base_set, head_set = set(from_base), set(from_head)
        ahead = [sha for sha in from_head if sha not in base_set]
        behind = [sha for sha in from_base if sha not in head_set]
        ahead.sort(key=lambda sha: (self.commits[sha]["commit"]["committer"]["date"], sha))
        merge_base = next((sha for sha in from_head if sha in base_set), None)
        status = ("identical" if not ahead and not behind else "ahead" if not behind
                  else "behind" if not ahead else "diverged")
        return {
            "url": f"{self.api}/compare/{base}...{head}", "html_url": f"https://github.com/{self.full_name}/compare",
            "permalink_url": f"https://github.com/{self.full_name}/compare/{base_sha}...{head_sha}",
            "base_commit": self.commits[base_sha],
            "merge_base_commit": self.commits.get(merge_base) if merge_base else None,
            "status": status, "ahead_by": len(ahead), "behind_by": len(behind), "total_commits": len(ahead),
            "commits": [self.commits[sha] for sha in ahead],
            "files": [{"filename": "app.py", "status": "modified", "additions": 1, "deletions": 0,
                       "patch": "@@ -1 +1 @@"}],
        }

    def tree(self, ref: str) -> tuple[int, dict]:
        """GET git/trees/{ref}?recursive=1: every file (a blob) and every folder above one (a tree),
        sorted by path as GitHub lists them; `tree_status` answers with that error instead."""
        if self.tree_status is not None:
            messages = {403: "Resource not accessible by personal access token", 404: "Not Found",
                        409: "Git Repository is empty.", 422: "No commit found for SHA: " + ref}
            return self.tree_status, {"message": messages.get(self.tree_status, "error"),
                                      "documentation_url": f"{DOCS}/git/trees#get-a-tree",
                                      "status": str(self.tree_status)}
        if ref != self.default_branch:
            return 404, _not_found("git/trees#get-a-tree")
        folders = {"/".join(path.split("/")[:depth]) for path in self.files
                   for depth in range(1, path.count("/") + 1)}
        entries = [{"path": path, "mode": "040000", "type": "tree", "sha": sha_of(f"tree:{path}"),
                    "url": f"{self.api}/git/trees/{sha_of(f'tree:{path}')}"} for path in folders]
        entries += [{"path": path, "mode": "100644", "type": "blob", "sha": sha_of(f"blob:{path}"), "size": 10,
                     "url": f"{self.api}/git/blobs/{sha_of(f'blob:{path}')}"} for path in self.files]
        root = sha_of("root:" + "\n".join(sorted(self.files)))
        return 200, {"sha": root, "url": f"{self.api}/git/trees/{root}",
                     "tree": sorted(entries, key=lambda entry: entry["path"]), "truncated": self.tree_truncated}

    def issue_list(self) -> list[dict]:
        """Issues and pull requests, as the issues list shows both."""
        items = list(self.issues.values())
        for number, pull in self.pulls.items():
            items.append({
                "url": f"{self.api}/issues/{number}", "id": pull["id"], "number": number, "title": pull["title"],
                "user": pull["user"], "labels": pull["labels"], "state": pull["state"], "locked": False,
                "comments": 0, "created_at": pull["created_at"], "updated_at": pull["updated_at"],
                "closed_at": pull["closed_at"], "author_association": "MEMBER", "body": "",
                "draft": pull["draft"],
                "pull_request": {"url": pull["url"], "html_url": pull["html_url"], "diff_url": pull["diff_url"],
                                 "patch_url": pull["patch_url"], "merged_at": pull["merged_at"]},
            })
        return items


_DETAIL_ONLY = ("merged", "mergeable", "rebaseable", "mergeable_state", "merged_by", "comments",
                "review_comments", "maintainer_can_modify", "commits", "additions", "deletions", "changed_files")


def _not_found(page: str) -> dict[str, str]:
    return {"message": "Not Found", "documentation_url": f"{DOCS}/{page}", "status": "404"}


def _etag(body: bytes) -> str:
    return f'W/"{hashlib.md5(body).hexdigest()}"'


def _same_etag(a: str, b: str) -> bool:
    return a.removeprefix("W/") == b.removeprefix("W/")


class FakeGitHub(Served):
    """The data and behaviour of the fake API (thread-safe enough for one sync at a time)."""

    content_type = "application/json; charset=utf-8"
    unauthorized = {"message": "Bad credentials", "documentation_url": DOCS, "status": "401"}
    outside = _not_found("")

    def __init__(self, *, token: str = TOKEN, prefix: str = "", page_size: int = 100,
                 rate_limit: int = RATE_LIMIT):
        super().__init__()
        self.token = token
        self.rate_limit = rate_limit       # requests per hour (GitHub: 5000 for a token)
        self.prefix = prefix.rstrip("/")
        self.page_size = page_size         # the largest page served (GitHub: 100)
        self.repos: dict[str, FakeRepo] = {}
        self.renamed: dict[str, str] = {}     # old owner/name (lower case) -> current owner/name
        self.remaining = rate_limit
        self.reset_at = int(time.time()) + 3600

    def repo(self, full_name: str, **options: Any) -> FakeRepo:
        """Add a repository (owner/name; the owner is its organisation)."""
        self.repos[full_name.lower()] = FakeRepo(self, full_name, **options)
        return self.repos[full_name.lower()]

    def rename(self, old: str, new: str) -> None:
        """Rename a repository: its old name answers 301 to the new one, as GitHub does."""
        repo = self.repos.pop(old.lower())
        repo.full_name = new
        repo.owner, repo.name = new.split("/")
        self.repos[new.lower()] = repo
        self.renamed[old.lower()] = new

    # --- serving (fakes.served) -------------------------------------------------------------

    def authorized(self, headers: Any) -> bool:
        return headers.get("Authorization", "") in (f"Bearer {self.token}", f"token {self.token}")

    def rate_limited(self, seconds: float) -> dict[str, str]:
        return {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(time.time() + seconds))}

    def refusal(self, fault: Fault) -> Answer | None:
        """GitHub's messages, and its primary and secondary rate limits."""
        canned: dict[str, Answer] = {
            "status": (fault.status, {"message": "Server Error"}, {}),
            "retry_after": (429, {"message": "Too many requests"}, {"Retry-After": str(int(fault.seconds))}),
            "forbidden": (403, {"message": "Resource not accessible by personal access token",
                                "documentation_url": DOCS, "status": "403"}, {}),
            "secondary_limit": (403, {"message": "You have exceeded a secondary rate limit. Please wait a few "
                                                 "minutes before you try again.", "documentation_url": DOCS}, {}),
        }
        if fault.kind == "primary_limit":
            exceeded = {"message": "API rate limit exceeded for user ID 1.", "documentation_url": DOCS}
            return 403, exceeded, self.rate_limited(fault.seconds)
        return canned.get(fault.kind) or super().refusal(fault)

    def respond(self, status: int, raw: bytes, request: Any) -> tuple[int, dict[str, str]]:
        """A weak ETag on every 200 and a 304 when `If-None-Match` names it; rate-limit headers on
        every answer, each answer but a 401 or 304 using one request of the rate limit."""
        etag = _etag(raw)
        conditional = request.get("If-None-Match")
        if status == 200 and conditional and _same_etag(conditional, etag):
            return 304, {"ETag": etag, **self._rate_headers()}
        if status != 401:
            self.remaining = max(0, self.remaining - 1)
        return status, {**self._rate_headers(), **({"ETag": etag} if status == 200 else {})}

    def answer(self, path: str, query: list[tuple[str, str]], host: str) -> Answer:
        """The routed answer: one page of a list with its `Link` header, or a 301 with `Location`."""
        params = dict(query)
        status, body, kind = self.route(path, params)
        if status == 200 and kind is not None:
            body, link = self._page(body, kind, host + path, params)
            return status, body, {"Link": link} if link else {}
        if status == 301:
            return status, body, {"Location": host + body["url"]}
        return status, body, {}

    def _rate_headers(self) -> dict[str, str]:
        return {"x-ratelimit-limit": str(self.rate_limit), "x-ratelimit-remaining": str(self.remaining),
                "x-ratelimit-used": str(self.rate_limit - self.remaining), "x-ratelimit-reset": str(self.reset_at),
                "x-ratelimit-resource": "core"}

    def _page(self, body: Any, kind: str, url: str, query: dict[str, str]) -> tuple[Any, str | None]:
        """Cut one page out of a list and build the Link header (absolute URLs on `url`, as GitHub)."""
        per_page = min(int(query.get("per_page", 30)), 100, self.page_size)
        page = int(query.get("page", 1))
        items = body["commits"] if kind == "compare" else body
        last = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page:page * per_page]

        def at(number: int) -> str:
            return url + "?" + urlencode({**query, "page": number})

        links = []
        if page < last:
            links += [f'<{at(page + 1)}>; rel="next"', f'<{at(last)}>; rel="last"']
        if page > 1:
            links += [f'<{at(page - 1)}>; rel="prev"', f'<{at(1)}>; rel="first"']
        if kind == "compare":
            shaped: Any = {**body, "commits": chunk}
        elif kind.startswith("wrapped:"):
            shaped = {"total_count": len(items), kind.split(":", 1)[1]: chunk}
        else:
            shaped = chunk
        return shaped, ", ".join(links) or None

    # --- routing ----------------------------------------------------------------------------

    def _find(self, owner: str, name: str) -> FakeRepo | None:
        return self.repos.get(f"{owner}/{name}".lower())

    def route(self, path: str, query: dict[str, str]) -> tuple[int, Any, str | None]:
        """(status, body, list kind) for a GET; list kind: 'list', 'wrapped:KEY' or 'compare'."""
        parts = [unquote(part) for part in path.strip("/").split("/")]
        if parts == ["rate_limit"]:
            core = {"limit": self.rate_limit, "used": self.rate_limit - self.remaining, "remaining": self.remaining,
                    "reset": self.reset_at}
            return 200, {"resources": {"core": core}, "rate": core}, None
        if len(parts) == 3 and parts[0] == "orgs" and parts[2] == "repos":
            repos = [r.document() for r in self.repos.values() if r.owner.lower() == parts[1].lower()]
            if not repos:
                return 404, _not_found("orgs/orgs#list-organization-repositories"), None
            return 200, sorted(repos, key=lambda r: r["full_name"]), "list"
        if len(parts) < 3 or parts[0] != "repos":
            return 404, _not_found(""), None
        repo = self._find(parts[1], parts[2])
        moved = self.renamed.get(f"{parts[1]}/{parts[2]}".lower())
        if repo is None and moved:
            return 301, {"message": "Moved Permanently", "url": "/repos/" + "/".join([moved, *parts[3:]])}, None
        if repo is None:
            return 404, _not_found("repos/repos#get-a-repository"), None
        return self._repo_route(repo, parts[3:], query)

    def _repo_route(self, repo: FakeRepo, rest: list[str], query: dict[str, str]) -> tuple[int, Any, str | None]:
        if not rest:
            return 200, repo.document(), None
        head, *tail = rest
        if head == "pulls":
            if not tail:
                items = sorted(repo.pulls.values(), key=lambda p: (p["updated_at"], p["number"]), reverse=True)
                if query.get("state", "open") != "all":
                    items = [p for p in items if p["state"] == query.get("state", "open")]
                return 200, [{k: v for k, v in p.items() if k not in _DETAIL_ONLY} for p in items], "list"
            number = int(tail[0]) if tail[0].isdigit() else -1
            if number not in repo.pulls:
                return 404, _not_found("pulls/pulls#get-a-pull-request"), None
            if len(tail) == 1:
                return 200, repo.pulls[number], None
            if tail[1] == "commits":
                return 200, [repo.commits[sha] for sha in repo.pull_commits[number]], "list"
            if tail[1] == "reviews":
                return 200, repo.reviews[number], "list"
        if head == "deployments":
            if not tail:
                wanted = query.get("environment")
                items = [d for d in repo.deployments.values() if wanted is None or d["environment"] == wanted]
                return 200, sorted(items, key=lambda d: (d["created_at"], d["id"]), reverse=True), "list"
            number = int(tail[0]) if tail[0].isdigit() else -1
            if number in repo.deployments and tail[1:] == ["statuses"]:
                newest_first = sorted(repo.statuses[number], key=lambda s: (s["created_at"], s["id"]), reverse=True)
                return 200, newest_first, "list"
        if head == "compare" and tail and "..." in tail[0]:
            base, _, target = "/".join(tail).partition("...")
            compared = repo.compare(base, target)
            if compared is None:
                return 404, _not_found("commits/commits#compare-two-commits"), None
            return 200, compared, "compare"
        if head == "issues" and not tail:
            if not repo.has_issues:
                return 410, {"message": "Issues are disabled for this repo", "documentation_url": DOCS}, None
            items = repo.issue_list()
            if query.get("state", "open") != "all":
                items = [i for i in items if i["state"] == query.get("state", "open")]
            if "since" in query:
                items = [i for i in items if i["updated_at"] >= query["since"]]
            key = "updated_at" if query.get("sort") == "updated" else "created_at"
            return 200, sorted(items, key=lambda i: (i[key], i["number"]), reverse=True), "list"
        if head == "actions" and tail == ["runs"]:
            items = sorted(repo.runs.values(), key=lambda r: (r["created_at"], r["id"]), reverse=True)
            return 200, items, "wrapped:workflow_runs"
        if head == "git" and tail[:1] == ["trees"] and len(tail) > 1:
            status, body = repo.tree("/".join(tail[1:]))
            return status, body, None
        if head == "releases" and not tail:
            return 200, sorted(repo.releases.values(), key=lambda r: (r["created_at"], r["id"]), reverse=True), "list"
        return 404, _not_found(""), None


class FakeGitHubServer(FakeServer):
    """Serve a FakeGitHub on 127.0.0.1 (a free port) while the `with` block runs."""

    def __init__(self, github: FakeGitHub):
        super().__init__(github)
        self.github = github


# --- a standard repository history --------------------------------------------------------------

def delivery_history(github: FakeGitHub, name: str, pulls: int = 4) -> FakeRepo:
    """A repository of `pulls` squash-merged pull requests, one a day in March 2024 (PR n: branch
    commit bn at 08:00, squash commit cn at 12:00), each deployed the next morning (deployment
    100 + n; 100 ships c0 on the 1st); issue 1000 labelled `incident`; workflow runs 9000 and 9001.

    Deployment and run ids are global on GitHub: the k-th repository built (from 0) adds 10000 * k.
    """
    offset = 10_000 * len(github.repos)
    repo = github.repo(name)
    repo.commit("c0", _march(1))
    repo.deployment(offset + 100, "c0", created=_march(1, 9), statuses=[("success", _march(1, 10))])
    for n in range(1, pulls + 1):
        repo.commit(f"b{n}", _march(n, 8), [f"c{n - 1}"])
        repo.commit(f"c{n}", _march(n, 12), [f"c{n - 1}"], message=f"Change {n} (#{n})")
        repo.pull(n, created=_march(n, 7), commits=[f"b{n}"], merged=_march(n, 12), merge_commit=f"c{n}",
                  reviews=[("APPROVED", _march(n, 11))])
        repo.deployment(offset + 100 + n, f"c{n}", created=_march(n + 1, 9),
                        statuses=[("success", _march(n + 1, 10))])
    repo.issue(1000, created=_march(3, 11), closed=_march(3, 12), labels=["incident"])
    repo.run(offset + 9000, created=_march(2), updated=_march(2, 0, 5))
    repo.run(offset + 9001, created=_march(3), updated=_march(3, 0, 5), conclusion="failure")
    return repo


def _march(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2024, 3, day, hour, minute, tzinfo=UTC)


# --- running a sync against the fake, in this process -----------------------------------------

def settings_for(server: FakeGitHubServer, **options: Any) -> GithubSettings:
    """Sync settings pointing at the fake server."""
    return GithubSettings(api_url=server.url, **options)


def fake_client(settings: GithubSettings, *, clock: VirtualClock | None = None, token: str = TOKEN,
                notices: list[str] | None = None, **options: Any) -> HttpClient:
    """The GitHub client on a virtual clock: backoffs and rate-limit waits cost no real time."""
    return make_client(settings, token, **client_options(clock, notices), **options)


def sync_once(con: duckdb.DuckDBPyConnection, server: FakeGitHubServer, repos: Sequence[str] = (), *,
              org: str | None = None, clock: VirtualClock | None = None, notices: list[str] | None = None,
              derive: bool = True, **options: Any) -> SyncSummary:
    """One `sync github` run against the fake (then the derived tables, like the CLI)."""
    settings = settings_for(server, **options)
    with fake_client(settings, clock=clock, notices=notices) as client:
        summary = sync_github(con, settings, client, repos=list(repos), org=org)
    if derive:
        refresh_derived(con, MetricsSettings(production_environments=settings.environments))
    return summary

