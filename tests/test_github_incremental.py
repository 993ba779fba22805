"""Incremental sync against the fake GitHub: what a re-sync asks for, and what it changes.

A re-sync with nothing new costs one conditional request per resource list per repository,
each answered 304; a change costs the changed page and the changed items' own requests only.
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from fakes.common import CANONICAL, canonical_rows, sha_of
from fakes.github import FakeGitHub, FakeGitHubServer, delivery_history, sync_once

from helpers import at
from ingest.github.mapping import environment_variants
from warehouse import connect
from warehouse.store import TABLES

REPO, LIB = "acme/app", "acme/lib"
LISTS_PER_REPO = 5 + len(environment_variants(("production", "prod", "prd")))  # repo, pulls, issues, runs, tree


def history(github: FakeGitHub, name: str, pulls: int = 5) -> None:
    delivery_history(github, name, pulls)


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    return connect(tmp_path / "warehouse.duckdb")


def paths(github: FakeGitHub, status: int | None = None) -> list[str]:
    return [entry.path for entry in github.requests(status=status)]


def test_a_resync_with_nothing_new_is_one_304_per_list(con):
    github = FakeGitHub()
    history(github, REPO)
    history(github, LIB)
    with FakeGitHubServer(github) as server:
        sync_once(con, server, [REPO, LIB])
        before = canonical_rows(con)
        github.clear_log()
        summary = sync_once(con, server, [REPO, LIB])
    assert len(github.requests()) == 2 * LISTS_PER_REPO
    assert len(github.requests(status=304)) == 2 * LISTS_PER_REPO
    assert (summary.stats.requests, summary.stats.not_modified) == (28, 28)
    assert sum(summary.records.values()) == 0
    assert canonical_rows(con) == before


def test_several_pages_are_followed_and_every_item_kept(con):
    github = FakeGitHub(page_size=2)
    history(github, REPO, pulls=7)
    with FakeGitHubServer(github) as server:
        summary = sync_once(con, server, [REPO])
    assert len(github.requests(r"/pulls\?")) == 4                     # 7 pull requests, 2 a page
    assert len(github.requests(r"/deployments\?.*environment=production")) == 4   # 8 deployments
    assert len(github.requests(r"/issues\?")) == 4                    # 7 pull requests + 1 issue
    assert len(github.requests(r"/pulls/\d+")) == 7 * 3               # detail, commits, reviews
    assert con.execute("SELECT count(*) FROM pull_requests").fetchone()[0] == 7
    assert con.execute("SELECT count(*) FROM deployments").fetchone()[0] == 8
    assert summary.records["pull_request"] == 7


def test_an_updated_pull_request_is_fetched_again_alone(con):
    github = FakeGitHub(page_size=2)
    history(github, REPO)
    with FakeGitHubServer(github) as server:
        sync_once(con, server, [REPO])
        repo = github.repos[REPO]
        repo.pull(2, created=at(2, 7), commits=["b2"], merged=at(2, 12), merge_commit="c2",
                  reviews=[("APPROVED", at(2, 11)), ("COMMENTED", at(20))])     # updated on the 20th
        github.clear_log()
        sync_once(con, server, [REPO])
    assert paths(github, 200) == [
        f"/repos/{REPO}/pulls?state=all&sort=updated&direction=desc&per_page=100",
        f"/repos/{REPO}/pulls/2",
        f"/repos/{REPO}/pulls/2/reviews?per_page=100",
        # Page one ended at the bookmark (not below it): page two shows where the walk stops.
        f"/repos/{REPO}/pulls?state=all&sort=updated&direction=desc&per_page=100&page=2",
        f"/repos/{REPO}/issues?state=all&sort=updated&direction=desc&per_page=100",
        f"/repos/{REPO}/issues?state=all&sort=updated&direction=desc&per_page=100&page=2",
    ]
    assert f"/repos/{REPO}/pulls/2/commits?per_page=100" in paths(github, 304)   # unchanged: 304
    assert con.execute("SELECT count(*) FROM reviews WHERE pull_request = 'acme/app#2'").fetchone()[0] == 2


def test_an_item_listed_late_just_below_the_bookmark_is_still_picked_up(con):
    github = FakeGitHub()
    history(github, REPO)                                    # newest pull request: #5, updated the 5th 12:00
    with FakeGitHubServer(github) as server:
        sync_once(con, server, [REPO])
        repo = github.repos[REPO]
        repo.commit("late", at(5, 11), ["c5"])
        repo.pull(6, created=at(5, 11), commits=["late"], updated=at(5, 11, 58))   # listed only now
        repo.pull(3, created=at(3, 7), commits=["b3"], merged=at(3, 12), merge_commit="c3", updated=at(9))
        sync_once(con, server, [REPO])
    assert [row[0] for row in con.execute("SELECT number FROM pull_requests ORDER BY number").fetchall()] == [
        1, 2, 3, 4, 5, 6]
    # #5 sits inside the overlap but did not change: fetched by the first sync only.
    assert len(github.requests(r"/pulls/5$")) == 1
    assert len(github.requests(r"/pulls/6$")) == 1 and len(github.requests(r"/pulls/3$")) == 2


def test_a_new_deployment_costs_its_statuses_and_one_compare(con):
    github = FakeGitHub()
    history(github, REPO)
    with FakeGitHubServer(github) as server:
        sync_once(con, server, [REPO])
        repo = github.repos[REPO]
        repo.commit("c6", at(10), ["c5"])
        repo.deployment(200, "c6", created=at(10, 9), statuses=[("success", at(10, 10))])
        github.clear_log()
        summary = sync_once(con, server, [REPO])
    assert paths(github, 200) == [
        f"/repos/{REPO}/deployments?per_page=100&environment=production",
        f"/repos/{REPO}/deployments/200/statuses?per_page=100",
        f"/repos/{REPO}/compare/{sha_of('c5')}...{sha_of('c6')}?per_page=100",
    ]
    assert summary.records == {"deployment": 1, "commit": 1}
    assert con.execute("SELECT commits FROM deployments WHERE id = '200'").fetchone()[0] == [sha_of("c6")]


def test_an_issue_that_loses_its_label_stops_being_an_incident(con):
    github = FakeGitHub()
    history(github, REPO)
    with FakeGitHubServer(github) as server:
        sync_once(con, server, [REPO])
        assert con.execute("SELECT count(*) FROM incidents").fetchone()[0] == 1
        github.repos[REPO].issue(1000, created=at(3, 11), closed=at(3, 12), labels=[], updated=at(15))
        sync_once(con, server, [REPO])
    assert con.execute("SELECT count(*) FROM incidents").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM raw_documents WHERE kind = 'issue'").fetchone()[0] == 0


def test_a_commit_dropped_from_a_pull_request_leaves_unless_listed_elsewhere(con):
    github = FakeGitHub()
    repo = github.repo(REPO)
    repo.commit("s1", at(2, 9))
    repo.commit("s2", at(2, 10), ["s1"])
    repo.pull(7, created=at(2, 8), commits=["s1", "s2"])          # stacked on top of #3 ...
    repo.pull(3, created=at(2, 7), commits=["s1"])                # ... which lists s1 too
    with FakeGitHubServer(github) as server:
        sync_once(con, server, [REPO])
        links = dict(con.execute("SELECT sha, pull_request FROM commits").fetchall())
        assert links == {sha_of("s1"): f"{REPO}#3", sha_of("s2"): f"{REPO}#7"}   # the lower number wins
        repo.pull(3, created=at(2, 7), commits=[], updated=at(4))     # #3 force-pushed: s1 gone
        repo.pull(7, created=at(2, 8), commits=["s2"], updated=at(5))  # #7 too
        sync_once(con, server, [REPO])
    assert dict(con.execute("SELECT sha, pull_request FROM commits").fetchall()) == {sha_of("s2"): f"{REPO}#7"}


def test_since_bounds_the_first_sync_but_keeps_one_baseline_deployment(con):
    github = FakeGitHub()
    history(github, REPO)
    with FakeGitHubServer(github) as server:
        sync_once(con, server, [REPO], since=at(4))
    assert [row[0] for row in con.execute("SELECT number FROM pull_requests ORDER BY number").fetchall()] == [4, 5]
    # Deployments created from the 4th (103..105) and, before it, the latest success (102).
    assert [row[0] for row in con.execute("SELECT id FROM deployments ORDER BY id").fetchall()] == [
        "102", "103", "104", "105"]
    assert con.execute("SELECT commits FROM deployments WHERE id = '102'").fetchone()[0] is None
    assert con.execute("SELECT commits FROM deployments WHERE id = '103'").fetchone()[0] == [sha_of("c3")]


def test_a_running_workflow_holds_its_bookmark_until_it_completes(con):
    github = FakeGitHub()
    repo = github.repo(REPO)
    repo.run(1, created=at(2, 10), updated=at(2, 10, 5))
    repo.run(2, created=at(2, 11), updated=at(2, 11, 1), status="in_progress")
    with FakeGitHubServer(github) as server:
        sync_once(con, server, [REPO])
        repo.run(2, created=at(2, 11), updated=at(2, 11, 20), conclusion="failure")
        repo.run(3, created=at(2, 12), updated=at(2, 12, 5))
        sync_once(con, server, [REPO])
        github.clear_log()
        sync_once(con, server, [REPO])
    assert con.execute("SELECT id, status, finished_at FROM pipeline_runs ORDER BY id").fetchall() == [
        ("1", "success", at(2, 10, 5)), ("2", "failure", at(2, 11, 20)), ("3", "success", at(2, 12, 5))]
    assert github.requests("/actions/runs")[0].status == 304          # all completed: conditional again


def test_warehouse_comparisons_cover_every_table_github_writes():
    assert set(CANONICAL) == set(TABLES.values()) - {"teams", "services"}
