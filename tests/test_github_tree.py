"""The repository facts of `pitwall sync github`: one recursive listing of each repository's default
branch (`GET /repos/{o}/{r}/git/trees/{branch}?recursive=1`), conditional on a re-sync, unknown where
GitHub refuses it, and recomputed by `pitwall rebuild` from the raw store."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from fakes.github import FakeGitHub, FakeGitHubServer, delivery_history, sync_once

from ingest.github import GithubSettings, rebuild_github
from ingest.raw import load_documents
from ingest.repo_facts import store_repo_facts, tree_facts
from warehouse import connect

APP, LIB = "acme/app", "acme/lib"
EVERY_FACT = ["README.md", "CODEOWNERS", ".github/workflows/ci.yml", "Dockerfile", "docs/index.md", "src/app.py"]
# Near misses only: a README and CODEOWNERS below src/, no workflow file, a docs folder not at the top.
NO_FACT = ["src/README.md", "src/CODEOWNERS", ".github/workflows/notes.txt", "documentation/guide.md",
           "lib/docs/api.md"]

FACT_ROWS = """
SELECT repo, source, listed, readme, codeowners, ci_workflow, dockerfile, docs_folder
FROM repo_tree_facts ORDER BY repo, source
"""
ALL_KNOWN = (True, True, True, True, True)
UNKNOWN = (False, None, None, None, None, None)


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    return connect(tmp_path / "warehouse.duckdb")


def facts(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(FACT_ROWS).fetchall()


def tree_requests(github: FakeGitHub) -> list[tuple[str, int, bool]]:
    """(path, status, conditional) of every tree request, in path order."""
    return sorted((entry.path, entry.status, entry.conditional) for entry in github.requests("/git/trees/"))


def test_each_repository_gets_the_facts_of_one_listing_of_its_default_branch(con):
    github = FakeGitHub()
    delivery_history(github, APP).files = EVERY_FACT
    github.repo(LIB, default_branch="release/2024").files = NO_FACT
    with FakeGitHubServer(github) as server:
        sync_once(con, server, [APP, LIB])
    assert facts(con) == [(APP, "github", True, *ALL_KNOWN), (LIB, "github", True, False, False, False, False, False)]
    assert tree_requests(github) == [("/repos/acme/app/git/trees/main?recursive=1", 200, False),
                                     ("/repos/acme/lib/git/trees/release/2024?recursive=1", 200, False)]
    # The raw document keeps the paths only (files and the folders above them), for `rebuild`.
    stored = load_documents(con, "github", APP, "tree")["tree"]
    assert set(stored.body) == {"sha", "truncated", "paths", "listed_at"}
    assert stored.body["paths"] == [".github", ".github/workflows", ".github/workflows/ci.yml", "CODEOWNERS",
                                    "Dockerfile", "README.md", "docs", "docs/index.md", "src", "src/app.py"]
    assert stored.body["truncated"] is False


@pytest.mark.parametrize("status", [403, 404, 409, 422])
def test_a_refused_listing_leaves_the_facts_unknown_and_the_sync_goes_on(con, status):
    github = FakeGitHub()
    delivery_history(github, APP).tree_status = status
    delivery_history(github, LIB).files = EVERY_FACT
    with FakeGitHubServer(github) as server:
        summary = sync_once(con, server, [APP, LIB])
        assert facts(con) == [(APP, "github", *UNKNOWN), (LIB, "github", True, *ALL_KNOWN)]
        assert summary.records["pull_request"] == 8 and summary.records["deployment"] == 10
        pulls = con.execute("SELECT repo, count(*) FROM pull_requests GROUP BY repo ORDER BY repo").fetchall()
        assert pulls == [(APP, 4), (LIB, 4)]
        github.clear_log()
        sync_once(con, server, [APP, LIB])
    # A refusal carries no ETag: it is asked for again (one plain request); the listed tree answers 304.
    assert tree_requests(github) == [("/repos/acme/app/git/trees/main?recursive=1", status, False),
                                     ("/repos/acme/lib/git/trees/main?recursive=1", 304, True)]
    assert facts(con) == [(APP, "github", *UNKNOWN), (LIB, "github", True, *ALL_KNOWN)]


def test_a_resync_costs_one_304_while_the_tree_is_unchanged_and_relists_a_changed_one(con):
    github = FakeGitHub()
    repo = delivery_history(github, APP)
    repo.files = EVERY_FACT
    path = "/repos/acme/app/git/trees/main?recursive=1"
    listed_at = "SELECT listed_at FROM repo_tree_facts"
    with FakeGitHubServer(github) as server:
        sync_once(con, server, [APP])
        first_listing = con.execute(listed_at).fetchone()[0]
        github.clear_log()
        sync_once(con, server, [APP])
        assert tree_requests(github) == [(path, 304, True)]
        assert facts(con) == [(APP, "github", True, *ALL_KNOWN)]
        assert con.execute(listed_at).fetchone()[0] == first_listing
        repo.files = ["src/app.py", "docs/index.md"]
        github.clear_log()
        sync_once(con, server, [APP])
        assert tree_requests(github) == [(path, 200, True)]
        assert facts(con) == [(APP, "github", True, False, False, False, False, True)]
        assert con.execute(listed_at).fetchone()[0] > first_listing
        repo.tree_status = 403                       # the token lost Contents: read
        github.clear_log()
        sync_once(con, server, [APP])
    assert tree_requests(github) == [(path, 403, True)]
    assert facts(con) == [(APP, "github", *UNKNOWN)]


def test_a_truncated_listing_counts_as_far_as_it_goes(con):
    github = FakeGitHub()
    repo = delivery_history(github, APP)
    repo.files = ["README.md", "src/app.py"]
    repo.tree_truncated = True
    with FakeGitHubServer(github) as server:
        sync_once(con, server, [APP])
    assert facts(con) == [(APP, "github", True, True, False, False, False, False)]
    assert load_documents(con, "github", APP, "tree")["tree"].body["truncated"] is True


def test_rebuild_recomputes_the_facts_from_the_raw_listings_offline(con):
    github = FakeGitHub()
    delivery_history(github, APP).tree_status = 409
    delivery_history(github, LIB).files = EVERY_FACT
    with FakeGitHubServer(github) as server:
        sync_once(con, server, [APP, LIB])
    synced = con.execute("SELECT * FROM repo_tree_facts ORDER BY repo").fetchall()
    # A stale GitHub row without a raw listing goes; another source's listing stays.
    store_repo_facts(con, "acme/gone", "github", tree_facts(["README.md"]))
    store_repo_facts(con, APP, "git", tree_facts(["README.md"]))
    con.execute("UPDATE repo_tree_facts SET readme = false WHERE repo = ? AND source = 'github'", [LIB])
    rebuild_github(con, GithubSettings())
    assert con.execute("SELECT * FROM repo_tree_facts WHERE source = 'github' ORDER BY repo").fetchall() == synced
    assert facts(con) == [(APP, "git", True, True, False, False, False, False), (APP, "github", *UNKNOWN),
                          (LIB, "github", True, *ALL_KNOWN)]


def test_a_repository_without_a_default_branch_has_unknown_facts_without_a_tree_request(con):
    github = FakeGitHub()
    github.repo(APP, default_branch=None).files = EVERY_FACT
    with FakeGitHubServer(github) as server:
        sync_once(con, server, [APP])
    assert facts(con) == [(APP, "github", *UNKNOWN)]
    assert tree_requests(github) == []
