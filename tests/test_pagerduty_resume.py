"""Kill-and-resume: `pitwall sync pagerduty` killed with SIGKILL mid-sync, then run again, ends
with exactly the incidents of an uninterrupted sync."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes.pagerduty import TOKEN, FakePagerDuty
from fakes.served import FakeServer

from helpers import kill_mid_sync_then_resume, run_pitwall
from warehouse import connect


def fake() -> FakePagerDuty:
    """250 incidents, one every 6 hours from Mar 1 2024 (every tenth still open): three pages."""
    pagerduty = FakePagerDuty()
    start = datetime(2024, 3, 1, tzinfo=UTC)
    for n in range(250):
        created = start + timedelta(hours=6 * n)
        pagerduty.incident(f"P{n:04d}", "PPAY", created,
                           resolved=None if n % 10 == 0 else created + timedelta(hours=1))
    return pagerduty


def arguments(db: Path, server: FakeServer) -> list[str]:
    return ["--db", str(db), "sync", "pagerduty", "--api-url", server.url, "--since", "2024-03-01"]


def incidents(db: Path) -> list[tuple]:
    con = connect(db, read_only=True)
    try:
        return con.execute("SELECT * FROM incidents ORDER BY id").fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def clean_rows(tmp_path_factory) -> list[tuple]:
    folder = tmp_path_factory.mktemp("clean")
    pagerduty = fake()
    with FakeServer(pagerduty) as server:
        result = run_pitwall(*arguments(folder / "w.duckdb", server), cwd=folder, env={"PAGERDUTY_TOKEN": TOKEN})
    assert result.returncode == 0, result.stderr
    assert len(pagerduty.requests("^/incidents\\?")) >= 3 and len(pagerduty.requests("^/incidents/")) == 25
    return incidents(folder / "w.duckdb")


@pytest.mark.parametrize("kill_at", [1, 2, 3, 6, 12, 30])
def test_a_killed_sync_resumes_to_the_incidents_of_a_clean_one(tmp_path, clean_rows, kill_at):
    pagerduty = fake()
    db = tmp_path / "w.duckdb"
    with FakeServer(pagerduty) as server:
        resumed = kill_mid_sync_then_resume(pagerduty, arguments(db, server), tmp_path,
                                            {"PAGERDUTY_TOKEN": TOKEN}, kill_at)
    assert resumed.returncode == 0, resumed.stderr
    assert incidents(db) == clean_rows
    con = connect(db, read_only=True)
    assert con.execute("SELECT status FROM sync_runs ORDER BY started_at").fetchall() == [
        ("interrupted",), ("success",)]
