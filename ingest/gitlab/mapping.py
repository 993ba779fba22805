"""Pure mapping of GitLab REST v4 JSON to canonical warehouse records (no I/O).

Identities, in GitLab's own reference notation: a repository is the project path
(`group/project`, subgroups included); a merge request is `group/project!IID`; an incident (an
issue of type incident) is `group/project#IID`; a deployment and a pipeline are GitLab's numeric
ids; a review is the id of the note it came from.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from warehouse.models import (
    Commit,
    Deployment,
    Incident,
    PipelineRun,
    PullRequest,
    Repo,
    Review,
    parse_timestamp,
)

__all__ = ["SOURCE", "merge_request_id", "map_project", "map_commit", "map_merge_request", "map_reviews",
           "map_deployment", "deployment_finished_at", "map_pipeline", "map_incident", "pipeline_state",
           "APPROVAL_NOTE"]

SOURCE = "gitlab"
Json = Mapping[str, Any]

APPROVAL_NOTE = "approved this merge request"
DEPLOYMENT_STATUSES = {"success": "success", "failed": "failure", "canceled": "cancelled"}
# GitLab pipeline status -> the lower-case states the CI figures understand (devex_ci.sql).
PIPELINE_STATES = {"failed": "failure", "canceled": "cancelled", "running": "in_progress",
                   "created": "queued", "waiting_for_resource": "waiting", "preparing": "queued",
                   "pending": "pending", "scheduled": "waiting", "manual": "waiting"}


def merge_request_id(project: str, iid: int | str) -> str:
    return f"{project}!{iid}"


def _username(user: Json | None) -> str | None:
    return user.get("username") if isinstance(user, Mapping) else None


def map_project(project: Json) -> Repo:
    return Repo(source=SOURCE, id=project["path_with_namespace"], provider="gitlab",
                default_branch=project.get("default_branch"), url=project.get("web_url"))


def map_commit(project: str, item: Json, merge_request: str | None = None) -> Commit:
    """A commit of an MR's commit list or of a compare; parents only when GitLab gives them
    (MR commit lists carry an empty `parent_ids`, which means unknown, not a root commit)."""
    parents = list(item.get("parent_ids") or [])
    return Commit(source=SOURCE, repo=project, sha=item["id"],
                  authored_at=item.get("authored_date") or item["created_at"],
                  committed_at=item.get("committed_date"), author=item.get("author_name"),
                  parents=parents or None, pull_request=merge_request, message=item.get("message"))


def _landed_sha(mr: Json) -> str | None:
    """The commit a merged MR put on its target: the squash commit when squashed, else the merge
    commit, else (fast-forward merge) its head."""
    if not mr.get("merged_at"):
        return None
    if mr.get("squash") and mr.get("squash_commit_sha"):
        return mr["squash_commit_sha"]
    return mr.get("merge_commit_sha") or mr.get("squash_commit_sha") or mr.get("sha")


def map_merge_request(project: str, mr: Json) -> PullRequest:
    labels = [label["name"] if isinstance(label, Mapping) else str(label) for label in mr.get("labels") or []]
    draft = mr.get("draft", mr.get("work_in_progress"))
    return PullRequest(
        source=SOURCE, id=merge_request_id(project, mr["iid"]), repo=project, number=mr["iid"],
        author=_username(mr.get("author")) or "ghost", created_at=mr["created_at"], title=mr.get("title"),
        merged_at=mr.get("merged_at"), closed_at=mr.get("closed_at") or mr.get("merged_at"),
        base_branch=mr.get("target_branch"), merge_commit_sha=_landed_sha(mr), labels=labels,
        draft=bool(draft) if draft is not None else None,
    )


def map_reviews(merge_request: str, author: str | None, notes: Sequence[Json]) -> list[Review]:
    """Reviews from an MR's notes: every approval (a system note "approved this merge request")
    is an `approved` review; the first ordinary note of each person other than the author is a
    `commented` review. Other system notes (assignments, pushes, labels) are not reviews."""
    reviews: list[Review] = []
    commented: set[str] = set()
    for note in sorted(notes, key=lambda n: (n["created_at"], n["id"])):
        who = _username(note.get("author"))
        if not who:
            continue
        body = str(note.get("body") or "").strip().lower()
        if note.get("system"):
            if body == APPROVAL_NOTE:
                reviews.append(Review(source=SOURCE, id=str(note["id"]), pull_request=merge_request,
                                      reviewer=who, state="approved", submitted_at=note["created_at"]))
            continue
        if who != author and who not in commented:
            commented.add(who)
            reviews.append(Review(source=SOURCE, id=str(note["id"]), pull_request=merge_request,
                                  reviewer=who, state="commented", submitted_at=note["created_at"]))
    return reviews


def deployment_finished_at(deployment: Json) -> str:
    """The job's finish time (`deployable.finished_at`), else the deployment's `updated_at`."""
    deployable = deployment.get("deployable") or {}
    return deployable.get("finished_at") or deployment["updated_at"]


def map_deployment(project: str, deployment: Json) -> Deployment | None:
    """A finished deployment: success, or a failed/cancelled attempt; None while created,
    running or blocked. `commits` is filled later from the compare (ingest.gitlab.series)."""
    status = DEPLOYMENT_STATUSES.get(str(deployment.get("status")))
    if status is None:
        return None
    finished = deployment_finished_at(deployment)
    started = deployment.get("created_at")
    return Deployment(source=SOURCE, id=str(deployment["id"]), repo=project,
                      environment=(deployment.get("environment") or {}).get("name") or "production",
                      sha=deployment["sha"], status=status, finished_at=finished,
                      started_at=started if started and parse_timestamp(started) <= parse_timestamp(finished) else None)


def pipeline_state(status: str | None) -> str:
    value = str(status or "unknown")
    return PIPELINE_STATES.get(value, value)


def map_pipeline(project: str, pipeline: Json) -> PipelineRun:
    """A pipeline from its detail (GET /pipelines/:id, which has the start and finish times).

    workflow is the pipeline's `source` (push, merge_request_event, schedule, ...): a project
    has one CI configuration, and what triggered it is what tells its runs apart.
    """
    finished = pipeline.get("finished_at")
    return PipelineRun(source=SOURCE, id=str(pipeline["id"]), repo=project,
                       workflow=pipeline.get("source") or "pipeline", status=pipeline_state(pipeline.get("status")),
                       started_at=pipeline.get("started_at") or pipeline["created_at"], sha=pipeline.get("sha"),
                       branch=pipeline.get("ref"), event=pipeline.get("source"),
                       finished_at=finished)


def map_incident(project: str, issue: Json) -> Incident | None:
    """An issue of type incident: started when opened, resolved when closed."""
    if str(issue.get("issue_type") or issue.get("type") or "").lower() != "incident":
        return None
    labels = [label["name"] if isinstance(label, Mapping) else str(label) for label in issue.get("labels") or []]
    resolved = issue.get("closed_at") if issue.get("state") == "closed" else None
    return Incident(source=SOURCE, id=f"{project}#{issue['iid']}", started_at=issue["created_at"],
                    resolved_at=resolved, repo=project, title=issue.get("title"), labels=labels or None)
