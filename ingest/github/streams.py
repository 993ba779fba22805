"""The GitHub REST resources a sync reads, one small class each, in the manner of Singer SDK
REST streams.

Each stream declares its path, its query parameters, where its records sit in a page, its
pagination (always `Link: rel="next"`, followed by ingest.http), its replication key — the
field compared with the stream's bookmark while walking newest first — and `post_process`, what
the raw store keeps of a record. RepoSync walks them. Only the endpoints of PROVIDERS.md's GitHub
table plus /orgs/{org}/repos are used, so any server implementing that documented API will do.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import quote

__all__ = [
    "Stream", "REPOSITORY", "ORG_REPOSITORIES", "PULLS", "PULL", "PULL_COMMITS", "PULL_REVIEWS",
    "DEPLOYMENTS", "DEPLOYMENT_STATUSES", "COMPARE", "ISSUES", "WORKFLOW_RUNS", "RELEASES", "TREE",
]

PER_PAGE = 100


def _segment(key: str, value: Any) -> str:
    # `repo` is owner/name: its slash separates two path segments on purpose; so may a branch
    # name's (`release/2024`), which GitHub's tree endpoint takes as it is.
    if key == "repo":
        return str(value)
    return quote(str(value), safe="/" if key == "ref" else "")


def _shrink_repositories(record: dict[str, Any], paths: tuple[str, ...]) -> dict[str, Any]:
    """A copy of `record` whose embedded repository objects (dotted `paths`) keep only id and
    full_name: GitHub repeats the whole repository in every pull request and run."""
    kept = dict(record)
    for path in paths:
        *parents, leaf = path.split(".")
        holder = kept
        for name in parents:
            if not isinstance(holder.get(name), dict):
                break
            copy = dict(holder[name])     # never change the caller's record
            holder[name] = copy
            holder = copy
        else:
            if isinstance(holder.get(leaf), dict):
                holder[leaf] = {key: holder[leaf].get(key) for key in ("id", "full_name")}
    return kept


class Stream:
    """One REST resource.

    name             the stream's name (sync state, raw document kind)
    path             a template filled with the context (repo, number, id, base, head, org)
    params           query parameters of the first page (later pages follow `Link`)
    records_key      the list inside a wrapped page (`{"workflow_runs": [...]}`); None: the page is the list
    replication_key  the newest-first order field compared with the bookmark; None: read in full
    first_page_etag  a 304 on page one proves nothing changed (the list is ordered by change);
                     otherwise a conditional request is only made for single-page lists
    switched_off     statuses meaning the feature is off for the repository: an empty list
    """

    name: ClassVar[str]
    path: ClassVar[str]
    params: ClassVar[Mapping[str, Any]] = {}
    records_key: ClassVar[str | None] = None
    replication_key: ClassVar[str | None] = None
    first_page_etag: ClassVar[bool] = False
    switched_off: ClassVar[tuple[int, ...]] = ()

    def path_for(self, **context: Any) -> str:
        """The request path, each context value quoted as one path segment."""
        return self.path.format(**{key: _segment(key, value) for key, value in context.items()})

    def records(self, page: Any) -> list[Any]:
        """The records of one page."""
        return page[self.records_key] if self.records_key else page

    def post_process(self, record: dict[str, Any]) -> dict[str, Any]:
        """The record as the raw store keeps it."""
        return record


class RepositoryStream(Stream):
    """One repository: its default branch."""
    name = "repo"
    path = "/repos/{repo}"


class OrgRepositoriesStream(Stream):
    """The repositories of an organisation (archived ones and forks are filtered by the sync)."""
    name = "org_repos"
    path = "/orgs/{org}/repos"
    params = {"type": "all", "per_page": PER_PAGE}


class PullsStream(Stream):
    """Pull requests, most recently updated first: there is no `since`, the walk stops at the
    bookmark. The list lacks sizes, so each new or updated one is read alone (PullStream)."""
    name = "pulls"
    path = "/repos/{repo}/pulls"
    params = {"state": "all", "sort": "updated", "direction": "desc", "per_page": PER_PAGE}
    replication_key = "updated_at"
    first_page_etag = True


class PullStream(Stream):
    """One pull request with its sizes."""
    name = "pull"
    path = "/repos/{repo}/pulls/{number}"

    def post_process(self, record: dict[str, Any]) -> dict[str, Any]:
        return _shrink_repositories(record, ("head.repo", "base.repo"))


class PullCommitsStream(Stream):
    """A pull request's commits, oldest first (GitHub lists 250 at most)."""
    name = "pull_commits"
    path = "/repos/{repo}/pulls/{number}/commits"
    params = {"per_page": PER_PAGE}


class PullReviewsStream(Stream):
    """A pull request's reviews."""
    name = "pull_reviews"
    path = "/repos/{repo}/pulls/{number}/reviews"
    params = {"per_page": PER_PAGE}


class DeploymentsStream(Stream):
    """Deployments of one environment (`environment` is compared exactly), newest first. A new
    status does not change the list, so undecided deployments are re-checked by the sync."""
    name = "deployments"
    path = "/repos/{repo}/deployments"
    params = {"per_page": PER_PAGE}
    replication_key = "created_at"
    first_page_etag = True


class DeploymentStatusesStream(Stream):
    """The statuses of one deployment, newest first."""
    name = "deployment_statuses"
    path = "/repos/{repo}/deployments/{id}/statuses"
    params = {"per_page": PER_PAGE}


class CompareStream(Stream):
    """The commits reachable from `head` and not from `base`, oldest first, paginated."""
    name = "compare"
    path = "/repos/{repo}/compare/{base}...{head}"
    params = {"per_page": PER_PAGE}

    def post_process(self, record: dict[str, Any]) -> dict[str, Any]:
        return {name: value for name, value in record.items() if name != "files"}   # the diffs


class IssuesStream(Stream):
    """Issues (and pull requests: GitHub lists both), most recently updated first. A repository
    with issues switched off answers 410 Gone."""
    name = "issues"
    path = "/repos/{repo}/issues"
    params = {"state": "all", "sort": "updated", "direction": "desc", "per_page": PER_PAGE}
    replication_key = "updated_at"
    first_page_etag = True
    switched_off = (410,)


class WorkflowRunsStream(Stream):
    """Workflow runs, newest created first; a run still in progress holds the bookmark."""
    name = "workflow_runs"
    path = "/repos/{repo}/actions/runs"
    params = {"per_page": PER_PAGE}
    records_key = "workflow_runs"
    replication_key = "created_at"
    first_page_etag = True

    def post_process(self, record: dict[str, Any]) -> dict[str, Any]:
        return _shrink_repositories(record, ("repository", "head_repository"))


class ReleasesStream(Stream):
    """Every release, read whole (a short list), so deleted releases go too."""
    name = "releases"
    path = "/repos/{repo}/releases"
    params = {"per_page": PER_PAGE}


class TreeStream(Stream):
    """Every path of the default branch, in one recursive listing (the repository facts of the
    scorecards, ingest/repo_facts.py). A listing GitHub cut short (`truncated`: a very large
    tree) is used as far as it goes. `refused` statuses mean there is no listing to have: 403
    (the token may not read the contents), 404, 409 (an empty repository) or 422."""
    name = "tree"
    path = "/repos/{repo}/git/trees/{ref}"
    params = {"recursive": 1}
    refused: ClassVar[tuple[int, ...]] = (403, 404, 409, 422)

    def post_process(self, record: dict[str, Any]) -> dict[str, Any]:
        """Only what the facts need: the paths (files and folders), the tree sha, `truncated`."""
        return {"sha": record.get("sha"), "truncated": bool(record.get("truncated")),
                "paths": [entry["path"] for entry in record.get("tree") or [] if entry.get("path")]}


REPOSITORY = RepositoryStream()
ORG_REPOSITORIES = OrgRepositoriesStream()
PULLS = PullsStream()
PULL = PullStream()
PULL_COMMITS = PullCommitsStream()
PULL_REVIEWS = PullReviewsStream()
DEPLOYMENTS = DeploymentsStream()
DEPLOYMENT_STATUSES = DeploymentStatusesStream()
COMPARE = CompareStream()
ISSUES = IssuesStream()
WORKFLOW_RUNS = WorkflowRunsStream()
RELEASES = ReleasesStream()
TREE = TreeStream()
