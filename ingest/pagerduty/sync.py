"""`pitwall sync pagerduty`: incidents in date windows from the bookmark, open ones re-read.

The list is read oldest first (`sort_by=created_at:asc`) in windows of at most 180 days; each
page, its raw documents and the bookmark (the newest `created_at` stored) are one transaction,
so a killed sync resumes where it stopped (`since` is inclusive: the incidents at the bookmark
come back and are simply written again). A window whose `total` passes the offset limit
(offset + limit <= 10,000) is halved. Incidents still open are then re-read one by one, so
their resolution arrives however old they are. Last, every PagerDuty incident's service is
mapped again with the mapping in force (pitwall.toml, then the catalog annotation).
"""
from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import pandas as pd

from ingest.http import HttpClient, RequestStats
from ingest.page_errors import reading
from ingest.pagerduty.mapping import ANNOTATION, SOURCE, map_incident
from ingest.pagerduty.windows import halves, windows
from ingest.raw import RawDocument, put_documents
from ingest.sync_log import logged_run
from ingest.sync_state import StreamState, load_state, save_state
from warehouse.models import parse_timestamp
from warehouse.store import upsert_records
from warehouse.transaction import transaction

__all__ = ["PagerdutySettings", "SyncSummary", "TooManyIncidents", "sync_pagerduty", "service_map"]

RAW_SCOPE = "incidents"
STREAM = "incidents"
DEFAULT_HISTORY = timedelta(days=365)
RE_READ_BATCH = 100

CATALOG_SERVICES = """
SELECT json_extract_string(annotations, $path) AS service_id, id
FROM services
WHERE json_extract_string(annotations, $path) IS NOT NULL
ORDER BY source, id
"""
OPEN_INCIDENTS = "SELECT id FROM incidents WHERE source = $source AND resolved_at IS NULL ORDER BY id"
REMAP_SERVICES = """
UPDATE incidents SET service = mapped.service
FROM (
    SELECT raw.key AS id, coalesce(m.service, 'pagerduty:' || raw.service_id) AS service
    FROM (SELECT key, json_extract_string(body, '$.service.id') AS service_id
          FROM raw_documents WHERE source = $source AND kind = 'incident') AS raw
    LEFT JOIN pagerduty_service_map AS m ON m.service_id = raw.service_id
    WHERE raw.service_id IS NOT NULL
) AS mapped
WHERE incidents.source = $source AND incidents.id = mapped.id
  AND incidents.service IS DISTINCT FROM mapped.service
"""


class TooManyIncidents(Exception):
    """More incidents were created within one second than the offset limit lets a list reach."""


@dataclass(frozen=True)
class PagerdutySettings:
    """`service_ids`: only these PagerDuty services (all when empty); `since`: the first sync's
    start (default a year back); `limit`/`offset_cap`: PagerDuty's page size and offset limit."""

    service_ids: tuple[str, ...] = ()
    since: datetime | None = None
    limit: int = 100
    offset_cap: int = 10_000


@dataclass(frozen=True)
class SyncSummary:
    seconds: float
    stats: RequestStats
    records: Counter = field(default_factory=Counter)
    windows: int = 0

    def line(self) -> str:
        s = self.stats
        written = sum(self.records.values())
        windows = f"{self.windows} window" + ("" if self.windows == 1 else "s")
        return (f"synced PagerDuty in {self.seconds:.1f} s: {windows}, {s.requests} requests, "
                f"{s.rate_limit_waits} rate-limit waits, {s.retries} retries; {written} incident records written")


def service_map(con: duckdb.DuckDBPyConnection, configured: Mapping[str, str]) -> dict[str, str]:
    """PagerDuty service id -> Pitwall service: the catalog annotation, overridden by pitwall.toml."""
    rows = con.execute(CATALOG_SERVICES, {"path": f'$."{ANNOTATION}"'}).fetchall()
    found = {service_id: service for service_id, service in rows}
    return {**found, **configured}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Run:
    def __init__(self, con: duckdb.DuckDBPyConnection, client: HttpClient, settings: PagerdutySettings,
                 services: Mapping[str, str]):
        self.con, self.client, self.settings, self.services = con, client, settings, services
        self.scope = "services:" + ",".join(sorted(settings.service_ids)) if settings.service_ids else "all"
        self.path = "/incidents" + "".join(
            f"{'?' if i == 0 else '&'}service_ids[]={sid}" for i, sid in enumerate(sorted(settings.service_ids)))
        self.records: Counter = Counter()
        self.windows = 0
        self.bookmark = load_state(con, SOURCE, self.scope, STREAM).bookmark

    def write(self, incidents: Sequence[dict[str, Any]], bookmark: str | None) -> None:
        """Store a page of incidents (and the bookmark, when it moves) in one transaction."""
        with transaction(self.con):
            put_documents(self.con, SOURCE, [RawDocument(RAW_SCOPE, "incident", str(i["id"]), i,
                                                         version=i.get("updated_at")) for i in incidents])
            self.records.update(upsert_records(self.con, [map_incident(i, self.services) for i in incidents]))
            if bookmark is not None:
                save_state(self.con, SOURCE, self.scope, STREAM, StreamState(bookmark=bookmark))

    def walk(self, start: datetime, end: datetime) -> None:
        """Every incident created in [start, end), page by page; halved past the offset limit."""
        self.windows += 1
        limit = self.settings.limit
        offset = 0
        while True:
            if offset + limit > self.settings.offset_cap:
                return self._halve(start, end)
            params = {"since": _iso(start), "until": _iso(end), "limit": limit, "offset": offset,
                      "sort_by": "created_at:asc", "time_zone": "UTC"}
            if offset == 0:
                params["total"] = "true"
            response = self.client.get(self.path, params=params)
            with reading(response.url):  # a page of the wrong shape: bad input from that URL
                data = response.data
                if offset == 0 and (data.get("total") or 0) > self.settings.offset_cap:
                    return self._halve(start, end)
                incidents = data.get("incidents") or []
                newest = max((i["created_at"] for i in incidents), key=parse_timestamp, default=None)
                if newest and (self.bookmark is None or parse_timestamp(newest) > parse_timestamp(self.bookmark)):
                    self.bookmark = newest
                self.write(incidents, self.bookmark)
                more = data.get("more")
            if not more:
                return
            offset += limit

    def _halve(self, start: datetime, end: datetime) -> None:
        if end - start <= timedelta(seconds=1):
            raise TooManyIncidents(f"more than {self.settings.offset_cap} PagerDuty incidents created within "
                             f"{_iso(start)} .. {_iso(end)}: cannot page through them")
        for part in halves(start, end):
            self.walk(*part)

    def re_read_open(self) -> None:
        """GET /incidents/{id} for each stored incident not yet resolved (batches of writes)."""
        ids = [row[0] for row in self.con.execute(OPEN_INCIDENTS, {"source": SOURCE}).fetchall()]
        for first in range(0, len(ids), RE_READ_BATCH):
            self.write([self._incident(incident_id) for incident_id in ids[first:first + RE_READ_BATCH]], None)

    def _incident(self, incident_id: str) -> dict[str, Any]:
        """One incident, checked where its URL is known."""
        response = self.client.get(f"/incidents/{incident_id}")
        with reading(response.url):
            incident = response.data["incident"]
            map_incident(incident, self.services)
        return incident


def remap_services(con: duckdb.DuckDBPyConnection, services: Mapping[str, str]) -> None:
    """Set every PagerDuty incident's service from its stored JSON and the mapping in force."""
    frame = pd.DataFrame(list(services.items()), columns=["service_id", "service"], dtype="object")
    con.register("pagerduty_service_map", frame)
    try:
        con.execute(REMAP_SERVICES, {"source": SOURCE})
    finally:
        with contextlib.suppress(duckdb.Error):
            con.unregister("pagerduty_service_map")


def sync_pagerduty(con: duckdb.DuckDBPyConnection, settings: PagerdutySettings, client: HttpClient, *,
                   configured_services: Mapping[str, str] | None = None,
                   now: datetime | None = None) -> SyncSummary:
    """Sync the incidents (of `settings.service_ids`, else all) up to `now`; derived tables are the caller's."""
    started = time.monotonic()
    end = now or datetime.now(UTC)
    services = service_map(con, configured_services or {})
    run = _Run(con, client, settings, services)
    with logged_run(con, SOURCE, run.scope, client, run.records):
        start = parse_timestamp(run.bookmark) if run.bookmark else (settings.since or end - DEFAULT_HISTORY)
        for window in windows(start, end):
            run.walk(*window)
        run.re_read_open()
        remap_services(con, services)
    return SyncSummary(time.monotonic() - started, client.stats, run.records, run.windows)
