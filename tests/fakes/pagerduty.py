"""A fake PagerDuty REST API v2 over real HTTP on 127.0.0.1, shaped like the vendor's example.

`GET /incidents` with since/until (created_at, since inclusive; a span over 180 days is a 400),
`service_ids[]`, `sort_by=created_at:asc`, offset pagination with `more` (offset + limit over
the cap is a 400), `total=true`; `GET /incidents/{id}`. Authentication: `Authorization: Token
token=KEY`. A rate-limit 429 carries `ratelimit-reset` in seconds from now.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from fakes.common import VirtualClock, client_options, iso
from fakes.served import Answer, FakeServer, Served
from ingest.pagerduty import PagerdutySettings, SyncSummary, make_client, sync_pagerduty
from metrics.settings import MetricsSettings
from pitwall.refresh import refresh_derived

__all__ = ["TOKEN", "FakePagerDuty", "sync_once", "NOW"]

TOKEN = "u+fake0pagerduty0key0000"
NOW = datetime(2024, 4, 1, tzinfo=UTC)
MAX_SPAN = timedelta(days=180)


def _bad_request(message: str) -> dict[str, Any]:
    return {"error": {"message": "Invalid Input Provided", "code": 2001, "errors": [message]}}


class FakePagerDuty(Served):
    """Incidents, served like PagerDuty; `offset_cap` is PagerDuty's 10,000 (smaller in tests)."""

    unauthorized = {"error": {"message": "Authentication failed", "code": 2006}}

    def __init__(self, *, token: str = TOKEN, offset_cap: int = 10_000):
        super().__init__()
        self.token = token
        self.offset_cap = offset_cap
        self.incidents: dict[str, dict] = {}

    def incident(self, id: str, service: str, created: datetime, *, resolved: datetime | None = None,
                 status: str | None = None, urgency: str = "high", legacy: bool = False) -> dict:
        """Add (or replace) an incident; `legacy` leaves out resolved_at (last_status_change_at only)."""
        status = status or ("resolved" if resolved else "triggered")
        changed = resolved or created
        incident = {
            "id": id, "type": "incident", "summary": f"[#{len(self.incidents) + 1}] {id} is down",
            "self": f"https://api.pagerduty.com/incidents/{id}", "incident_number": len(self.incidents) + 1,
            "title": f"{id} is down", "created_at": iso(created), "updated_at": iso(changed), "status": status,
            "service": {"id": service, "type": "service_reference", "summary": f"Service {service}"},
            "last_status_change_at": iso(changed), "urgency": urgency, "priority": None,
            "assignments": [], "teams": []}
        if not legacy:
            incident["resolved_at"] = iso(resolved) if resolved else None
        self.incidents[id] = incident
        return incident

    def authorized(self, headers: Any) -> bool:
        return headers.get("Authorization") == f"Token token={self.token}" and \
            headers.get("Accept") == "application/vnd.pagerduty+json;version=2"

    def rate_limited(self, seconds: float) -> dict[str, str]:
        return {"ratelimit-limit": "960", "ratelimit-remaining": "0", "ratelimit-reset": str(int(seconds))}

    def answer(self, path: str, query: list[tuple[str, str]], host: str) -> Answer:
        if path.startswith("/incidents/"):
            found = self.incidents.get(path.removeprefix("/incidents/"))
            if found is None:
                return 404, {"error": {"message": "Not Found", "code": 2100}}, {}
            return 200, {"incident": found}, {}
        if path != "/incidents":
            return 404, {"error": {"message": "Not Found", "code": 2100}}, {}
        return self._list(query)

    def _list(self, query: list[tuple[str, str]]) -> Answer:
        params = dict(query)
        services = {value for key, value in query if key == "service_ids[]"}
        since = datetime.fromisoformat(params["since"])
        until = datetime.fromisoformat(params["until"])
        limit, offset = int(params.get("limit", 25)), int(params.get("offset", 0))
        if until - since > MAX_SPAN:
            return 400, _bad_request("Date range is too large"), {}
        if offset + limit > self.offset_cap or limit > 100:
            return 400, _bad_request("Offset must be less than 10000"), {}
        found = sorted((i for i in self.incidents.values()
                        if since <= datetime.fromisoformat(i["created_at"]) < until
                        and (not services or i["service"]["id"] in services)),
                       key=lambda i: (i["created_at"], i["id"]))
        page = found[offset:offset + limit]
        body = {"incidents": page, "limit": limit, "offset": offset, "more": offset + limit < len(found),
                "total": len(found) if params.get("total") == "true" else None}
        return 200, body, {"ratelimit-limit": "960", "ratelimit-remaining": "900", "ratelimit-reset": "30"}


def sync_once(con: duckdb.DuckDBPyConnection, server: FakeServer, *, service_ids: Sequence[str] = (),
              services: dict[str, str] | None = None, clock: VirtualClock | None = None,
              notices: list[str] | None = None, now: datetime = NOW, **options: Any) -> SyncSummary:
    """One `sync pagerduty` run against the fake on a virtual clock, then the derived tables."""
    settings = PagerdutySettings(service_ids=tuple(service_ids), **options)
    with make_client(server.url, TOKEN, **client_options(clock, notices)) as client:
        summary = sync_pagerduty(con, settings, client, configured_services=services or {}, now=now)
    refresh_derived(con, MetricsSettings())
    return summary
