"""Pure mapping of GitHub REST JSON to canonical warehouse records (no I/O).

Identities: a repository is `owner/name` as GitHub spells it (`full_name`); a pull request is
`owner/name#N`; an incident (an issue) is `owner/name#N` too; a deployment is GitHub's numeric id;
a deployment made from a release is `release:ID`; a workflow run is its numeric id.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from ingest.github.settings import SOURCE
from warehouse.models import Commit, Deployment, Incident, PipelineRun, PullRequest, Repo, Review, parse_timestamp

__all__ = [
    "pull_request_id", "pull_request_number", "map_repo", "map_commit", "map_pull_request", "map_review",
    "map_pull", "deployment_outcome", "deployment_record", "map_deployment", "is_pull_request_item", "has_label",
    "label_names", "map_issue",
    "map_workflow_run", "map_release", "release_is_deployment", "environment_variants", "timestamp",
]

Json = Mapping[str, Any]

REVIEW_STATES = {"approved", "changes_requested", "commented", "dismissed"}
FAILED_STATES = ("failure", "error")
GHOST = "ghost"  # GitHub's name for a deleted account


def timestamp(value: str) -> datetime:
    """A GitHub timestamp (ISO 8601, `Z` or an offset) as an aware UTC datetime."""
    return parse_timestamp(value)


def pull_request_id(repo: str, number: int | str) -> str:
    return f"{repo}#{number}"


def pull_request_number(pull_request: str) -> int | None:
    """N of `owner/name#N` (None for another shape of id)."""
    _, _, number = pull_request.rpartition("#")
    return int(number) if number.isdigit() else None


def _login(user: Json | None) -> str | None:
    return user.get("login") if isinstance(user, Mapping) else None


def _state(item: Json) -> str:
    """The `state` of a review or deployment status: always a string in GitHub's answers."""
    state = item["state"]
    if not isinstance(state, str):
        raise TypeError(f"'state' should be a string, got {type(state).__name__}")
    return state


def map_repo(repo: Json) -> Repo:
    return Repo(source=SOURCE, id=repo["full_name"], provider="github",
                default_branch=repo.get("default_branch"), url=repo.get("html_url"))


def map_commit(repo: str, item: Json, pull_request: str | None = None) -> Commit:
    """A commit of a pull request's commit list or of a compare: the author date starts it."""
    detail = item.get("commit") or {}
    author = detail.get("author") or {}
    committer = detail.get("committer") or {}
    return Commit(
        source=SOURCE, repo=repo, sha=item["sha"],
        authored_at=author.get("date") or committer["date"],
        committed_at=committer.get("date"),
        author=_login(item.get("author")) or author.get("name"),
        parents=[parent["sha"] for parent in item.get("parents") or []],
        pull_request=pull_request,
        message=detail.get("message"),
    )


def map_pull_request(repo: str, pull: Json) -> PullRequest:
    """A pull request from its detail (GET /pulls/{n}); the list shape works too, without sizes.

    `merge_commit_sha` is a test merge commit until the pull request is merged: it is kept only
    once `merged_at` is set (closed is not merged).
    """
    merged_at = pull.get("merged_at")
    return PullRequest(
        source=SOURCE, id=pull_request_id(repo, pull["number"]), repo=repo, number=pull["number"],
        author=_login(pull.get("user")) or GHOST, created_at=pull["created_at"], title=pull.get("title"),
        merged_at=merged_at, closed_at=pull.get("closed_at"),
        base_branch=(pull.get("base") or {}).get("ref"),
        merge_commit_sha=pull.get("merge_commit_sha") if merged_at else None,
        additions=pull.get("additions"), deletions=pull.get("deletions"),
        labels=[label["name"] for label in pull.get("labels") or []],
        draft=pull.get("draft"),
    )


def map_review(pull_request: str, review: Json) -> Review | None:
    """A submitted review; PENDING (unsubmitted) reviews are not reviews yet."""
    state = _state(review).lower()
    if state not in REVIEW_STATES or not review.get("submitted_at"):
        return None
    return Review(source=SOURCE, id=str(review["id"]), pull_request=pull_request,
                  reviewer=_login(review.get("user")) or GHOST, state=state,
                  submitted_at=review["submitted_at"])


def map_pull(repo: str, pull: Json, commits: Sequence[Json], reviews: Sequence[Json]) -> list:
    """A pull request with its own commits (linked to it) and its submitted reviews."""
    record = map_pull_request(repo, pull)
    linked = [map_commit(repo, item, record.id) for item in commits]
    submitted = [review for review in (map_review(record.id, item) for item in reviews) if review]
    return [record, *linked, *submitted]


def deployment_outcome(statuses: Iterable[Json]) -> tuple[str, str] | None:
    """(status, finished_at) of a deployment from its statuses, or None while it is undecided.

    Success if any status is `success`, finished at the first one (a later `inactive` or
    `failure` undoes nothing). Otherwise the first `failure`/`error` makes it an attempt.
    Only pending/queued/in_progress/inactive statuses, or none: undecided.
    """
    ordered = sorted(statuses, key=lambda status: (timestamp(status["created_at"]), status.get("id") or 0))
    for status in ordered:
        if _state(status) == "success":
            return "success", status["created_at"]
    for status in ordered:
        if _state(status) in FAILED_STATES:
            return _state(status), status["created_at"]
    return None


def is_production(environment: str | None, production_names: frozenset[str]) -> bool:
    return environment is not None and environment.lower() in production_names


def map_deployment(repo: str, deployment: Json, statuses: Sequence[Json],
                   production_names: frozenset[str]) -> Deployment | None:
    """A decided production deployment (success or attempt); None otherwise.

    The environment is kept as GitHub spells it. `commits` is left unknown here: it is filled
    from the compare with the previous deployment of the series (ingest.github.series).
    """
    if not is_production(deployment.get("environment"), production_names):
        return None
    outcome = deployment_outcome(statuses)
    return deployment_record(repo, deployment, *outcome) if outcome is not None else None


def deployment_record(repo: str, deployment: Json, status: str, finished_at: str) -> Deployment:
    """The record of a deployment decided (`status`) at `finished_at`."""
    created_at = deployment.get("created_at")
    started = created_at if created_at and timestamp(created_at) <= timestamp(finished_at) else None
    return Deployment(source=SOURCE, id=str(deployment["id"]), repo=repo,
                      environment=deployment["environment"], sha=deployment["sha"], status=status,
                      finished_at=finished_at, started_at=started)


def is_pull_request_item(issue: Json) -> bool:
    """True for the pull requests the issues list returns too.

    Modern responses mark them with a `pull_request` object; very old ones gave every issue a
    `pull_request` object whose links are all null, which is not a pull request.
    """
    marker = issue.get("pull_request")
    return isinstance(marker, Mapping) and any(marker.get(key) for key in ("url", "html_url", "diff_url"))


def label_names(item: Json) -> list[str]:
    return [label["name"] if isinstance(label, Mapping) else str(label) for label in item.get("labels") or []]


def has_label(issue: Json, labels: Iterable[str]) -> bool:
    """The issue carries a label named exactly one of `labels`, in any case (`incident-followup`
    is not `incident`)."""
    wanted = {label.lower() for label in labels}
    return any(name.lower() in wanted for name in label_names(issue))


def map_issue(repo: str, issue: Json, labels: Iterable[str]) -> Incident | None:
    """An incident from an issue carrying an incident label: started when opened, resolved when closed."""
    if is_pull_request_item(issue) or not has_label(issue, labels):
        return None
    resolved_at = issue.get("closed_at") if issue.get("state") == "closed" else None
    return Incident(source=SOURCE, id=f"{repo}#{issue['number']}", started_at=issue["created_at"],
                    resolved_at=resolved_at, repo=repo, title=issue.get("title"),
                    labels=label_names(issue))


def map_workflow_run(repo: str, run: Json) -> PipelineRun:
    """A workflow run: status is its conclusion once completed, else its live status.

    finished_at is the run's `updated_at` once completed: an approximation (a later re-run or
    log deletion moves it); exact durations need the jobs endpoint.
    """
    completed = run.get("status") == "completed"
    status = (run.get("conclusion") or "completed") if completed else (run.get("status") or "unknown")
    return PipelineRun(
        source=SOURCE, id=str(run["id"]), repo=repo,
        workflow=run.get("name") or run.get("path") or str(run.get("workflow_id")),
        status=status, started_at=run.get("run_started_at") or run["created_at"],
        sha=run.get("head_sha"), branch=run.get("head_branch"), event=run.get("event"),
        finished_at=run.get("updated_at") if completed else None, attempt=run.get("run_attempt"),
    )


def release_is_deployment(release: Json) -> bool:
    """Published, final releases deploy; drafts and prereleases do not."""
    return bool(release.get("published_at")) and not release.get("draft") and not release.get("prerelease")


def map_release(repo: str, release: Json, sha: str | None, environment: str) -> Deployment | None:
    """A published release as a successful deployment of its tag's commit, at its publication."""
    if not release_is_deployment(release) or not sha:
        return None
    return Deployment(source=SOURCE, id=f"release:{release['id']}", repo=repo, environment=environment,
                      sha=sha, status="success", finished_at=release["published_at"])


def environment_variants(names: Iterable[str]) -> list[str]:
    """The spellings to ask the Deployments API for (it compares environments exactly):
    each name as given, lower case, upper case and capitalised, without repeats."""
    variants: dict[str, None] = {}
    for name in names:
        for variant in (name, name.lower(), name.upper(), name[:1].upper() + name[1:].lower()):
            variants.setdefault(variant, None)
    return list(variants)
