"""Canonical event dicts (docs/events.md) from the simulation's objects; absent values are left out."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sampleorg.clock import stamp
from sampleorg.config import OrgConfig, ServiceConfig, TeamConfig
from sampleorg.model import Commit, Deployment, Incident, PipelineRun, PullRequest

__all__ = [
    "SOURCE",
    "commit",
    "deployment",
    "incident",
    "pipeline_run",
    "pull_request",
    "repo",
    "reviews",
    "service",
    "team",
]

SOURCE = "demo"


def _event(event_type: str, **fields: Any) -> dict[str, Any]:
    """An event with its type and source first, None-valued fields dropped."""
    return {"type": event_type, "source": SOURCE, **{k: v for k, v in fields.items() if v is not None}}


def _at(moment: datetime | None, end: datetime) -> str | None:
    """The UTC timestamp, or None when it lies at or after the anchor (it has not happened yet)."""
    return stamp(moment) if moment is not None and moment < end else None


def team(config: TeamConfig) -> dict[str, Any]:
    return _event("team", id=config.id, name=config.name)


def service(config: ServiceConfig) -> dict[str, Any]:
    links = [{"repo": link.repo, **({"path": link.path} if link.path else {})} for link in config.repos]
    return _event("service", id=config.id, name=config.name, team=config.team, lifecycle=config.lifecycle,
                  tier=config.tier, repos=links, annotations={"sampleorg/profile": config.profile.name})


def repo(repo_id: str) -> dict[str, Any]:
    return _event("repo", id=repo_id, provider="github", default_branch="main",
                  url=f"https://github.com/{repo_id}")


def _message(item: Commit, org: str) -> str:
    pr = item.pull_request
    if item.kind == "squash":
        return f"{pr.title} (#{pr.number})"
    if item.kind == "merge":
        return f"Merge pull request #{pr.number} from {org}/{pr.branch}\n\n{pr.title}"
    return item.subject


def _files(item: Commit, service_paths: dict[str, str]) -> list[str] | None:
    """The paths a monorepo commit changes: under its service's prefix (merge commits: none)."""
    pr = item.pull_request
    if pr is None or item.kind == "merge" or pr.service not in service_paths:
        return None
    return [f"{service_paths[pr.service]}/src/{pr.number}.py"]


def commit(item: Commit, org: str, service_paths: dict[str, str]) -> dict[str, Any]:
    """A merge commit names no pull request: its PR knows it as `merge_commit_sha`.

    `service_paths` maps the services that live under a monorepo prefix to that prefix.
    """
    linked = item.pull_request.id if item.pull_request is not None and item.kind != "merge" else None
    return _event("commit", repo=item.repo, sha=item.sha, authored_at=stamp(item.authored_at, item.author_tz),
                  committed_at=stamp(item.committed_at), author=item.author, parents=item.parents,
                  pull_request=linked, message=_message(item, org), files=_files(item, service_paths))


def pull_request(pr: PullRequest, end: datetime) -> dict[str, Any]:
    merged = _at(pr.merged_at, end)
    ready = _at(pr.ready_at, end)
    return _event(
        "pull_request", id=pr.id, repo=pr.repo, number=pr.number, author=pr.author,
        created_at=stamp(pr.created_at), title=pr.title, ready_at=ready, merged_at=merged,
        closed_at=merged or _at(pr.closed_at, end), base_branch="main",
        merge_commit_sha=pr.merge_commit.sha if merged else None, additions=pr.additions,
        deletions=pr.deletions, labels=pr.labels, draft=ready is None,
    )


def reviews(pr: PullRequest, end: datetime) -> list[dict[str, Any]]:
    done = [r for r in pr.reviews if r.submitted_at < end]
    return [_event("review", id=f"{pr.id}/reviews/{index}", pull_request=pr.id, reviewer=r.reviewer,
                   state=r.state, submitted_at=stamp(r.submitted_at))
            for index, r in enumerate(done, start=1)]


def deployment(item: Deployment) -> dict[str, Any]:
    return _event("deployment", id=item.id, repo=item.repo, environment=item.environment, sha=item.sha,
                  status=item.status, finished_at=stamp(item.finished_at),
                  service=item.service_id if item.name_service else None, started_at=stamp(item.started_at))


def incident(item: Incident) -> dict[str, Any]:
    caused_by = None
    if item.cause == "deployment":
        caused_by = {"deployment": item.deployment.id}
    elif item.cause == "sha":
        caused_by = {"sha": item.sha}
    return _event("incident", id=item.id, started_at=stamp(item.started_at),
                  resolved_at=stamp(item.resolved_at) if item.resolved_at else None, service=item.service,
                  repo=item.repo, title=item.title, severity=item.severity, caused_by=caused_by,
                  labels=["postmortem"] if item.severity == "sev1" else None)


def pipeline_run(item: PipelineRun) -> dict[str, Any]:
    return _event("pipeline_run", id=item.id, repo=item.repo, workflow=item.workflow, status=item.status,
                  started_at=stamp(item.started_at), sha=item.sha, branch=item.branch, event=item.event,
                  finished_at=stamp(item.finished_at) if item.finished_at else None, attempt=item.attempt)


def organisation(config: OrgConfig) -> list[dict[str, Any]]:
    """Teams, services and repositories."""
    return ([team(t) for t in config.teams] + [service(s) for s in config.services]
            + [repo(r) for r in config.repo_ids()])
