"""`pitwall rebuild`: the GitHub rows again from the raw JSON store, offline, after a setting changed."""
from __future__ import annotations

import pytest
from fakes.common import canonical_rows
from fakes.github import FakeGitHub, FakeGitHubServer, delivery_history, sync_once

from helpers import at, dora_row, run_pitwall
from ingest.github import GithubSettings, rebuild_github
from warehouse import connect

REPO = "acme/app"


@pytest.fixture
def synced(tmp_path):
    """A warehouse file synced from a repository with issues labelled in several ways; the fake
    server is gone afterwards, so whatever comes next is offline."""
    github = FakeGitHub()
    repo = delivery_history(github, REPO)            # issue 1000: `incident`, on the 3rd
    repo.issue(1001, created=at(4, 11), closed=at(4, 15), labels=["SEV1"])
    repo.issue(1002, created=at(4, 12), labels=["bug"])
    repo.commit("p1", at(5, 9), ["c4"])
    repo.deployment(300, "p1", created=at(6, 9), environment="prod", statuses=[("success", at(6, 10))])
    path = tmp_path / "warehouse.duckdb"
    con = connect(path)
    with FakeGitHubServer(github) as server:
        sync_once(con, server, [REPO])
    rows = canonical_rows(con)
    con.close()
    return path, rows


def incidents(con) -> list[str]:
    return [row[0] for row in con.execute("SELECT id FROM incidents ORDER BY id").fetchall()]


def test_rebuild_with_the_same_settings_gives_the_synced_rows(synced):
    path, rows = synced
    con = connect(path)
    summary = rebuild_github(con, GithubSettings())
    assert canonical_rows(con) == rows
    assert summary.missing_compares == 0 and summary.repos == 1


def test_rebuild_after_changing_the_incident_label(synced, tmp_path):
    path, rows = synced
    result = run_pitwall("--db", str(path), "rebuild", "--incident-label", "sev1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("rebuilt GitHub data of 1 repository from ")
    con = connect(path)
    assert incidents(con) == [f"{REPO}#1001"]
    assert dora_row(con)["failed_deployments"] == 1       # issue 1001 follows deployment 103 (4th 10:00)
    con.close()
    back = run_pitwall("--db", str(path), "rebuild", cwd=tmp_path)
    assert back.returncode == 0, back.stderr
    con = connect(path)
    assert incidents(con) == [f"{REPO}#1000"]
    assert canonical_rows(con) == rows


def test_rebuild_with_fewer_production_environments(synced, tmp_path):
    path, _ = synced
    con = connect(path)
    assert con.execute("SELECT count(*) FROM deployments WHERE environment = 'prod'").fetchone()[0] == 1
    summary = rebuild_github(con, GithubSettings(environments=("Production",)))
    assert con.execute("SELECT count(*) FROM deployments WHERE environment = 'prod'").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM deployments").fetchone()[0] == 5
    assert summary.missing_compares == 0


def test_rebuild_names_deployments_whose_compare_was_never_fetched(synced):
    path, _ = synced
    con = connect(path)
    con.execute("DELETE FROM raw_documents WHERE kind = 'compare' AND key LIKE '%...' || "
                "(SELECT sha FROM deployments WHERE id = '104')")
    summary = rebuild_github(con, GithubSettings())
    assert summary.missing_compares == 1
    assert con.execute("SELECT commits FROM deployments WHERE id = '104'").fetchone()[0] is None
    assert "1 deployments need a compare not fetched yet" in summary.line()
