"""Canonical row models: one pydantic model per event type of docs/events.md.

These models are the contract between the ingesters and the warehouse. Every ingester
validates its records into them; the warehouse stores exactly their fields.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    WithJsonSchema,
    model_validator,
)

__all__ = [
    "EVENT_MODELS", "Event", "Team", "Service", "ServiceRepo", "Repo", "Commit", "PullRequest",
    "Review", "Deployment", "Incident", "PipelineRun", "CausedBy", "parse_timestamp",
]


def parse_timestamp(value: object) -> datetime:
    """An ISO 8601 string with an offset, normalised to UTC; anything else is refused."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("not an ISO 8601 timestamp") from None
    else:
        raise ValueError(f"expected an ISO 8601 timestamp string, got {type(value).__name__}")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError("timestamp without offset (add Z or +HH:MM)")
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:00:00-05:00 is past the last representable instant
        raise ValueError("timestamp out of range once converted to UTC") from None


def _default_source(value: object) -> object:
    """An absent or null `source` means records imported by hand: "import"."""
    return "import" if value is None else value


def _require_type(schema: dict[str, Any]) -> None:
    """JSON Schema: every line must name its `type` (the models default it for Python callers)."""
    schema["required"] = ["type", *schema.get("required", [])]


Timestamp = Annotated[datetime, BeforeValidator(parse_timestamp)]
Text = Annotated[str, Field(min_length=1)]
# Integers are stored as BIGINT: anything outside its range is bad input, not a failed write.
BigInt = Annotated[StrictInt, Field(ge=-(2**63), le=2**63 - 1)]
Count = Annotated[StrictInt, Field(ge=0, le=2**63 - 1)]
Source = Annotated[
    Text,
    BeforeValidator(_default_source),
    WithJsonSchema({"anyOf": [{"type": "string", "minLength": 1}, {"type": "null"}], "default": "import"}),
]


class _Record(BaseModel):
    """Base of every canonical record: unknown fields are refused, strings are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=False, frozen=True, json_schema_extra=_require_type)

    source: Source = "import"


class Team(_Record):
    type: Literal["team"] = "team"
    id: Text
    name: Text
    parent: str | None = None


class ServiceRepo(BaseModel):
    """A repository a service lives in; `path` is a monorepo prefix ('' or '/' = whole repo)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    repo: Text
    path: str | None = None

    @property
    def prefix(self) -> str:
        """The path normalised: no leading or trailing slash; '' for the whole repository."""
        return (self.path or "").strip("/")


class Service(_Record):
    type: Literal["service"] = "service"
    id: Text
    name: Text
    team: str | None = None
    lifecycle: str | None = None
    tier: str | None = None
    repos: list[ServiceRepo] | None = None
    annotations: dict[str, str] | None = None


class Repo(_Record):
    type: Literal["repo"] = "repo"
    id: Text
    provider: str | None = None
    default_branch: str | None = None
    url: str | None = None


class Commit(_Record):
    type: Literal["commit"] = "commit"
    repo: Text
    sha: Text
    authored_at: Timestamp
    committed_at: Timestamp | None = None
    author: str | None = None
    parents: list[Text] | None = None
    pull_request: str | None = None
    message: str | None = None
    files: list[Text] | None = None


class PullRequest(_Record):
    type: Literal["pull_request"] = "pull_request"
    id: Text
    repo: Text
    number: BigInt
    author: Text
    created_at: Timestamp
    title: str | None = None
    ready_at: Timestamp | None = None
    merged_at: Timestamp | None = None
    closed_at: Timestamp | None = None
    base_branch: str | None = None
    merge_commit_sha: str | None = None
    additions: Count | None = None
    deletions: Count | None = None
    labels: list[str] | None = None
    draft: StrictBool | None = None


class Review(_Record):
    type: Literal["review"] = "review"
    id: Text
    pull_request: Text
    reviewer: Text
    state: Literal["approved", "changes_requested", "commented", "dismissed"]
    submitted_at: Timestamp


class Deployment(_Record):
    type: Literal["deployment"] = "deployment"
    id: Text
    repo: Text
    environment: Text
    sha: Text
    status: Literal["success", "failure", "error", "cancelled"]
    finished_at: Timestamp
    service: str | None = None
    started_at: Timestamp | None = None
    commits: list[Text] | None = None

    @model_validator(mode="after")
    def _started_before_finished(self) -> Deployment:
        if self.started_at is not None and self.started_at > self.finished_at:
            raise ValueError("started_at is after finished_at")
        return self


class CausedBy(BaseModel):
    """What an incident names as its cause: a deployment id or a commit sha."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    deployment: str | None = None
    sha: str | None = None


class Incident(_Record):
    type: Literal["incident"] = "incident"
    id: Text
    started_at: Timestamp
    resolved_at: Timestamp | None = None
    service: str | None = None
    repo: str | None = None
    title: str | None = None
    severity: str | None = None
    caused_by: CausedBy | None = None
    labels: list[str] | None = None

    @model_validator(mode="after")
    def _started_before_resolved(self) -> Incident:
        if self.resolved_at is not None and self.resolved_at < self.started_at:
            raise ValueError("resolved_at is before started_at")
        return self


class PipelineRun(_Record):
    type: Literal["pipeline_run"] = "pipeline_run"
    id: Text
    repo: Text
    workflow: Text
    status: Text
    started_at: Timestamp
    sha: str | None = None
    branch: str | None = None
    event: str | None = None
    finished_at: Timestamp | None = None
    attempt: Annotated[Count, Field(ge=1)] | None = None


Event = Annotated[
    Team | Service | Repo | Commit | PullRequest | Review | Deployment | Incident | PipelineRun,
    Field(discriminator="type"),
]

EVENT_MODELS: dict[str, type[_Record]] = {
    model.model_fields["type"].default: model
    for model in (Team, Service, Repo, Commit, PullRequest, Review, Deployment, Incident, PipelineRun)
}
