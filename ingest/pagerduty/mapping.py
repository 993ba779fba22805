"""Pure mapping of PagerDuty incidents to canonical records, and of services to Pitwall services.

An incident keeps PagerDuty's own id (source "pagerduty" keeps it apart from other sources). Its
service is the Pitwall service its PagerDuty service maps to (pitwall.toml first, then the
catalog annotation); an unmapped one is `pagerduty:<SERVICE ID>`, which no deployment counts
for: the incident shows as unattributed in data health, naming the service to map.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from warehouse.models import Incident

__all__ = ["SOURCE", "ANNOTATION", "map_incident", "service_of", "unmapped_service"]

SOURCE = "pagerduty"
ANNOTATION = "pagerduty.com/service-id"


def unmapped_service(service_id: str) -> str:
    return f"pagerduty:{service_id}"


def service_of(incident: Mapping[str, Any], services: Mapping[str, str]) -> str | None:
    """The Pitwall service of an incident's PagerDuty service (see the module docstring)."""
    service_id = (incident.get("service") or {}).get("id")
    if not service_id:
        return None
    return services.get(service_id) or unmapped_service(service_id)


def map_incident(incident: Mapping[str, Any], services: Mapping[str, str]) -> Incident:
    """Started when created; resolved at `resolved_at`, else (older payloads) at the last status
    change of a resolved incident; severity the priority's name, else the urgency."""
    resolved = None
    if incident.get("status") == "resolved":
        resolved = incident.get("resolved_at") or incident.get("last_status_change_at")
    priority = incident.get("priority") or {}
    identifier = incident["id"]  # null is no id (str() would make it "None")
    return Incident(source=SOURCE, id=None if identifier is None else str(identifier),
                    started_at=incident["created_at"], resolved_at=resolved, service=service_of(incident, services),
                    title=incident.get("title") or incident.get("summary"),
                    severity=priority.get("summary") or incident.get("urgency"))
