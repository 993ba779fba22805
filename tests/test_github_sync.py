"""`sync github` end to end: the fake GitHub over real HTTP -> a real warehouse -> DORA figures.

Hand-computed figures over March 2024 (helpers.SINCE..UNTIL, 4 weeks): merge-commit and squash
pull requests timed from their first authored commit, deployment statuses (inactive, failures,
pending), rollbacks, incidents by label in any case, reviews and workflow runs.
"""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from fakes.common import sha_of
from fakes.github import FakeGitHub, FakeGitHubServer, sync_once

from helpers import SINCE, UNTIL, at, dora_row, lead_hours
from metrics.health import data_health
from warehouse import connect

REPO = "acme/app"


def synced(tmp_path: Path, github: FakeGitHub, repos=(REPO,), **options) -> duckdb.DuckDBPyConnection:
    """A warehouse holding one sync of `repos` from a fake serving `github`."""
    con = connect(tmp_path / "warehouse.duckdb")
    with FakeGitHubServer(github) as server:
        sync_once(con, server, repos, **options)
    return con


def column(con: duckdb.DuckDBPyConnection, query: str) -> list:
    return [row[0] if len(row) == 1 else row for row in con.execute(query).fetchall()]


# --- change lead time: merge commit versus squash ------------------------------------------------

def two_pull_requests(github: FakeGitHub) -> None:
    """PR 1 merged with a merge commit (m1), PR 2 squashed (s2), PR 3 closed unmerged.

    d10 (base, 1 Mar 13:00) is the first deployment: no baseline. d11 (s2) finishes 6 Mar 01:00
    and ships PR 1 (first authored commit 2 Mar 09:00 -> 88 h) and PR 2 (branch commit b1
    authored 4 Mar 08:00 -> 41 h), however late their commits were committed (rebases).
    """
    repo = github.repo(REPO)
    repo.commit("base", at(1))
    repo.commit("a1", at(2, 9), ["base"], committed=at(3))          # rebased: committed later
    repo.commit("a2", at(2, 11), ["a1"])
    repo.commit("m1", at(3), ["base", "a2"], message="Merge pull request #1 from acme/feature-1")
    repo.pull(1, created=at(2, 10), commits=["a1", "a2"], merged=at(3), merge_commit="m1",
              reviews=[("APPROVED", at(2, 20), "rita"), ("CHANGES_REQUESTED", at(2, 15), "sam"),
                       ("COMMENTED", at(2, 16), "sam"), ("DISMISSED", at(2, 17), "tom"),
                       ("PENDING", None, "ulla")])
    repo.commit("b1", at(4, 8), ["base"])                            # never reaches main (squashed)
    repo.commit("s2", at(5), ["m1"], message="Add thing (#2)")
    repo.pull(2, created=at(4, 9), commits=["b1"], merged=at(5), merge_commit="s2", labels=["feature"])
    repo.commit("x3", at(4, 12), ["base"])
    repo.pull(3, created=at(4, 11), commits=["x3"], closed=at(4, 13))   # closed, not merged
    repo.deployment(10, "base", created=at(1, 12), statuses=[("success", at(1, 13))])
    repo.deployment(11, "s2", created=at(6), statuses=[("in_progress", at(6)), ("success", at(6, 1))])


def test_lead_time_runs_from_the_first_authored_commit_for_merge_and_squash(tmp_path):
    github = FakeGitHub()
    two_pull_requests(github)
    con = synced(tmp_path, github)
    assert lead_hours(con) == {f"{REPO}#1": 88.0, f"{REPO}#2": 41.0}
    row = dora_row(con)
    assert (row["deployments"], row["changes"]) == (2, 2)
    assert row["deploys_per_week"] == 0.5
    assert row["lead_time_p50_hours"] == pytest.approx(64.5)
    assert row["lead_time_p90_hours"] == pytest.approx(83.3)


def test_a_deployment_lists_the_commits_of_its_compare(tmp_path):
    github = FakeGitHub()
    two_pull_requests(github)
    con = synced(tmp_path, github)
    commits = dict(column(con, "SELECT id, commits FROM deployments"))
    assert commits["10"] is None                                   # the first: no baseline
    assert sorted(commits["11"]) == sorted(sha_of(name) for name in ("a1", "a2", "m1", "s2"))
    assert [entry.path for entry in github.requests("/compare/")] == [
        f"/repos/{REPO}/compare/{sha_of('base')}...{sha_of('s2')}?per_page=100"]


def test_pull_requests_commits_and_reviews_map_to_canonical_rows(tmp_path):
    github = FakeGitHub()
    two_pull_requests(github)
    con = synced(tmp_path, github)
    assert column(con, "SELECT id, merged_at IS NOT NULL, merge_commit_sha, additions, labels FROM pull_requests "
                       "ORDER BY id") == [
        (f"{REPO}#1", True, sha_of("m1"), 10, []),
        (f"{REPO}#2", True, sha_of("s2"), 10, ["feature"]),
        (f"{REPO}#3", False, None, 10, []),          # the test merge sha of an unmerged PR is not kept
    ]
    linked = column(con, "SELECT sha, pull_request, authored_at, committed_at, parents FROM commits "
                         f"WHERE sha = '{sha_of('a1')}'")
    assert linked == [(sha_of("a1"), f"{REPO}#1", at(2, 9), at(3), [sha_of("base")])]
    assert column(con, f"SELECT pull_request FROM commits WHERE sha = '{sha_of('m1')}'") == [None]
    assert column(con, "SELECT reviewer, state FROM reviews ORDER BY submitted_at") == [
        ("sam", "changes_requested"), ("sam", "commented"), ("tom", "dismissed"), ("rita", "approved")]
    assert column(con, "SELECT id, default_branch, url FROM repos") == [
        (REPO, "main", "https://github.com/acme/app")]


# --- deployment statuses ------------------------------------------------------------------------

def status_zoo(github: FakeGitHub) -> None:
    repo = github.repo(REPO)
    for name in ("base", "c1", "c2", "c3"):
        repo.commit(name, at(1), [] if name == "base" else ["base"])
    repo.deployment(20, "base", created=at(1, 12), statuses=[("success", at(1, 13))])
    repo.deployment(21, "c1", created=at(5, 9), statuses=[
        ("in_progress", at(5, 9)), ("success", at(5, 10)), ("inactive", at(9))])   # superseded later
    repo.deployment(22, "c2", created=at(6, 9), statuses=[("failure", at(6, 10))])
    repo.deployment(23, "c2", created=at(6, 11), statuses=[("queued", at(6, 11)), ("error", at(6, 12)),
                                                          ("failure", at(6, 13))])
    repo.deployment(24, "c2", created=at(6, 14), statuses=[("pending", at(6, 14))])
    repo.deployment(25, "c2", created=at(6, 15))
    repo.deployment(26, "c2", created=at(7, 9), statuses=[("success", at(7, 10)), ("failure", at(7, 11))])
    repo.deployment(27, "c3", created=at(7, 12), statuses=[("inactive", at(7, 13))])
    repo.deployment(28, "c3", created=at(8, 9), environment="Production", statuses=[("success", at(8, 10))])
    repo.deployment(29, "c3", created=at(8, 9), environment="production-canary",
                    statuses=[("success", at(8, 10))])
    repo.deployment(30, "c3", created=at(8, 9), environment="staging", statuses=[("success", at(8, 10))])


def test_deployment_statuses_decide_success_attempt_or_nothing(tmp_path):
    github = FakeGitHub()
    status_zoo(github)
    con = synced(tmp_path, github)
    assert column(con, "SELECT id, environment, status, finished_at FROM deployments ORDER BY id") == [
        ("20", "production", "success", at(1, 13)),
        ("21", "production", "success", at(5, 10)),    # a later inactive undoes nothing
        ("22", "production", "failure", at(6, 10)),    # an attempt
        ("23", "production", "error", at(6, 12)),      # the first failing status
        ("26", "production", "success", at(7, 10)),    # a later failure undoes nothing
        ("28", "Production", "success", at(8, 10)),    # spelt as GitHub gives it
    ]
    assert dora_row(con)["deployments"] == 4
    assert data_health(con, SINCE, UNTIL)["failed_attempts"] == 2


def test_pending_deployments_are_rechecked_and_stored_once_decided(tmp_path):
    github = FakeGitHub()
    status_zoo(github)
    con = connect(tmp_path / "warehouse.duckdb")
    with FakeGitHubServer(github) as server:
        sync_once(con, server, [REPO])
        github.repos[REPO].add_status(24, "success", at(9))
        github.repos[REPO].add_status(25, "failure", at(9, 1))
        github.clear_log()
        sync_once(con, server, [REPO])
    assert column(con, "SELECT id, status, finished_at FROM deployments WHERE id IN ('24', '25') ORDER BY id") == [
        ("24", "success", at(9)), ("25", "failure", at(9, 1))]
    # The production list did not change (304); the undecided ones (22-25, 27) were asked again.
    statuses = sorted(entry.path.split("/")[5] for entry in github.requests(r"/deployments/\d+/statuses"))
    assert statuses == ["22", "23", "24", "25", "27"]


# --- rollbacks and incidents -------------------------------------------------------------------

def test_a_rollback_fails_the_deployment_it_undoes(tmp_path):
    github = FakeGitHub()
    repo = github.repo(REPO)
    repo.commit("x", at(1))
    repo.commit("y", at(2), ["x"])
    repo.deployment(1, "x", created=at(1, 12), statuses=[("success", at(1, 12))])
    repo.deployment(2, "y", created=at(3, 12), statuses=[("success", at(3, 12))])
    repo.deployment(3, "x", created=at(4, 12), statuses=[("success", at(4, 12))])   # back to x
    con = synced(tmp_path, github)
    row = dora_row(con)
    assert (row["deployments"], row["failed_deployments"], row["rework_deployments"]) == (3, 1, 1)
    assert row["change_failure_rate"] == pytest.approx(1 / 3)
    assert row["recovery_p50_hours"] == 24.0
    assert column(con, "SELECT commits FROM deployments WHERE id = '3'") == [[]]   # behind: ships nothing


def incident_issues(github: FakeGitHub) -> None:
    repo = github.repo(REPO)
    repo.commit("x", at(1))
    repo.commit("y", at(2), ["x"])
    repo.deployment(1, "x", created=at(1), statuses=[("success", at(1, 12))])
    repo.deployment(2, "y", created=at(3), statuses=[("success", at(3, 12))])
    repo.issue(1, created=at(3, 14), closed=at(3, 20), labels=["INCIDENT"])
    repo.issue(2, created=at(3, 15), closed=at(3, 17), labels=["Incident", "sev2"])
    repo.issue(3, created=at(3, 16), labels=["incident"])                          # still open
    repo.issue(4, created=at(3, 16), closed=at(3, 17), labels=["incident-followup"])
    repo.issue(5, created=at(3, 16), closed=at(3, 17), labels=["sev1"])
    reopened = repo.issue(6, created=at(3, 18), closed=at(3, 19), labels=["Incident"])
    reopened["state"] = "open"                                                   # reopened: not resolved
    old_shape = repo.issue(7, created=at(3, 18), closed=at(3, 21), labels=["incident"])
    old_shape["pull_request"] = {"html_url": None, "diff_url": None, "patch_url": None}
    repo.commit("p", at(3), ["y"])
    repo.pull(8, created=at(3, 13), commits=["p"], labels=["incident"])          # a PR in the issues list


def test_incidents_are_issues_labelled_incident_in_any_case(tmp_path):
    github = FakeGitHub()
    incident_issues(github)
    con = synced(tmp_path, github)
    assert column(con, "SELECT id, started_at, resolved_at, repo, labels FROM incidents ORDER BY id") == [
        (f"{REPO}#1", at(3, 14), at(3, 20), REPO, ["INCIDENT"]),
        (f"{REPO}#2", at(3, 15), at(3, 17), REPO, ["Incident", "sev2"]),
        (f"{REPO}#3", at(3, 16), None, REPO, ["incident"]),
        (f"{REPO}#6", at(3, 18), None, REPO, ["Incident"]),
        (f"{REPO}#7", at(3, 18), at(3, 21), REPO, ["incident"]),
    ]
    row = dora_row(con)
    assert (row["deployments"], row["failed_deployments"]) == (2, 1)   # every incident hits deployment 2
    assert row["recovery_p50_hours"] is None                            # #3 and #6 are still open


# --- workflow runs -------------------------------------------------------------------------------

def test_workflow_runs_become_pipeline_runs(tmp_path):
    github = FakeGitHub()
    repo = github.repo(REPO)
    repo.run(501, created=at(2, 10), started=at(2, 10, 1), updated=at(2, 10, 9))
    repo.run(502, created=at(2, 11), updated=at(2, 11, 30), conclusion="failure", attempt=2, name="Deploy",
             event="workflow_dispatch", commit="c9", branch="release")
    repo.run(503, created=at(2, 12), updated=at(2, 12, 5), status="in_progress")
    con = synced(tmp_path, github)
    assert column(con, "SELECT id, workflow, status, started_at, finished_at, attempt, event, branch, sha "
                       "FROM pipeline_runs ORDER BY id") == [
        ("501", "CI", "success", at(2, 10, 1), at(2, 10, 9), 1, "push", "main", sha_of("main-head")),
        ("502", "Deploy", "failure", at(2, 11), at(2, 11, 30), 2, "workflow_dispatch", "release", sha_of("c9")),
        ("503", "CI", "in_progress", at(2, 12), None, 1, "push", "main", sha_of("main-head")),
    ]


def test_the_raw_store_keeps_each_resource_once(tmp_path):
    github = FakeGitHub()
    two_pull_requests(github)
    github.repos[REPO].run(501, created=at(2, 10), updated=at(2, 10, 9))
    con = synced(tmp_path, github)
    raw = dict(column(con, "SELECT kind || ':' || key, CAST(body AS VARCHAR) FROM raw_documents"))
    pull = json.loads(raw["pull:1"])
    assert pull["head"]["repo"] == {"id": github.repos[REPO].id, "full_name": REPO}   # not a full copy
    assert pull["additions"] == 10 and pull["head"]["ref"] == "feature-1"
    assert json.loads(raw["workflow_run:501"])["repository"] == {"id": github.repos[REPO].id, "full_name": REPO}
    compare = json.loads(raw[f"compare:{sha_of('base')}...{sha_of('s2')}"])
    assert "files" not in compare and compare["ahead_by"] == 4
    assert json.loads(raw["repo:repo"])["default_branch"] == "main"
