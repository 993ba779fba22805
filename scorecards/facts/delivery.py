"""Delivery facts per service over the 90 days ending on the evaluation day: DORA (as
`pitwall metrics dora --by service --all-groups` computes them), CI and incidents."""
from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from metrics.dora import DORA_COLUMNS, dora_table
from scorecards.facts.registry import CatalogService, Fact, FactContext, FactProvider, ServiceFacts

__all__ = ["DORA_FACTS", "CI_FACTS", "INCIDENT_FACTS", "dora_provider", "ci_provider", "incident_provider",
           "PAGERDUTY_ANNOTATION", "FAILED_RUN_STATUSES"]

PAGERDUTY_ANNOTATION = "pagerduty.com/service-id"
FAILED_RUN_STATUSES = ("failure", "failed", "error", "timed_out", "startup_failure")

_DORA_DESCRIPTIONS = {
    "deployments": ("number", "Successful production deployments (0 without any)."),
    "deploys_per_week": ("number", "Deployments per week (0 without any)."),
    "changes": ("number", "Changes (pull requests, lone commits) shipped, with a lead time."),
    "lead_time_p50_hours": ("number", "Median lead time for changes, hours."),
    "lead_time_p90_hours": ("number", "The 90th percentile lead time for changes, hours."),
    "failed_deployments": ("number", "Deployments that caused an incident or were rolled back."),
    "change_failure_rate": ("number", "failed_deployments / deployments, 0 to 1."),
    "recovery_p50_hours": ("number", "Median failed-deployment recovery time, hours."),
    "rework_deployments": ("number", "Rework deployments (rollbacks, fixes during an incident, reverts)."),
    "rework_rate": ("number", "rework_deployments / deployments, 0 to 1."),
    "deploy_frequency_tier": ("text", "elite, high, medium or low (benchmark 2023)."),
    "lead_time_tier": ("text", "elite, high, medium or low (benchmark 2023)."),
    "change_failure_tier": ("text", "elite, high, medium or low (benchmark 2023)."),
    "recovery_tier": ("text", "elite, high, medium or low (benchmark 2023)."),
    "tier": ("text", "The lowest of the four tiers."),
}
DORA_FACTS = tuple(Fact(f"dora.{column}", *_DORA_DESCRIPTIONS[column]) for column in DORA_COLUMNS[1:])

CI_FACTS = (
    Fact("ci.runs", "number", "CI runs of the service's repositories that succeeded or failed (0 without any)."),
    Fact("ci.success_rate", "number", "Succeeded runs / (succeeded + failed runs), 0 to 1; cancelled, skipped "
                                      "and unfinished runs left out."),
)

INCIDENT_FACTS = (
    Fact("incidents.open", "number", "Incidents of the service open at the end of the evaluation day (0 without any)."),
    Fact("incidents.last_90_days", "number", "Incidents of the service that started in the 90 days."),
)

CI_RUNS = """
SELECT sr.service,
       count(*) FILTER (WHERE lower(r.status) = 'success') AS succeeded,
       count(*) FILTER (WHERE list_contains($failed, lower(r.status))) AS failed
FROM (SELECT DISTINCT service, repo FROM service_repos) AS sr
JOIN pipeline_runs AS r ON r.repo = sr.repo
WHERE r.started_at >= $since AND r.started_at < $until
GROUP BY sr.service
"""

# An incident belongs to a service when it names the service (its id, or the PagerDuty service
# id of its catalog annotation), when it is attributed to one of the service's deployments, or,
# naming no service, when it names one of the service's repositories.
INCIDENTS = """
WITH owned AS (
    SELECT k.service, i.source, i.id
    FROM incidents AS i
    JOIN service_keys AS k ON i.service = k.key
    UNION
    SELECT p.service, a.incident_source, a.incident_id
    FROM incident_attribution AS a
    JOIN prod_deployments AS p ON p.source = a.deployment_source AND p.id = a.deployment_id
    UNION
    SELECT sr.service, i.source, i.id
    FROM incidents AS i
    JOIN (SELECT DISTINCT service, repo FROM service_repos) AS sr ON i.service IS NULL AND i.repo = sr.repo
)
SELECT o.service,
       count(*) FILTER (WHERE i.started_at < $until AND (i.resolved_at IS NULL OR i.resolved_at >= $until)) AS open,
       count(*) FILTER (WHERE i.started_at >= $since AND i.started_at < $until) AS recent
FROM owned AS o
JOIN incidents AS i ON i.source = o.source AND i.id = o.id
GROUP BY o.service
"""


def _number(value: object) -> object:
    """A plain Python number or text, None for NaN."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _collect_dora(con: duckdb.DuckDBPyConnection, services: Sequence[CatalogService],
                  context: FactContext) -> ServiceFacts:
    frame = dora_table(con, *context.window, group_by="service", benchmark=context.benchmark, all_groups=True)
    rows = {row["group"]: row for row in frame.to_dict(orient="records")}
    facts: ServiceFacts = {}
    for service in services:
        row = rows.get(service.id, {})
        facts[service.id] = {fact.name: _number(row.get(fact.name.removeprefix("dora."))) for fact in DORA_FACTS}
    return facts


def _collect_ci(con: duckdb.DuckDBPyConnection, services: Sequence[CatalogService],
                context: FactContext) -> ServiceFacts:
    since, until = context.window
    counts = {service: (ok, failed) for service, ok, failed in con.execute(
        CI_RUNS, {"since": since, "until": until, "failed": list(FAILED_RUN_STATUSES)}).fetchall()}
    facts: ServiceFacts = {}
    for service in services:
        ok, failed = counts.get(service.id, (0, 0))
        facts[service.id] = {"ci.runs": ok + failed, "ci.success_rate": ok / (ok + failed) if ok + failed else None}
    return facts


def _collect_incidents(con: duckdb.DuckDBPyConnection, services: Sequence[CatalogService],
                       context: FactContext) -> ServiceFacts:
    since, until = context.window
    keys = [(s.id, s.id) for s in services] + [
        (s.id, s.annotations[PAGERDUTY_ANNOTATION]) for s in services if s.annotations.get(PAGERDUTY_ANNOTATION)]
    con.register("service_keys", pd.DataFrame(keys, columns=["service", "key"], dtype="object"))
    try:
        counts = {row[0]: row[1:] for row in con.execute(INCIDENTS, {"since": since, "until": until}).fetchall()}
    finally:
        con.unregister("service_keys")
    return {s.id: dict(zip(("incidents.open", "incidents.last_90_days"), counts.get(s.id, (0, 0))))
            for s in services}


dora_provider = FactProvider("dora", DORA_FACTS, _collect_dora)
ci_provider = FactProvider("ci", CI_FACTS, _collect_ci)
incident_provider = FactProvider("incidents", INCIDENT_FACTS, _collect_incidents)
