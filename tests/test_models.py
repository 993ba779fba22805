"""The canonical models (warehouse/models.py): timestamps, strict types, defaults, JSON Schema."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import TypeAdapter, ValidationError

from warehouse.models import (
    EVENT_MODELS,
    CausedBy,
    Deployment,
    Event,
    Incident,
    PipelineRun,
    PullRequest,
    ServiceRepo,
    Team,
    parse_timestamp,
)

UTC = UTC


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-03-01T10:00:00-07:00", datetime(2026, 3, 1, 17, 0, tzinfo=UTC)),
    ("2026-03-01T10:00:00+05:30", datetime(2026, 3, 1, 4, 30, tzinfo=UTC)),
    ("2026-03-01T10:00:00Z", datetime(2026, 3, 1, 10, 0, tzinfo=UTC)),
    ("2026-03-01T10:00:00+00:00", datetime(2026, 3, 1, 10, 0, tzinfo=UTC)),
    ("2026-03-01T23:30:00-01:00", datetime(2026, 3, 2, 0, 30, tzinfo=UTC)),  # crosses midnight
    ("2026-03-01T10:00:00.250Z", datetime(2026, 3, 1, 10, 0, 0, 250_000, tzinfo=UTC)),
])
def test_timestamps_with_an_offset_are_normalised_to_utc(text: str, expected: datetime) -> None:
    parsed = parse_timestamp(text)
    assert parsed == expected
    assert parsed.utcoffset().total_seconds() == 0


@pytest.mark.parametrize(("value", "reason"), [
    ("2026-03-01T10:00:00", "timestamp without offset (add Z or +HH:MM)"),
    ("2026-03-01", "timestamp without offset (add Z or +HH:MM)"),
    ("yesterday", "not an ISO 8601 timestamp"),
    ("", "not an ISO 8601 timestamp"),
    (1772359200, "expected an ISO 8601 timestamp string, got int"),
    ("9999-12-31T23:00:00-05:00", "timestamp out of range once converted to UTC"),
])
def test_bad_timestamps_are_refused_with_a_reason(value: object, reason: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_timestamp(value)
    assert str(caught.value) == reason


def test_every_event_type_has_a_model_named_by_its_type() -> None:
    assert sorted(EVENT_MODELS) == sorted([
        "team", "service", "repo", "commit", "pull_request", "review", "deployment", "incident",
        "pipeline_run"])
    for event_type, model in EVENT_MODELS.items():
        assert model.model_fields["type"].default == event_type


@pytest.mark.parametrize(("path", "prefix"), [
    (None, ""), ("", ""), ("/", ""), ("services/pay", "services/pay"),
    ("/services/pay/", "services/pay"), ("services/pay/", "services/pay"),
])
def test_service_repo_path_prefix_is_normalised(path: str | None, prefix: str) -> None:
    assert ServiceRepo(repo="acme/mono", path=path).prefix == prefix


def test_source_defaults_to_import_when_absent_or_null() -> None:
    assert Team.model_validate({"type": "team", "id": "t", "name": "T"}).source == "import"
    assert Team.model_validate({"type": "team", "id": "t", "name": "T", "source": None}).source == "import"
    assert Team.model_validate({"type": "team", "id": "t", "name": "T", "source": "github"}).source == "github"


@pytest.mark.parametrize("fields", [
    {"number": "12"},            # a number given as a string is not coerced
    {"number": 12.0},            # nor is a float
    {"number": True},            # nor a boolean
    {"number": 2**63},           # past BIGINT
    {"draft": "true"},           # a boolean as a string
    {"draft": 1},                # a boolean as a number
    {"labels": "hotfix"},        # a list as a string
    {"author": 42},              # a string as a number
    {"additions": -1},           # a count below zero
    {"id": ""},                  # an empty required string
])
def test_pull_request_types_are_strict(fields: dict[str, object]) -> None:
    good = {"type": "pull_request", "id": "acme/app#12", "repo": "acme/app", "number": 12,
            "author": "ann", "created_at": "2026-03-01T10:00:00Z"}
    assert PullRequest.model_validate(good).number == 12
    with pytest.raises(ValidationError):
        PullRequest.model_validate({**good, **fields})


def test_deployment_cannot_start_after_it_finished() -> None:
    fields = {"type": "deployment", "id": "d1", "repo": "acme/app", "environment": "production",
              "sha": "abc", "status": "success", "finished_at": "2026-03-01T10:00:00Z"}
    same_instant = Deployment.model_validate({**fields, "started_at": "2026-03-01T11:00:00+01:00"})
    assert same_instant.started_at == same_instant.finished_at
    with pytest.raises(ValidationError, match="started_at is after finished_at"):
        Deployment.model_validate({**fields, "started_at": "2026-03-01T10:00:01Z"})


def test_incident_cannot_resolve_before_it_started() -> None:
    fields = {"type": "incident", "id": "i1", "started_at": "2026-03-01T10:00:00Z"}
    assert Incident.model_validate({**fields, "resolved_at": "2026-03-01T10:00:00Z"}).resolved_at
    with pytest.raises(ValidationError, match="resolved_at is before started_at"):
        Incident.model_validate({**fields, "resolved_at": "2026-03-01T09:59:59Z"})


def test_unknown_fields_are_refused_also_inside_nested_objects() -> None:
    with pytest.raises(ValidationError):
        Team.model_validate({"type": "team", "id": "t", "name": "T", "parnet": "x"})
    with pytest.raises(ValidationError):
        CausedBy.model_validate({"deploy": "d1"})
    with pytest.raises(ValidationError):
        ServiceRepo.model_validate({"repo": "acme/app", "prefix": "/"})


def test_pipeline_run_attempt_starts_at_one() -> None:
    fields = {"type": "pipeline_run", "id": "p1", "repo": "acme/app", "workflow": "ci",
              "status": "success", "started_at": "2026-03-01T10:00:00Z"}
    assert PipelineRun.model_validate({**fields, "attempt": 1}).attempt == 1
    with pytest.raises(ValidationError):
        PipelineRun.model_validate({**fields, "attempt": 0})


def test_json_schema_requires_type_and_maps_every_type() -> None:
    schema = TypeAdapter(Event).json_schema()
    assert set(schema["discriminator"]["mapping"]) == set(EVENT_MODELS)
    for definition in (schema["$defs"][ref["$ref"].rsplit("/", 1)[1]] for ref in schema["oneOf"]):
        assert definition["required"][0] == "type"
        assert definition["additionalProperties"] is False
    assert schema["$defs"]["Deployment"]["required"] == [
        "type", "id", "repo", "environment", "sha", "status", "finished_at"]
