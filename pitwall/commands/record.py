"""`pitwall record deployment|incident`: one event from a CI or CD pipeline step (source "record").

Both commands validate through the canonical models (a bad value is one line naming the option,
exit 2), write with an idempotent upsert and refresh the derived tables, so running the same
command twice leaves one row.

- A deployment's id is `--id` when given, else derived from what identifies it:
  `REPO:ENVIRONMENT:SHA:FINISHED_AT` (environment lower-cased, finished_at in UTC, e.g.
  `acme/app:production:9f1c...:2026-03-02T09:15:00Z`). Without --finished-at the time is now,
  so a pipeline that may retry the step should pass --id (its run id) or --finished-at.
- An incident is keyed by `--id`. Recording it again updates it: options given replace the
  stored values, options left out keep them, so a later step can resolve it with
  `--id ID --resolved-at now`.
Timestamps are ISO 8601 with an offset, or `now`.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import click
import duckdb
from pydantic import ValidationError

from pitwall.context import AppContext, pass_app
from pitwall.errors import UserError
from pitwall.refresh import refresh_derived
from warehouse.models import Deployment, Incident, _Record
from warehouse.store import upsert_records
from warehouse.transaction import transaction

__all__ = ["record_group", "deployment_command", "incident_command", "derived_deployment_id"]

SOURCE = "record"
NOW = "now"
HEX_SHA = re.compile(r"^[0-9a-fA-F]{7,64}$")
STORED_INCIDENT = """
SELECT started_at, resolved_at, service, repo, title, severity, caused_by_deployment, caused_by_sha, labels
FROM incidents WHERE source = $source AND id = $id
"""
LOG_RUN = "INSERT INTO ingest_runs VALUES ($source, $target, now(), 1)"
FIELD_NAME = re.compile(r"\b[a-z]+_at\b")


def _option(loc: tuple[Any, ...]) -> str:
    """The command-line option of a model field (`finished_at` -> `--finished-at`)."""
    if not loc:
        return "options"
    if loc[0] == "commits":
        return "--commit"
    return "--" + "-".join(str(part) for part in loc).replace("_", "-")


def _validate(model: type[_Record], data: dict[str, Any]) -> _Record:
    """`data` as a canonical record; the first problem becomes one line naming its option."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problem = error.errors()[0]
        message = problem["msg"].removeprefix("Value error, ")
        if not problem["loc"]:  # a rule across fields: "started_at is after finished_at"
            raise UserError(FIELD_NAME.sub(lambda name: _option((name[0],)), message)) from None
        given = problem.get("input")
        shown = f" {given}" if isinstance(given, str) and given else ""
        raise UserError(f"{_option(problem['loc'])}{shown}: {message}") from None


def _timestamp(value: str | None, now: datetime) -> str | None:
    """A timestamp option: `now` is the command's start (UTC); anything else is validated by the model."""
    return now.isoformat() if value == NOW else value


def _sha(value: str) -> str:
    """A commit sha as git stores it: hexadecimal shas in lower case."""
    value = value.strip()
    return value.lower() if HEX_SHA.match(value) else value


def _present(**fields: Any) -> dict[str, Any]:
    """The options given: an empty value (an unset CI variable) counts as not given."""
    return {name: value for name, value in fields.items() if value not in (None, "", ())}


def derived_deployment_id(deployment: Deployment) -> str:
    """The id of a deployment recorded without --id: repo, environment, sha and finish time."""
    finished = deployment.finished_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return f"{deployment.repo}:{deployment.environment.lower()}:{deployment.sha}:{finished}"


def _save(con: duckdb.DuckDBPyConnection, record: _Record) -> None:
    """Write one record with its run log and refresh the derived tables, in one transaction."""
    with transaction(con):
        upsert_records(con, [record])
        con.execute(LOG_RUN, {"source": SOURCE, "target": f"{record.type} {record.id}"})
        refresh_derived(con)


@click.group("record")
def record_group() -> None:
    """Record one deployment or incident from a CI or CD pipeline step (no connector needed)."""


@record_group.command("deployment")
@click.option("--repo", required=True, metavar="OWNER/NAME", help="The repository deployed.")
@click.option("--sha", required=True, help="The commit deployed (the full sha).")
@click.option("--environment", required=True, help="The environment, e.g. production.")
@click.option("--status", required=True, metavar="success|failure|error|cancelled", help="How it ended.")
@click.option("--service", help="The service deployed (default: the service that lists the repo).")
@click.option("--finished-at", default=NOW, show_default=True, metavar="TIMESTAMP",
              help="When it finished: ISO 8601 with an offset, or `now`.")
@click.option("--started-at", metavar="TIMESTAMP", help="When it started (ISO 8601 with an offset, or `now`).")
@click.option("--id", "deployment_id", metavar="ID",
              help="A stable id (e.g. the pipeline run id); default: derived from repo, environment, sha, time.")
@click.option("--commit", "commits", multiple=True, metavar="SHA",
              help="A commit this deployment shipped (repeatable); default: found from the commit graph.")
@pass_app
def deployment_command(app: AppContext, repo: str, sha: str, environment: str, status: str, service: str | None,
                       finished_at: str, started_at: str | None, deployment_id: str | None,
                       commits: tuple[str, ...]) -> None:
    """Record a deployment (running it again with the same values changes nothing)."""
    now = datetime.now(UTC)
    data = _present(repo=repo, environment=environment, status=status, service=service,
                    finished_at=_timestamp(finished_at, now), started_at=_timestamp(started_at, now))
    data.update(source=SOURCE, id=deployment_id or "derived", sha=_sha(sha))
    if commits:
        data["commits"] = [_sha(commit) for commit in commits]
    record = _validate(Deployment, data)
    if not deployment_id:
        record = record.model_copy(update={"id": derived_deployment_id(record)})
    with app.open() as con:
        _save(con, record)
    click.echo(f"recorded deployment {record.id}: {record.status} to {record.environment} "
               f"at {record.finished_at.isoformat()}")


def _stored_incident(con: duckdb.DuckDBPyConnection, incident_id: str) -> dict[str, Any]:
    """The fields of the incident already recorded with this id (empty when there is none)."""
    row = con.execute(STORED_INCIDENT, {"source": SOURCE, "id": incident_id}).fetchone()
    if row is None:
        return {}
    started, resolved, service, repo, title, severity, by_deployment, by_sha, labels = row
    caused_by = _present(deployment=by_deployment, sha=by_sha) or None
    return _present(started_at=started, resolved_at=resolved, service=service, repo=repo, title=title,
                    severity=severity, caused_by=caused_by, labels=labels)


@record_group.command("incident")
@click.option("--id", "incident_id", required=True, metavar="ID", help="The incident's id in your tool.")
@click.option("--started-at", metavar="TIMESTAMP",
              help="When it began (ISO 8601 with an offset, or `now`); required for a new incident.")
@click.option("--resolved-at", metavar="TIMESTAMP", help="When it was resolved (leave out while it is open).")
@click.option("--service", help="The service affected.")
@click.option("--repo", metavar="OWNER/NAME", help="The repository affected.")
@click.option("--title", help="A short title.")
@click.option("--severity", help="Its severity, e.g. SEV2.")
@click.option("--caused-by-deployment", metavar="ID", help="The deployment that caused it.")
@click.option("--caused-by-sha", metavar="SHA", help="The commit that caused it.")
@pass_app
def incident_command(app: AppContext, incident_id: str, started_at: str | None, resolved_at: str | None,
                     service: str | None, repo: str | None, title: str | None, severity: str | None,
                     caused_by_deployment: str | None, caused_by_sha: str | None) -> None:
    """Record an incident, or update the one recorded with the same --id (e.g. to resolve it)."""
    if caused_by_deployment and caused_by_sha:
        raise UserError("--caused-by-deployment and --caused-by-sha: give one of them, not both")
    now = datetime.now(UTC)
    given = _present(started_at=_timestamp(started_at, now), resolved_at=_timestamp(resolved_at, now),
                     service=service, repo=repo, title=title, severity=severity)
    cause = _present(deployment=caused_by_deployment, sha=_sha(caused_by_sha) if caused_by_sha else None)
    if cause:
        given["caused_by"] = cause
    with app.open() as con:
        stored = _stored_incident(con, incident_id)
        if "started_at" not in given and "started_at" not in stored:
            raise UserError(f"--started-at is required: no incident {incident_id} has been recorded yet")
        record = _validate(Incident, {**stored, **given, "source": SOURCE, "id": incident_id})
        _save(con, record)
    state = f"resolved at {record.resolved_at.isoformat()}" if record.resolved_at else "open"
    click.echo(f"recorded incident {record.id}: started at {record.started_at.isoformat()}, {state}")
