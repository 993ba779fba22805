"""Kill-and-resume: `pitwall sync github` killed with SIGKILL at any moment, then run again,
ends with exactly the warehouse of an uninterrupted sync (nothing lost, nothing duplicated).

The fake holds request number N open until the test has killed the client, so the kill lands
while requests are in flight, pages half-walked and batches possibly mid-commit.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from fakes.common import canonical_rows
from fakes.github import TOKEN, FakeGitHub, FakeGitHubServer, delivery_history, sync_once

from helpers import kill_mid_sync_then_resume
from warehouse import connect

REPOS = ("acme/app", "acme/lib")


def fake() -> FakeGitHub:
    """Two repositories, two items a page: about 80 requests for a full sync."""
    github = FakeGitHub(page_size=2)
    for name in REPOS:
        delivery_history(github, name)
    return github


@pytest.fixture(scope="module")
def clean_rows(tmp_path_factory) -> dict:
    con = connect(tmp_path_factory.mktemp("clean") / "warehouse.duckdb")
    github = fake()
    with FakeGitHubServer(github) as server:
        sync_once(con, server, REPOS)
    assert len(github.requests()) > 70
    return canonical_rows(con)


def sync_arguments(db: Path, server: FakeGitHubServer) -> list[str]:
    return ["--db", str(db), "sync", "github", "--api-url", server.url, *[a for r in REPOS for a in ("--repo", r)]]


@pytest.mark.parametrize("kill_at", [1, 9, 24, 41, 58, 72])
def test_a_killed_sync_resumes_to_the_warehouse_of_a_clean_one(tmp_path, clean_rows, kill_at):
    github = fake()
    db = tmp_path / "warehouse.duckdb"
    with FakeGitHubServer(github) as server:
        resumed = kill_mid_sync_then_resume(github, sync_arguments(db, server), tmp_path,
                                            {"GITHUB_TOKEN": TOKEN}, kill_at)
    assert resumed.returncode == 0, resumed.stderr
    con = connect(db, read_only=True)
    assert canonical_rows(con) == clean_rows
    assert con.execute("SELECT status FROM sync_runs ORDER BY started_at").fetchall() == [
        ("interrupted",), ("success",)]
