"""`--org` listing, GitHub Enterprise Server behind /api/v3, and releases as the deployment signal."""
from __future__ import annotations

import pytest
from fakes.common import sha_of
from fakes.github import TOKEN, FakeGitHub, FakeGitHubServer, delivery_history, fake_client, sync_once

from helpers import at, lead_hours
from ingest.github import GithubSettings
from ingest.http import NotFound
from warehouse import connect

REPO = "acme/app"


def organisation() -> FakeGitHub:
    github = FakeGitHub(page_size=2)
    delivery_history(github, "acme/app", pulls=1)
    delivery_history(github, "acme/web", pulls=1)
    delivery_history(github, "acme/old", pulls=1).archived = True
    delivery_history(github, "acme/mirror", pulls=1).fork = True
    delivery_history(github, "other/app", pulls=1)
    return github


def synced_repos(tmp_path, github: FakeGitHub, **options) -> list[str]:
    con = connect(tmp_path / "warehouse.duckdb")
    with FakeGitHubServer(github) as server:
        sync_once(con, server, org="acme", **options)
    return [row[0] for row in con.execute("SELECT id FROM repos ORDER BY id").fetchall()]


def test_an_organisation_skips_archived_repositories_and_forks(tmp_path):
    github = organisation()
    assert synced_repos(tmp_path, github) == ["acme/app", "acme/web"]
    assert len(github.requests(r"^/orgs/acme/repos")) == 2          # four repositories, two a page
    assert github.requests(r"^/repos/acme/(old|mirror)") == []


def test_archived_repositories_and_forks_when_asked(tmp_path):
    repos = synced_repos(tmp_path, organisation(), include_archived=True, include_forks=True)
    assert repos == ["acme/app", "acme/mirror", "acme/old", "acme/web"]


def test_a_repository_named_besides_the_organisation_is_synced_once(tmp_path):
    github = organisation()
    con = connect(tmp_path / "warehouse.duckdb")
    with FakeGitHubServer(github) as server:
        sync_once(con, server, ["acme/web", "other/app"], org="acme")
    assert [r[0] for r in con.execute("SELECT id FROM repos ORDER BY id").fetchall()] == [
        "acme/app", "acme/web", "other/app"]
    assert len(github.requests(r"^/repos/acme/web/pulls\?")) == 1


def test_github_enterprise_server_under_api_v3(tmp_path):
    github = FakeGitHub(prefix="/api/v3", page_size=2)
    delivery_history(github, REPO)
    con = connect(tmp_path / "warehouse.duckdb")
    with FakeGitHubServer(github) as server:
        assert server.url.endswith("/api/v3")
        sync_once(con, server, [REPO])
        bare_settings = GithubSettings(api_url=server.url.removesuffix("/api/v3"))
        with fake_client(bare_settings) as bare, pytest.raises(NotFound):
            bare.get(f"/repos/{REPO}")                            # the fake only answers under /api/v3
    # Every later page came from an absolute Link URL that kept the /api/v3 prefix.
    assert len(github.requests(r"/pulls\?.*page=2")) == 1
    assert lead_hours(con) == {f"{REPO}#{n}": 26.0 for n in range(1, 5)}


def test_published_releases_as_deployments(tmp_path):
    github = FakeGitHub()
    repo = delivery_history(github, REPO)
    repo.release(1, "v1.0", "c1", published=at(2))
    repo.release(2, "v1.1-rc1", "c2", published=at(3), prerelease=True)
    repo.release(3, "v2.0", "c3", published=None, draft=True)
    repo.release(4, "v2.0", "c3", published=at(6))
    con = connect(tmp_path / "warehouse.duckdb")
    with FakeGitHubServer(github) as server:
        sync_once(con, server, [REPO], deployments_from="releases")
    assert con.execute("SELECT id, environment, sha, status, finished_at, commits FROM deployments "
                       "ORDER BY id").fetchall() == [
        ("release:1", "production", sha_of("c1"), "success", at(2), None),
        ("release:4", "production", sha_of("c3"), "success", at(6), [sha_of("c2"), sha_of("c3")]),
    ]
    # PR 2 and PR 3 (branch commits authored the 2nd and 3rd at 08:00) shipped on the 6th at 00:00.
    assert lead_hours(con) == {f"{REPO}#2": 88.0, f"{REPO}#3": 64.0}
    assert github.requests(r"/deployments") == []
    # The tags' own commits (base_commit of tag...tag), then the commits shipped between them.
    assert sorted(entry.path for entry in github.requests("/compare/")) == sorted([
        f"/repos/{REPO}/compare/v1.0...v1.0?per_page=100",
        f"/repos/{REPO}/compare/v2.0...v2.0?per_page=100",
        f"/repos/{REPO}/compare/{sha_of('c1')}...{sha_of('c3')}?per_page=100",
    ])


def test_a_deleted_release_stops_being_a_deployment(tmp_path):
    github = FakeGitHub()
    repo = delivery_history(github, REPO)
    repo.release(1, "v1.0", "c1", published=at(2))
    repo.release(4, "v2.0", "c3", published=at(6))
    con = connect(tmp_path / "warehouse.duckdb")
    with FakeGitHubServer(github) as server:
        sync_once(con, server, [REPO], deployments_from="releases")
        del repo.releases[4]
        sync_once(con, server, [REPO], deployments_from="releases")
    assert con.execute("SELECT id, commits FROM deployments").fetchall() == [("release:1", None)]


def test_the_token_goes_in_the_authorization_header_only(tmp_path):
    github = FakeGitHub()
    delivery_history(github, REPO, pulls=1)
    con = connect(tmp_path / "warehouse.duckdb")
    with FakeGitHubServer(github) as server:
        sync_once(con, server, [REPO])
    assert all(TOKEN not in entry.path for entry in github.requests())
    stored = con.execute("SELECT string_agg(url, ' ') FROM sync_state").fetchone()[0]
    assert stored and TOKEN not in stored


def test_a_renamed_repository_is_followed_to_its_new_name(tmp_path):
    github = FakeGitHub()
    delivery_history(github, "acme/old-name", pulls=1)
    github.rename("acme/old-name", "acme/new-name")
    con = connect(tmp_path / "warehouse.duckdb")
    with FakeGitHubServer(github) as server:
        sync_once(con, server, ["acme/old-name"])
    assert [entry.status for entry in github.requests("^/repos/acme/old-name$")] == [301]
    assert con.execute("SELECT id FROM repos").fetchall() == [("acme/new-name",)]
    assert con.execute("SELECT id FROM pull_requests").fetchall() == [("acme/new-name#1",)]
