"""Faults of the fake PagerDuty over real HTTP, and the CLI's one-line errors (never the key)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fakes.common import VirtualClock
from fakes.pagerduty import TOKEN, FakePagerDuty, sync_once
from fakes.served import FakeServer

from helpers import files_bytes, run_pitwall, write_settings
from warehouse import connect

SINCE = datetime(2024, 3, 1, tzinfo=UTC)


def fake() -> FakePagerDuty:
    """Five incidents in March 2024 (PPAY), one still open."""
    pagerduty = FakePagerDuty()
    for day in range(1, 6):
        pagerduty.incident(f"P{day}", "PPAY", datetime(2024, 3, day, 9, tzinfo=UTC),
                           resolved=datetime(2024, 3, day, 11, tzinfo=UTC) if day < 5 else None)
    return pagerduty


def rows(con) -> list[tuple]:
    return con.execute("SELECT * FROM incidents ORDER BY id").fetchall()


@pytest.fixture(scope="module")
def clean_rows(tmp_path_factory) -> list[tuple]:
    con = connect(tmp_path_factory.mktemp("clean") / "w.duckdb")
    with FakeServer(fake()) as server:
        sync_once(con, server, since=SINCE, limit=2)
    return rows(con)


FAULTS = [
    pytest.param(r"offset=2", "status", {"status": 503}, "retries", id="5xx"),
    pytest.param(r"offset=0", "reset", {"seconds": 30}, "rate_limit_waits", id="429-ratelimit-reset"),
    pytest.param(r"offset=4", "drop", {}, "retries", id="dropped-connection"),
    pytest.param(r"^/incidents/P5", "truncate", {}, "retries", id="truncated-json"),
]


@pytest.mark.parametrize(("pattern", "kind", "options", "counter"), FAULTS)
def test_a_transient_fault_leaves_the_same_warehouse(tmp_path, clean_rows, pattern, kind, options, counter):
    pagerduty = fake()
    fault = pagerduty.fault(pattern, kind, **options)
    con = connect(tmp_path / "w.duckdb")
    clock = VirtualClock()
    notices: list[str] = []
    with FakeServer(pagerduty) as server:
        summary = sync_once(con, server, since=SINCE, limit=2, clock=clock, notices=notices)
    assert fault.hits == 1
    assert getattr(summary.stats, counter) == 1
    assert len(notices) == 1 and TOKEN not in notices[0]
    assert rows(con) == clean_rows
    if kind == "reset":      # PagerDuty's reset is seconds from now, not an epoch
        assert 30 <= clock.slept[0] <= 32


@pytest.fixture()
def served():
    pagerduty = fake()
    with FakeServer(pagerduty) as server:
        yield pagerduty, server


def sync_cli(tmp_path, server, *args: str, token: str = TOKEN):
    return run_pitwall("--db", str(tmp_path / "w.duckdb"), "sync", "pagerduty", "--api-url", server.url,
                       "--since", "2024-03-01", *args, cwd=tmp_path, env={"PAGERDUTY_TOKEN": token})


def test_the_cli_syncs_maps_services_from_pitwall_toml_and_hides_the_key(tmp_path, served):
    _, server = served
    write_settings(tmp_path, '[ingest.pagerduty]\nservices = {PPAY = "payments"}\n')
    result = sync_cli(tmp_path, server)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("synced PagerDuty in ")
    assert result.stdout.endswith(" 0 rate-limit waits, 0 retries; 6 incident records written\n")  # 5 + P5 re-read
    assert TOKEN not in result.stdout + result.stderr
    assert TOKEN.encode() not in files_bytes(tmp_path, "w.duckdb*")
    con = connect(tmp_path / "w.duckdb", read_only=True)
    assert con.execute("SELECT DISTINCT service FROM incidents").fetchall() == [("payments",)]


def test_a_rejected_key_is_one_line_naming_the_url(tmp_path, served):
    _, server = served
    wrong = "u+wrong0key"
    result = sync_cli(tmp_path, server, token=wrong)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: GET {server.url}/incidents?since=2024-03-01T00%3A00%3A00Z&")
    assert result.stderr.endswith(": 401 Unauthorized: PAGERDUTY_TOKEN was rejected\n")
    assert wrong not in result.stdout + result.stderr


def test_a_missing_permission_is_one_line(tmp_path, served):
    pagerduty, server = served
    pagerduty.fault("", "forbidden", times=None)
    result = sync_cli(tmp_path, server)
    assert result.returncode == 2
    assert result.stderr.endswith(": 403 403 Forbidden: PAGERDUTY_TOKEN lacks a permission\n")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(("args", "token", "message"), [
    (("--service", "payments"), TOKEN, "error: --service payments: expected a PagerDuty service id"),
    ((), "", "error: PAGERDUTY_TOKEN is not set"),
    (("--api-url", "ftp://x"), TOKEN, "error: --api-url ftp://x: expected an http(s) URL"),
])
def test_usage_errors_are_one_line(tmp_path, served, args, token, message):
    _, server = served
    result = sync_cli(tmp_path, server, *args, token=token)
    assert result.returncode == 2
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1
