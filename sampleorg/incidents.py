"""Incidents no deployment caused, and the organisation-wide incident numbering.

Incidents caused by deployments come from the history simulation (history.py). Here: outages of
shared infrastructure that name no service (never attributed), incidents of rarely deployed
services long after their last deployment (unattributed: outside the 7-day window), and one
incident still open at the anchor date.
"""
from __future__ import annotations

import bisect
import random
from datetime import datetime, timedelta

from sampleorg import text
from sampleorg.config import ServiceConfig
from sampleorg.history import RepoHistory
from sampleorg.model import Incident

__all__ = ["number_incidents", "unrelated_incidents"]

PER_MONTH = 1.5
QUIET_DAYS = 8  # a service incident this long after the last deployment stays unattributed


def _infrastructure(rng: random.Random, start: datetime, end: datetime) -> list[Incident]:
    days = (end - start).days
    incidents = []
    for _ in range(round(days / 30 * PER_MONTH)):
        started = start + timedelta(seconds=rng.randrange(days * 86400))
        resolved = started + timedelta(minutes=rng.randint(20, 360))
        incidents.append(Incident(started, resolved if resolved < end else None,
                                  text.unrelated_incident_title(rng), rng.choice(("sev2", "sev3", "sev4"))))
    still_open = end - timedelta(hours=rng.randint(6, 30))
    incidents.append(Incident(still_open, None, "Intermittent SSO login failures for EU users", "sev3"))
    return incidents


def _quiet_service(rng: random.Random, history: RepoHistory, start: datetime, end: datetime) -> list[Incident]:
    """Incidents of a rarely deployed service, each more than QUIET_DAYS after its last deployment."""
    incidents = []
    for service in history.plan.services:
        times = sorted(d.finished_at for d in history.production if d.service_id == service.id)
        for _ in range(2):
            started = start + timedelta(seconds=rng.randrange(int((end - start).total_seconds())))
            previous = bisect.bisect_right(times, started)
            if previous and started - times[previous - 1] <= timedelta(days=QUIET_DAYS):
                continue
            resolved = started + timedelta(hours=rng.uniform(2, 30))
            incidents.append(Incident(started.replace(microsecond=0),
                                      resolved.replace(microsecond=0) if resolved < end else None,
                                      f"Batch job stuck on {service.id}", "sev4", service=service.id))
    return incidents


def unrelated_incidents(histories: list[RepoHistory], start: datetime, end: datetime,
                        salt: str) -> list[Incident]:
    """Incidents without a causing deployment, for the whole organisation."""
    rng = random.Random(f"{salt}:incidents")
    incidents = _infrastructure(rng, start, end)
    for history in histories:
        if any(_rarely_deployed(service) for service in history.plan.services):
            incidents += _quiet_service(rng, history, start, end)
    return incidents


def _rarely_deployed(service: ServiceConfig) -> bool:
    """Deploys less often than every two quiet periods (the low profile)."""
    profile = service.profile
    return profile.deploy == "scheduled" and profile.deploy_every_days[0] > 2 * QUIET_DAYS


def number_incidents(incidents: list[Incident]) -> list[Incident]:
    """Sorted by start, numbered INC-1001 onwards."""
    ordered = sorted(incidents, key=lambda i: (i.started_at, i.title))
    for offset, incident in enumerate(ordered):
        incident.number = 1001 + offset
    return ordered
