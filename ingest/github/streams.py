"""The GitHub REST resources a sync reads, one small class each, in the manner of Singer SDK
REST streams.

Each stream declares its path, its query parameters, where its records sit in a page, its
pagination (always `Link: rel="next"`, followed by ingest.http), its replication key — the
field compared with the stream's bookmark while walking newest first —, `post_process`, what
the raw store keeps of a record, and `check`, which maps a record as the writer will (raising on
one it could not map), so a record of the wrong shape is refused with the URL of its page.
RepoSync walks them. Only the endpoints of PROVIDERS.md's GitHub table plus /orgs/{org}/repos
are used, so any server implementing that documented API will do.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import quote

from ingest.github import mapping

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
    single           the answer is one record (a pull request, a compare), not a list of them
    """

    name: ClassVar[str]
    path: ClassVar[str]
    params: ClassVar[Mapping[str, Any]] = {}
    records_key: ClassVar[str | None] = None
    replication_key: ClassVar[str | None] = None
    first_page_etag: ClassVar[bool] = False
    switched_off: ClassVar[tuple[int, ...]] = ()
    single: ClassVar[bool] = False

    def path_for(self, **context: Any) -> str:
        """The request path, each context value quoted as one path segment."""
        return self.path.format(**{key: _segment(key, value) for key, value in context.items()})

    def records(self, page: Any) -> list[Any]:
        """The records of one page."""
        return page[self.records_key] if self.records_key else page

    def post_process(self, record: dict[str, Any]) -> dict[str, Any]:
        """The record as the raw store keeps it."""
        return record

    def check(self, record: dict[str, Any], context: Mapping[str, Any]) -> None:
        """Map `record` (as served; `context` fills the path) as the writer will, in the most
        demanding settings, so that no later mapping (a sync's, a rebuild's) can fail on it."""


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
    single = True

    def post_process(self, record: dict[str, Any]) -> dict[str, Any]:
        return _shrink_repositories(record, ("head.repo", "base.repo"))

    def check(self, record: dict[str, Any], context: Mapping[str, Any]) -> None:
        mapping.map_pull_request(context["repo"], record)


class PullCommitsStream(Stream):
    """A pull request's commits, oldest first (GitHub lists 250 at most)."""
    name = "pull_commits"
    path = "/repos/{repo}/pulls/{number}/commits"
    params = {"per_page": PER_PAGE}

    def check(self, record: dict[str, Any], context: Mapping[str, Any]) -> None:
        repo = context["repo"]
        mapping.map_commit(repo, record, mapping.pull_request_id(repo, context["number"]))


class PullReviewsStream(Stream):
    """A pull request's reviews."""
    name = "pull_reviews"
    path = "/repos/{repo}/pulls/{number}/reviews"
    params = {"per_page": PER_PAGE}

    def check(self, record: dict[str, Any], context: Mapping[str, Any]) -> None:
        mapping.map_review(mapping.pull_request_id(context["repo"], context["number"]), record)


class DeploymentsStream(Stream):
    """Deployments of one environment (`environment` is compared exactly), newest first. A new
    status does not change the list, so undecided deployments are re-checked by the sync."""
    name = "deployments"
    path = "/repos/{repo}/deployments"
    params = {"per_page": PER_PAGE}
    replication_key = "created_at"
    first_page_etag = True

    def check(self, record: dict[str, Any], context: Mapping[str, Any]) -> None:
        """As a production deployment that succeeded when it was created."""
        mapping.deployment_record(context["repo"], record, "success", record["created_at"])


class DeploymentStatusesStream(Stream):
    """The statuses of one deployment, newest first."""
    name = "deployment_statuses"
    path = "/repos/{repo}/deployments/{id}/statuses"
    params = {"per_page": PER_PAGE}

    def check(self, record: dict[str, Any], context: Mapping[str, Any]) -> None:
        mapping.deployment_outcome([record])


class CompareStream(Stream):
    """The commits reachable from `head` and not from `base`, oldest first, paginated."""
    name = "compare"
    path = "/repos/{repo}/compare/{base}...{head}"
    params = {"per_page": PER_PAGE}
    single = True

    def post_process(self, record: dict[str, Any]) -> dict[str, Any]:
        return {name: value for name, value in record.items() if name != "files"}   # the diffs

    def check(self, record: dict[str, Any], context: Mapping[str, Any]) -> None:
        """Every page lists `commits` (perhaps none); a release's tag is read from `base_commit`."""
        commits = record["commits"]
        if not isinstance(commits, list):
            raise TypeError(f"'commits' should be a list, got {type(commits).__name__}")
        for item in commits:
            mapping.map_commit(context["repo"], item)
        sha = (record.get("base_commit") or {}).get("sha")
        if sha is not None and not isinstance(sha, str):
            raise TypeError(f"'base_commit.sha' should be a string, got {type(sha).__name__}")


class IssuesStream(Stream):
    """Issues (and pull requests: GitHub lists both), most recently updated first. A repository
    with issues switched off answers 410 Gone."""
    name = "issues"
    path = "/repos/{repo}/issues"
    params = {"state": "all", "sort": "updated", "direction": "desc", "per_page": PER_PAGE}
    replication_key = "updated_at"
    first_page_etag = True
    switched_off = (410,)

    def check(self, record: dict[str, Any], context: Mapping[str, Any]) -> None:
        """A labelled issue as an incident (whatever the incident label); pull requests and
        unlabelled issues are not kept."""
        if not mapping.is_pull_request_item(record) and record.get("labels"):
            mapping.map_issue(context["repo"], record, mapping.label_names(record))


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

    def check(self, record: dict[str, Any], context: Mapping[str, Any]) -> None:
        mapping.map_workflow_run(context["repo"], self.post_process(record))


class ReleasesStream(Stream):
    """Every release, read whole (a short list), so deleted releases go too."""
    name = "releases"
    path = "/repos/{repo}/releases"
    params = {"per_page": PER_PAGE}

    def check(self, record: dict[str, Any], context: Mapping[str, Any]) -> None:
        """Its tag named; when published, its publication a timestamp (the deployment's time)."""
        if not isinstance(record["tag_name"], str):
            raise TypeError(f"'tag_name' should be a string, got {type(record['tag_name']).__name__}")
        if "id" not in record:
            raise KeyError("id")
        if record.get("published_at") is not None:
            mapping.timestamp(record["published_at"])


class TreeStream(Stream):
    """Every path of the default branch, in one recursive listing (the repository facts of the
    scorecards, ingest/repo_facts.py). A listing GitHub cut short (`truncated`: a very large
    tree) is used as far as it goes. `refused` statuses mean there is no listing to have: 403
    (the token may not read the contents), 404, 409 (an empty repository) or 422."""
    name = "tree"
    path = "/repos/{repo}/git/trees/{ref}"
    params = {"recursive": 1}
    refused: ClassVar[tuple[int, ...]] = (403, 404, 409, 422)
    single = True

    def post_process(self, record: dict[str, Any]) -> dict[str, Any]:
        """Only what the facts need: the paths (files and folders), the tree sha, `truncated`."""
        return {"sha": record.get("sha"), "truncated": bool(record.get("truncated")),
                "paths": [entry["path"] for entry in record.get("tree") or [] if entry.get("path")]}

    def check(self, record: dict[str, Any], context: Mapping[str, Any]) -> None:
        self.post_process(record)


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
