"""Faults of the fake GitLab over real HTTP, and the CLI's one-line errors.

A transient fault (5xx, 429 with Retry-After or RateLimit-Reset, a dropped connection, truncated
JSON) is absorbed: the warehouse ends as after a sync without faults. Token, permission and name
errors are one line, exit 2, naming the URL and never the token.
"""
from __future__ import annotations

import pytest
from fakes.common import VirtualClock, canonical_rows
from fakes.gitlab import TOKEN, FakeGitLab, FakeGitLabServer, delivery_history, sync_once

from helpers import files_bytes, run_pitwall
from ingest.http import MalformedResponse
from ingest.sync_state import load_state
from warehouse import connect

PROJECT = "acme/app"


def fake() -> FakeGitLab:
    gitlab = FakeGitLab(page_size=2)
    delivery_history(gitlab, PROJECT)
    return gitlab


@pytest.fixture(scope="module")
def clean_rows(tmp_path_factory) -> dict:
    con = connect(tmp_path_factory.mktemp("clean") / "warehouse.duckdb")
    with FakeGitLabServer(fake()) as server:
        sync_once(con, server, [PROJECT])
    return canonical_rows(con)


FAULTS = [
    pytest.param(r"/merge_requests/2/commits", "status", {"status": 502}, "retries", id="5xx"),
    pytest.param(r"/merge_requests\?.*page=2", "reset", {"seconds": 120}, "rate_limit_waits", id="429-reset"),
    pytest.param(r"/deployments\?", "retry_after", {"seconds": 30}, "rate_limit_waits", id="429-retry-after"),
    pytest.param(r"/repository/compare", "drop", {}, "retries", id="dropped-connection"),
    pytest.param(r"/pipelines/901", "truncate", {}, "retries", id="truncated-json"),
]


@pytest.mark.parametrize(("pattern", "kind", "options", "counter"), FAULTS)
def test_a_transient_fault_leaves_the_same_warehouse(tmp_path, clean_rows, pattern, kind, options, counter):
    gitlab = fake()
    fault = gitlab.fault(pattern, kind, **options)
    con = connect(tmp_path / "warehouse.duckdb")
    notices: list[str] = []
    clock = VirtualClock()
    with FakeGitLabServer(gitlab) as server:
        summary = sync_once(con, server, [PROJECT], clock=clock, notices=notices)
    assert fault.hits == 1
    assert getattr(summary.stats, counter) == 1
    assert len(notices) == 1 and TOKEN not in notices[0]
    assert canonical_rows(con) == clean_rows
    if kind in ("reset", "retry_after"):
        assert clock.slept and clock.slept[0] >= options["seconds"]


def test_a_page_that_stays_malformed_is_named_and_advances_no_bookmark(tmp_path, clean_rows):
    gitlab = fake()
    gitlab.fault(r"/merge_requests\?.*page=2", "truncate", times=None)
    con = connect(tmp_path / "warehouse.duckdb")
    with FakeGitLabServer(gitlab) as server:
        with pytest.raises(MalformedResponse) as failure:
            sync_once(con, server, [PROJECT])
        assert "/projects/acme%2Fapp/merge_requests?" in str(failure.value)
        assert con.execute("SELECT count(*) FROM pull_requests").fetchone()[0] == 2    # page 1 was stored
        assert load_state(con, "gitlab", PROJECT, "merge_requests").bookmark == "2024-03-03T12:00:00Z"
        assert con.execute("SELECT status FROM sync_runs").fetchall() == [("failed",)]
        gitlab.faults.clear()
        sync_once(con, server, [PROJECT])
    assert canonical_rows(con) == clean_rows


@pytest.fixture()
def served():
    gitlab = fake()
    with FakeGitLabServer(gitlab) as server:
        yield gitlab, server


def sync_cli(tmp_path, server, *args: str, token: str = TOKEN):
    return run_pitwall("--db", str(tmp_path / "w.duckdb"), "sync", "gitlab", "--api-url", server.url, *args,
                       cwd=tmp_path, env={"GITLAB_TOKEN": token})


def test_the_cli_syncs_and_prints_a_summary_without_the_token(tmp_path, served):
    _, server = served
    result = sync_cli(tmp_path, server, "--project", PROJECT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("synced 1 project from GitLab in ")
    assert "records: 6 commit, 5 deployment, 1 incident, 2 pipeline_run, 4 pull_request, 1 repo, 6 review" \
        in result.stdout
    assert TOKEN not in result.stdout + result.stderr
    assert TOKEN.encode() not in files_bytes(tmp_path, "w.duckdb*")


def test_a_rejected_token_is_one_line_naming_the_url(tmp_path, served):
    _, server = served
    wrong = "glpat-wrong0token"
    result = sync_cli(tmp_path, server, "--project", PROJECT, token=wrong)
    assert result.returncode == 2
    assert result.stderr == (f"error: GET {server.url}/projects/acme%2Fapp: 401 401 Unauthorized: "
                             f"GITLAB_TOKEN was rejected\n")
    assert wrong not in result.stdout + result.stderr


def test_a_missing_permission_is_one_line_naming_the_url(tmp_path, served):
    gitlab, server = served
    gitlab.fault(r"/pipelines\?", "forbidden", times=None)
    result = sync_cli(tmp_path, server, "--project", PROJECT)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: GET {server.url}/projects/acme%2Fapp/pipelines?")
    assert result.stderr.endswith(": 403 403 Forbidden: GITLAB_TOKEN lacks a permission\n")
    assert result.stderr.count("\n") == 1


def test_an_unknown_project_or_group_is_named(tmp_path, served):
    _, server = served
    result = sync_cli(tmp_path, server, "--project", "acme/nope")
    assert result.returncode == 2
    assert result.stderr == (f"error: project acme/nope: not found, or GITLAB_TOKEN may not read it "
                             f"(GET {server.url}/projects/acme%2Fnope answered 404)\n")
    result = sync_cli(tmp_path, server, "--group", "nobody")
    assert result.returncode == 2
    assert result.stderr.startswith("error: group nobody: not found, or GITLAB_TOKEN may not list its projects")


@pytest.mark.parametrize(("args", "token", "message"), [
    ((), TOKEN, "error: name what to sync: --project GROUP/PROJECT"),
    (("--project", "app"), TOKEN, "error: --project app: expected a project path"),
    (("--project", PROJECT), "", "error: GITLAB_TOKEN is not set"),
])
def test_usage_errors_are_one_line(tmp_path, served, args, token, message):
    _, server = served
    result = sync_cli(tmp_path, server, *args, token=token)
    assert result.returncode == 2
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1


def test_credentials_in_the_api_url_are_refused(tmp_path):
    result = run_pitwall("--db", str(tmp_path / "w.duckdb"), "sync", "gitlab", "--project", PROJECT,
                         "--api-url", "https://user:secret@gitlab.example/api/v4", cwd=tmp_path,
                         env={"GITLAB_TOKEN": TOKEN})
    assert result.returncode == 2
    assert result.stderr == "error: --api-url must not carry credentials: put the token in GITLAB_TOKEN\n"
