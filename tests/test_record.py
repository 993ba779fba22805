"""`pitwall record deployment|incident` through the real console entry point.

The commits come from an imported event file; the deployments and incidents are recorded one
command at a time, as pipeline steps would. Figures are computed by hand next to each assert.
"""
from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from helpers import at, commit, dora_row, run_pitwall, warehouse_file
from warehouse import connect

API = "acme/api"
# k0 <- k1 <- k2 on acme/api (authored 1 00:00, 2 08:00, 4 06:00).
COMMITS = [commit("k0", at(1), repo=API), commit("k1", at(2, 8), ["k0"], repo=API),
           commit("k2", at(4, 6), ["k1"], repo=API)]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return warehouse_file(tmp_path, COMMITS)


def record(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_pitwall("--db", str(db), "record", *args, cwd=db.parent)


def recorded(db: Path, *args: str) -> str:
    done = record(db, *args)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def deploy(db: Path, sha: str, finished_at: datetime | str, *more: str, status: str = "success") -> str:
    at_text = finished_at if isinstance(finished_at, str) else finished_at.isoformat()
    return recorded(db, "deployment", "--repo", API, "--sha", sha, "--environment", "production",
                    "--status", status, "--finished-at", at_text, *more)


def query(db: Path, sql: str) -> list[tuple]:
    with connect(db, read_only=True) as con:
        return con.execute(sql).fetchall()


def org_row(db: Path) -> dict:
    with connect(db, read_only=True) as con:
        return dora_row(con)


def test_deployments_and_an_incident_make_the_hand_computed_figures(db):
    deploy(db, "k0", at(1, 12), "--id", "r0")
    line = deploy(db, "k1", at(2, 12))                               # id derived
    assert line == "recorded deployment acme/api:production:k1:2024-03-02T12:00:00Z: success to production " \
                   "at 2024-03-02T12:00:00+00:00"
    deploy(db, "k2", at(4, 10), "--id", "r2-try", status="failure")  # an attempt: in no figure
    deploy(db, "k2", at(4, 12), "--id", "r2", "--started-at", at(4, 11).isoformat(), "--service", "api")
    assert query(db, "SELECT id, sha, status, finished_at, started_at, service, source FROM deployments "
                     "ORDER BY finished_at") == [
        ("r0", "k0", "success", at(1, 12), None, None, "record"),
        ("acme/api:production:k1:2024-03-02T12:00:00Z", "k1", "success", at(2, 12), None, None, "record"),
        ("r2-try", "k2", "failure", at(4, 10), None, None, "record"),
        ("r2", "k2", "success", at(4, 12), at(4, 11), "api", "record"),
    ]
    row = org_row(db)
    # r0 first (no baseline); r1 ships k1 (2 08:00 -> 2 12:00: 4 h); r2 ships k2 (4 06:00 -> 4 12:00: 6 h).
    assert (row["deployments"], row["changes"], row["failed_deployments"]) == (3, 2, 0)
    assert row["lead_time_p50_hours"] == 5.0
    assert row["lead_time_p90_hours"] == pytest.approx(5.8)          # 4 + 0.9 * (6 - 4)

    line = recorded(db, "incident", "--id", "INC-7", "--started-at", at(4, 13).isoformat(),
                    "--caused-by-deployment", "r2", "--title", "Checkout errors", "--severity", "SEV2")
    assert line == "recorded incident INC-7: started at 2024-03-04T13:00:00+00:00, open"
    row = org_row(db)
    assert (row["failed_deployments"], row["change_failure_rate"]) == (1, pytest.approx(1 / 3))
    assert row["recovery_p50_hours"] is None                          # still open

    # A later step resolves it by id alone; what was recorded first stays.
    line = recorded(db, "incident", "--id", "INC-7", "--resolved-at", "2024-03-04T18:30:00+02:00")
    assert line == "recorded incident INC-7: started at 2024-03-04T13:00:00+00:00, " \
                   "resolved at 2024-03-04T16:30:00+00:00"
    assert query(db, "SELECT id, started_at, resolved_at, title, severity, caused_by_deployment, source "
                     "FROM incidents") == [
        ("INC-7", at(4, 13), at(4, 16, 30), "Checkout errors", "SEV2", "r2", "record")]
    row = org_row(db)
    assert row["recovery_p50_hours"] == 4.5                           # r2 at 4 12:00 -> resolved 4 16:30
    assert row["failed_deployments"] == 1


def test_an_incident_naming_a_commit_fails_the_deployment_that_shipped_it(db):
    deploy(db, "k0", at(1, 12), "--id", "r0")
    deploy(db, "k2", at(4, 12), "--id", "r2")                        # ships k1 and k2
    recorded(db, "incident", "--id", "INC-8", "--started-at", at(5).isoformat(), "--caused-by-sha", "k1")
    assert query(db, "SELECT deployment_id, method FROM incident_attribution") == [("r2", "caused_by.sha")]
    assert org_row(db)["failed_deployments"] == 1


def test_running_the_same_command_twice_leaves_one_row(db):
    for _ in range(2):
        deploy(db, "k1", "2024-03-02T13:00:00+01:00")
        deploy(db, "k2", at(4, 12), "--id", "pipeline-42", "--commit", "k2")
        recorded(db, "incident", "--id", "INC-1", "--started-at", at(5).isoformat())
    # The same instant written with another offset is the same deployment.
    deploy(db, "k1", "2024-03-02T12:00:00Z")
    assert query(db, "SELECT id, commits FROM deployments ORDER BY id") == [
        ("acme/api:production:k1:2024-03-02T12:00:00Z", None),
        ("pipeline-42", ["k2"]),
    ]
    assert query(db, "SELECT count(*) FROM incidents") == [(1,)]
    assert query(db, "SELECT count(*) FROM ingest_runs WHERE source = 'record'") == [(7,)]


def test_finished_at_defaults_to_now_and_shas_are_lower_cased(db):
    before = datetime.now(UTC)
    recorded(db, "deployment", "--repo", API, "--sha", "ABCDEF1234567", "--environment", "Production",
             "--status", "success", "--started-at", "now")
    after = datetime.now(UTC)
    [(deployment_id, sha, started_at, finished_at)] = query(db, "SELECT id, sha, started_at, finished_at "
                                                                "FROM deployments")
    assert sha == "abcdef1234567"
    assert before <= started_at == finished_at <= after      # one `now` for the whole command
    assert deployment_id == f"{API}:production:abcdef1234567:{finished_at.isoformat().replace('+00:00', 'Z')}"


@pytest.mark.parametrize(("args", "message"), [
    (["deployment", "--repo", API, "--sha", "k1", "--environment", "production", "--status", "success",
      "--finished-at", "2024-03-02T12:00:00"],
     "error: --finished-at 2024-03-02T12:00:00: timestamp without offset (add Z or +HH:MM)"),
    (["deployment", "--repo", API, "--sha", "k1", "--environment", "production", "--status", "done",
      "--finished-at", "2024-03-02T12:00:00Z"],
     "error: --status done: Input should be 'success', 'failure', 'error' or 'cancelled'"),
    (["deployment", "--repo", API, "--sha", "k1", "--environment", "production", "--status", "success",
      "--finished-at", "2024-03-02T12:00:00Z", "--started-at", "2024-03-02T13:00:00Z"],
     "error: --started-at is after --finished-at"),
    (["deployment", "--repo", API, "--sha", "k1", "--environment", "production", "--status", "success",
      "--finished-at", "yesterday"],
     "error: --finished-at yesterday: not an ISO 8601 timestamp"),
    (["incident", "--id", "INC-1", "--started-at", "2024-03-05"],
     "error: --started-at 2024-03-05: timestamp without offset (add Z or +HH:MM)"),
    (["incident", "--id", "INC-1", "--started-at", "2024-03-05T10:00:00Z", "--resolved-at", "2024-03-05T09:00:00Z"],
     "error: --resolved-at is before --started-at"),
    (["incident", "--id", "INC-1", "--resolved-at", "2024-03-05T09:00:00Z"],
     "error: --started-at is required: no incident INC-1 has been recorded yet"),
    (["incident", "--id", "INC-1", "--started-at", "2024-03-05T10:00:00Z", "--caused-by-deployment", "r1",
      "--caused-by-sha", "k1"],
     "error: --caused-by-deployment and --caused-by-sha: give one of them, not both"),
])
def test_bad_values_are_one_line_naming_the_option(db, args, message):
    before = query(db, "SELECT count(*) FROM ingest_runs")
    done = record(db, *args)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [message]
    assert query(db, "SELECT count(*) FROM ingest_runs") == before   # nothing written

