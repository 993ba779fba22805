"""What the simulation produces, before it becomes canonical event dicts (see records.py).

Times are aware UTC datetimes; objects refer to each other (a commit to its pull request, an
incident to its deployment) and ids or numbers are assigned once a repository is finished.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone

__all__ = ["Commit", "Deployment", "Incident", "PipelineRun", "PullRequest", "Review", "ShaSource"]


class ShaSource:
    """Deterministic 40-hex commit ids: the n-th sha of a repository for a given salt."""

    def __init__(self, salt: str):
        self.salt = salt
        self.count = 0

    def next(self) -> str:
        self.count += 1
        return hashlib.sha1(f"{self.salt}:{self.count}".encode()).hexdigest()


@dataclass(eq=False)
class Commit:
    """A commit. `kind`: initial, branch (on a PR branch), squash, merge, direct (pushed to main)."""

    repo: str
    sha: str
    kind: str
    authored_at: datetime
    committed_at: datetime
    author: str
    author_tz: timezone
    parents: list[str]
    subject: str
    pull_request: PullRequest | None = None


@dataclass(eq=False)
class Review:
    reviewer: str
    state: str
    submitted_at: datetime


@dataclass(eq=False)
class PullRequest:
    """A pull request as planned; `merged_at` is set when the simulation merges it."""

    repo: str
    author: str
    author_tz: timezone
    title: str
    labels: list[str]
    style: str
    branch: str
    started_at: datetime
    created_at: datetime
    ready_at: datetime
    planned_merge: datetime | None
    closed_at: datetime | None = None
    merged_at: datetime | None = None
    additions: int = 0
    deletions: int = 0
    service: str | None = None
    commits: list[Commit] = field(default_factory=list)
    merge_commit: Commit | None = None
    reviews: list[Review] = field(default_factory=list)
    number: int = 0

    @property
    def id(self) -> str:
        return f"{self.repo}#{self.number}"


@dataclass(eq=False)
class Deployment:
    """A deployment run; `service` is only named on monorepo deployments (others map by repo)."""

    repo: str
    environment: str
    sha: str
    status: str
    started_at: datetime
    finished_at: datetime
    service_id: str
    name_service: bool
    kind: str = "regular"  # regular, fix (hotfix or revert), rollback, attempt, staging
    number: int = 0

    @property
    def id(self) -> str:
        return f"{self.repo}/deployments/{self.number}"


@dataclass(eq=False)
class Incident:
    """An incident; `cause` says how it names its origin: deployment, sha, window or none."""

    started_at: datetime
    resolved_at: datetime | None
    title: str
    severity: str
    service: str | None = None
    repo: str | None = None
    cause: str = "none"
    deployment: Deployment | None = None
    sha: str | None = None
    number: int = 0

    @property
    def id(self) -> str:
        return f"INC-{self.number}"


@dataclass(eq=False)
class PipelineRun:
    repo: str
    number: int
    attempt: int
    status: str
    started_at: datetime
    finished_at: datetime | None
    sha: str
    branch: str
    event: str
    workflow: str = "ci"

    @property
    def id(self) -> str:
        return f"{self.repo}/actions/runs/{self.number}/attempts/{self.attempt}"
