"""Kill-and-resume: `pitwall sync gitlab` killed with SIGKILL mid-sync, then run again, ends with
exactly the warehouse of an uninterrupted sync. The fake holds request number N open until the
process is killed, so the kill lands with pages half-walked."""
from __future__ import annotations

from pathlib import Path

import pytest
from fakes.common import canonical_rows
from fakes.gitlab import TOKEN, FakeGitLab, FakeGitLabServer, delivery_history, sync_once

from helpers import kill_mid_sync_then_resume
from warehouse import connect

PROJECTS = ("acme/app", "acme/lib")


def fake() -> FakeGitLab:
    """Two projects, two items a page: 56 requests for a full sync."""
    gitlab = FakeGitLab(page_size=2)
    for number, path in enumerate(PROJECTS):
        delivery_history(gitlab, path, offset=1000 * number)
    return gitlab


@pytest.fixture(scope="module")
def clean_rows(tmp_path_factory) -> dict:
    con = connect(tmp_path_factory.mktemp("clean") / "warehouse.duckdb")
    gitlab = fake()
    with FakeGitLabServer(gitlab) as server:
        sync_once(con, server, PROJECTS)
    assert len(gitlab.requests()) == 56
    return canonical_rows(con)


def arguments(db: Path, server: FakeGitLabServer) -> list[str]:
    projects = [argument for path in PROJECTS for argument in ("--project", path)]
    return ["--db", str(db), "sync", "gitlab", "--api-url", server.url, *projects]


@pytest.mark.parametrize("kill_at", [1, 6, 14, 23, 31, 40, 50])
def test_a_killed_sync_resumes_to_the_warehouse_of_a_clean_one(tmp_path, clean_rows, kill_at):
    gitlab = fake()
    db = tmp_path / "warehouse.duckdb"
    with FakeGitLabServer(gitlab) as server:
        resumed = kill_mid_sync_then_resume(gitlab, arguments(db, server), tmp_path, {"GITLAB_TOKEN": TOKEN}, kill_at)
    assert resumed.returncode == 0, resumed.stderr
    con = connect(db, read_only=True)
    assert canonical_rows(con) == clean_rows
    assert con.execute("SELECT status FROM sync_runs ORDER BY started_at").fetchall() == [
        ("interrupted",), ("success",)]
