"""`sync pagerduty` against the fake PagerDuty over real HTTP: windows, offset pagination and its
limit, bookmarks, open incidents re-read, services mapped, and DORA attribution by hand."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fakes.pagerduty import FakePagerDuty, sync_once
from fakes.served import FakeServer

from helpers import build_warehouse, deployment, dora_row, service
from ingest.pagerduty import TooManyIncidents
from warehouse import connect


def march(day: int, hour: int = 0) -> datetime:
    return datetime(2024, 3, day, hour, tzinfo=UTC)


def incidents(con) -> dict[str, tuple]:
    rows = con.execute("SELECT id, service, hour(started_at), resolved_at IS NOT NULL FROM incidents "
                       "WHERE source = 'pagerduty'").fetchall()
    return {row[0]: row[1:] for row in rows}


@pytest.fixture()
def catalogued(tmp_path):
    """payments (acme/app, annotated PPAY) deployed Mar 1 and Mar 4 at 10:00; search (acme/search)
    deployed Mar 10 at 10:00."""
    payments = {**service("payments", repos=["acme/app"]), "annotations": {"pagerduty.com/service-id": "PPAY"}}
    return build_warehouse(tmp_path, [
        payments, service("search", repos=["acme/search"]),
        deployment("d1", "s1", march(1, 10)), deployment("d2", "s2", march(4, 10), commits=["s2"]),
        deployment("d3", "s3", march(10, 10), repo="acme/search")])


def test_incidents_count_against_the_mapped_services_deployments(catalogued):
    pagerduty = FakePagerDuty()
    pagerduty.incident("PA", "PPAY", march(5, 12), resolved=march(5, 15))     # 26 h after d2: d2 failed
    pagerduty.incident("PB", "PPAY", march(20, 12), resolved=march(20, 13))   # 16 days after d2: none
    pagerduty.incident("PC", "PSRCH", march(11, 9), resolved=march(11, 10))   # search via pitwall.toml: d3
    pagerduty.incident("PD", "PXXX", march(12, 9))                             # unmapped, open
    with FakeServer(pagerduty) as server:
        sync_once(catalogued, server, services={"PSRCH": "search"})
    assert incidents(catalogued) == {"PA": ("payments", 12, True), "PB": ("payments", 12, True),
                                     "PC": ("search", 9, True), "PD": ("pagerduty:PXXX", 9, False)}
    attributed = dict(catalogued.execute(
        "SELECT incident_id, deployment_id FROM incident_attribution WHERE incident_source = 'pagerduty'").fetchall())
    assert attributed == {"PA": "d2", "PB": None, "PC": "d3", "PD": None}
    payments = dora_row(catalogued, group_by="service", group="payments")
    assert (payments["deployments"], payments["failed_deployments"]) == (2, 1)
    assert payments["change_failure_rate"] == 0.5
    assert payments["recovery_p50_hours"] == 29.0      # d2 Mar 4 10:00 -> PA resolved Mar 5 15:00
    search = dora_row(catalogued, group_by="service", group="search")
    assert (search["failed_deployments"], search["recovery_p50_hours"]) == (1, 24.0)   # d3 -> Mar 11 10:00


def test_history_is_read_in_windows_of_at_most_180_days_and_pages(tmp_path):
    pagerduty = FakePagerDuty()
    for n in range(5):
        pagerduty.incident(f"P{n}", "PPAY", datetime(2023, 2 + 2 * n, 1, tzinfo=UTC), resolved=datetime(
            2023, 2 + 2 * n, 1, 2, tzinfo=UTC))
    con = connect(tmp_path / "w.duckdb")
    with FakeServer(pagerduty) as server:
        summary = sync_once(con, server, since=datetime(2023, 1, 1, tzinfo=UTC), limit=2)
    # Jan 1 2023 .. Apr 1 2024 is 456 days: windows of 180, 180 and 96 days; the first holds
    # P0..P2 (Feb, Apr, Jun: two pages), the second P3, P4 (Aug, Oct)
    assert summary.windows == 3
    assert [e.path.split("?")[0] for e in pagerduty.requests()] == ["/incidents"] * 4
    assert all(e.status == 200 for e in pagerduty.requests())
    assert sorted(incidents(con)) == ["P0", "P1", "P2", "P3", "P4"]


def test_a_window_past_the_offset_limit_is_halved(tmp_path):
    pagerduty = FakePagerDuty(offset_cap=4)
    for day in range(1, 11):
        pagerduty.incident(f"P{day}", "PPAY", march(day), resolved=march(day, 1))
    con = connect(tmp_path / "w.duckdb")
    with FakeServer(pagerduty) as server:
        summary = sync_once(con, server, since=march(1), limit=2, offset_cap=4)
    assert sorted(incidents(con)) == sorted(f"P{day}" for day in range(1, 11))
    assert all(e.status == 200 for e in pagerduty.requests())
    assert summary.windows > 1


def test_a_re_sync_starts_at_the_bookmark_and_re_reads_open_incidents(tmp_path):
    pagerduty = FakePagerDuty()
    pagerduty.incident("PA", "PPAY", march(2, 12))                           # open
    pagerduty.incident("PB", "PPAY", march(3, 12), resolved=march(3, 13))
    con = connect(tmp_path / "w.duckdb")
    with FakeServer(pagerduty) as server:
        sync_once(con, server, since=march(1))
        assert incidents(con)["PA"] == ("pagerduty:PPAY", 12, False)
        pagerduty.incident("PA", "PPAY", march(2, 12), resolved=march(6, 9))  # resolved since
        pagerduty.log.clear()
        sync_once(con, server, since=march(1))
    listed = [e.path for e in pagerduty.requests("^/incidents\\?")]
    assert len(listed) == 1 and "since=2024-03-03T12%3A00%3A00Z" in listed[0]   # from PB's created_at
    assert [e.path for e in pagerduty.requests("^/incidents/")] == ["/incidents/PA"]
    assert con.execute("SELECT resolved_at FROM incidents WHERE id = 'PA'").fetchone()[0] == march(6, 9)


def test_resolved_at_is_preferred_and_a_legacy_incident_falls_back_to_its_last_change(tmp_path):
    pagerduty = FakePagerDuty()
    pagerduty.incident("PA", "PPAY", march(2, 12), resolved=march(2, 14))
    pagerduty.incident("PB", "PPAY", march(3, 12), resolved=march(3, 15), legacy=True)
    pagerduty.incidents["PA"]["last_status_change_at"] = "2024-03-09T00:00:00Z"   # a later note, not the resolution
    con = connect(tmp_path / "w.duckdb")
    with FakeServer(pagerduty) as server:
        sync_once(con, server, since=march(1))
    resolved = dict(con.execute("SELECT id, resolved_at FROM incidents").fetchall())
    assert resolved == {"PA": march(2, 14), "PB": march(3, 15)}


def test_service_ids_narrow_the_list(tmp_path):
    pagerduty = FakePagerDuty()
    pagerduty.incident("PA", "PPAY", march(2, 12))
    pagerduty.incident("PB", "POTHER", march(3, 12))
    con = connect(tmp_path / "w.duckdb")
    with FakeServer(pagerduty) as server:
        sync_once(con, server, service_ids=["PPAY"], since=march(1))
    assert list(incidents(con)) == ["PA"]
    assert pagerduty.requests()[0].path.startswith("/incidents?service_ids%5B%5D=PPAY&since=2024-03-01T00%3A00%3A00Z&")


def test_more_incidents_in_one_second_than_the_offset_limit_is_named(tmp_path):
    pagerduty = FakePagerDuty(offset_cap=2)
    for name in ("PA", "PB", "PC"):
        pagerduty.incident(name, "PPAY", march(2, 12))
    con = connect(tmp_path / "w.duckdb")
    with FakeServer(pagerduty) as server, pytest.raises(TooManyIncidents) as failure:
        sync_once(con, server, since=march(1), limit=1, offset_cap=2)
    assert str(failure.value).startswith("more than 2 PagerDuty incidents created within 2024-03-02T12:00:00Z")
    assert con.execute("SELECT status FROM sync_runs").fetchall() == [("failed",)]
