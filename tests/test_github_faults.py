"""Faults during a sync (against the fake over real HTTP) and the errors the CLI reports.

Every transient fault is absorbed: the warehouse ends exactly as after a sync without faults.
A fault that does not go away is named with its URL and advances no bookmark. Errors of the
token, permissions and names are one line, exit 2, and the token shows up nowhere.
"""
from __future__ import annotations

import os
import pty
import re
from pathlib import Path

import pytest
from fakes.common import VirtualClock, canonical_rows
from fakes.github import TOKEN, FakeGitHub, FakeGitHubServer, delivery_history, sync_once

from helpers import run_pitwall
from ingest.http import MalformedResponse
from ingest.sync_state import load_state
from warehouse import connect

REPO = "acme/app"


def history(github: FakeGitHub) -> None:
    delivery_history(github, REPO)


@pytest.fixture(scope="module")
def clean_rows(tmp_path_factory) -> dict:
    """The warehouse a sync without faults gives."""
    github = FakeGitHub(page_size=2)
    history(github)
    con = connect(tmp_path_factory.mktemp("clean") / "warehouse.duckdb")
    with FakeGitHubServer(github) as server:
        sync_once(con, server, [REPO])
    return canonical_rows(con)


FAULTS = [
    pytest.param(r"/pulls/2/commits", "status", {"status": 502}, "retries", id="5xx"),
    pytest.param(r"/pulls\?.*page=2", "primary_limit", {"seconds": 120}, "rate_limit_waits", id="403-reset"),
    pytest.param(r"/deployments/10\d/statuses", "retry_after", {"seconds": 30}, "rate_limit_waits", id="429"),
    pytest.param(r"/issues\?", "secondary_limit", {}, "rate_limit_waits", id="403-secondary"),
    pytest.param(r"/compare/", "drop", {}, "retries", id="dropped-connection"),
    pytest.param(r"/actions/runs", "truncate", {}, "retries", id="truncated-json"),
]


@pytest.mark.parametrize(("pattern", "kind", "options", "counter"), FAULTS)
def test_a_transient_fault_leaves_the_same_warehouse(tmp_path, clean_rows, pattern, kind, options, counter):
    github = FakeGitHub(page_size=2)
    history(github)
    fault = github.fault(pattern, kind, **options)
    con = connect(tmp_path / "warehouse.duckdb")
    notices: list[str] = []
    with FakeGitHubServer(github) as server:
        summary = sync_once(con, server, [REPO], clock=VirtualClock(), notices=notices)
    assert fault.hits == 1
    assert getattr(summary.stats, counter) == 1
    assert len(notices) == 1
    assert canonical_rows(con) == clean_rows


def test_a_page_that_stays_malformed_is_named_and_advances_no_bookmark(tmp_path, clean_rows):
    github = FakeGitHub(page_size=2)
    history(github)
    fault = github.fault(r"/pulls\?.*page=2", "truncate", times=None)
    con = connect(tmp_path / "warehouse.duckdb")
    with FakeGitHubServer(github) as server:
        with pytest.raises(MalformedResponse) as failure:
            sync_once(con, server, [REPO], clock=VirtualClock())
        assert str(failure.value) == (
            f"GET {server.url}/repos/{REPO}/pulls?state=all&sort=updated&direction=desc&per_page=100&page=2: "
            f"the response is not valid JSON (gave up after 4 attempts)")
        # Page one's pull requests are stored, but the stream's bookmark did not move.
        assert con.execute("SELECT count(*) FROM pull_requests").fetchone()[0] == 2
        assert load_state(con, "github", REPO, "pulls").bookmark is None
        assert con.execute("SELECT status, error FROM sync_runs").fetchall() == [("failed", str(failure.value))]
        fault.times = fault.hits          # the server recovers
        sync_once(con, server, [REPO])
    assert canonical_rows(con) == clean_rows


def test_a_repository_with_issues_switched_off_has_no_incidents(tmp_path, clean_rows):
    github = FakeGitHub(page_size=2)
    history(github)
    github.repos[REPO].has_issues = False
    con = connect(tmp_path / "warehouse.duckdb")
    with FakeGitHubServer(github) as server:
        sync_once(con, server, [REPO])
        assert github.requests(r"/issues\?")[0].status == 410
        github.clear_log()
        sync_once(con, server, [REPO])
    assert con.execute("SELECT count(*) FROM incidents").fetchone()[0] == 0
    assert canonical_rows(con)["pull_requests"] == clean_rows["pull_requests"]
    assert len(github.requests(r"/issues\?")) == 1                 # asked again each sync: one request


# --- the command line: errors and the token ---------------------------------------------------

@pytest.fixture
def served():
    github = FakeGitHub()
    history(github)
    with FakeGitHubServer(github) as server:
        yield github, server


def sync_cli(tmp_path: Path, server: FakeGitHubServer, *args: str, token: str | None = TOKEN):
    env = {"GITHUB_TOKEN": token} if token is not None else {"GITHUB_TOKEN": ""}
    return run_pitwall("--db", str(tmp_path / "w.duckdb"), "sync", "github", "--api-url", server.url, *args,
                       cwd=tmp_path, env=env)


def warehouse_bytes(tmp_path: Path) -> bytes:
    return b"".join(path.read_bytes() for path in tmp_path.glob("w.duckdb*"))


def test_the_cli_syncs_and_prints_a_summary_without_the_token(tmp_path, served):
    github, server = served
    result = sync_cli(tmp_path, server, "--repo", REPO)
    assert result.returncode == 0, result.stderr
    # 1 repo + 1 pulls page + 4 x 3 per pull request + 9 deployment lists + 5 statuses + 4 compares
    # + 1 issues page + 1 runs page + 1 tree = 35; commits: 4 branch commits (b1-b4) + 4 shipped (c1-c4).
    assert re.fullmatch(r"synced 1 repository from GitHub in [\d.]+ s: 35 requests \(0 answered 304\), "
                        r"0 rate-limit waits, 0 retries; records: 8 commit, 5 deployment, 1 incident, "
                        r"2 pipeline_run, 4 pull_request, 1 repo, 4 review\n", result.stdout)
    again = sync_cli(tmp_path, server, "--repo", REPO)
    assert "14 requests (14 answered 304)" in again.stdout and "records: nothing new" in again.stdout
    for output in (result.stdout, result.stderr, again.stdout, again.stderr):
        assert TOKEN not in output
    assert TOKEN.encode() not in warehouse_bytes(tmp_path)


def test_the_settings_file_names_the_environments_and_incident_labels(tmp_path, served):
    github, server = served
    repo = github.repos[REPO]
    repo.commit("live1", "2024-03-20T08:00:00Z", ["c4"])
    repo.deployment(700, "c4", created="2024-03-19T09:00:00Z", environment="Live",
                    statuses=[("success", "2024-03-19T10:00:00Z")])
    repo.deployment(701, "live1", created="2024-03-20T09:00:00Z", environment="Live",
                    statuses=[("success", "2024-03-20T10:00:00Z")])
    repo.issue(1001, created="2024-03-20T11:00:00Z", labels=["Sev1"])
    (tmp_path / "pitwall.toml").write_text('[metrics]\nproduction_environments = ["live"]\n'
                                           '[ingest]\nincident_labels = ["sev1", "outage"]\n')
    result = sync_cli(tmp_path, server, "--repo", REPO)
    assert result.returncode == 0, result.stderr
    con = connect(tmp_path / "w.duckdb", read_only=True)
    assert con.execute("SELECT id, environment FROM deployments ORDER BY id").fetchall() == [
        ("700", "Live"), ("701", "Live")]
    assert con.execute("SELECT id FROM incidents").fetchall() == [(f"{REPO}#1001",)]
    assert con.execute("SELECT id FROM prod_deployments ORDER BY id").fetchall() == [("700",), ("701",)]
    assert {entry.path.rsplit("=", 1)[1] for entry in github.requests("/deployments\\?")} == {"live", "LIVE", "Live"}


def test_a_rejected_token_is_one_line_naming_the_url(tmp_path, served):
    _, server = served
    wrong = "ghp_wrong0but0secret0000000000000000000"
    result = sync_cli(tmp_path, server, "--repo", REPO, token=wrong)
    assert result.returncode == 2
    assert result.stderr == (f"error: GET {server.url}/repos/{REPO}: 401 Bad credentials: "
                             f"GITHUB_TOKEN was rejected\n")
    assert wrong not in result.stdout + result.stderr
    assert wrong.encode() not in warehouse_bytes(tmp_path)


def test_a_missing_permission_is_one_line_naming_the_url(tmp_path, served):
    github, server = served
    github.fault("/actions/runs", "forbidden", times=None)
    result = sync_cli(tmp_path, server, "--repo", REPO)
    assert result.returncode == 2
    assert result.stderr == (f"error: GET {server.url}/repos/{REPO}/actions/runs?per_page=100: 403 Resource "
                             f"not accessible by personal access token: GITHUB_TOKEN lacks a permission\n")


def test_an_unknown_repository_is_named(tmp_path, served):
    _, server = served
    result = sync_cli(tmp_path, server, "--repo", REPO, "--repo", "acme/nope")
    assert result.returncode == 2
    assert result.stderr == (f"error: acme/nope: no such repository, or GITHUB_TOKEN may not read it "
                             f"(GET {server.url}/repos/acme/nope answered 404)\n")


def test_an_unknown_organisation_is_named(tmp_path, served):
    _, server = served
    result = sync_cli(tmp_path, server, "--org", "nobody")
    assert result.returncode == 2
    assert result.stderr.startswith("error: organisation nobody: not found")


@pytest.mark.parametrize(("args", "token", "message"), [
    (["--repo", REPO], None, "error: GITHUB_TOKEN is not set"),
    ([], TOKEN, "error: name what to sync: --repo OWNER/NAME (repeatable) or --org ORG"),
    (["--repo", "just-a-name"], TOKEN, "error: --repo just-a-name: expected OWNER/NAME"),
])
def test_usage_errors_are_one_line(tmp_path, served, args, token, message):
    _, server = served
    result = sync_cli(tmp_path, server, *args, token=token)
    assert result.returncode == 2
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1


def test_credentials_in_the_api_url_are_refused(tmp_path):
    result = run_pitwall("--db", str(tmp_path / "w.duckdb"), "sync", "github", "--repo", REPO, "--api-url",
                         f"https://user:{TOKEN}@ghe.example/api/v3", cwd=tmp_path, env={"GITHUB_TOKEN": TOKEN})
    assert result.returncode == 2
    assert result.stderr == "error: --api-url must not carry credentials: put the token in GITHUB_TOKEN\n"


def test_progress_per_repository_is_shown_on_a_terminal(tmp_path, served):
    _, server = served
    leader, follower = pty.openpty()
    try:
        result = run_pitwall_with_stderr(tmp_path, server, follower)
        os.close(follower)
        follower = -1
        shown = read_all(leader)
    finally:
        os.close(leader)
        if follower >= 0:
            os.close(follower)
    assert result.returncode == 0
    assert f"[1/1] {REPO}: 8 commit, 5 deployment, 1 incident, 2 pipeline_run, 4 pull_request, 4 review" in shown


def run_pitwall_with_stderr(tmp_path: Path, server: FakeGitHubServer, stderr_fd: int):
    import subprocess
    import sys

    from helpers import ROOT
    script = Path(sys.executable).with_name("pitwall")
    env = {**{k: v for k, v in os.environ.items() if k != "PITWALL_DB"}, "PYTHONPATH": str(ROOT),
           "GITHUB_TOKEN": TOKEN}
    return subprocess.run([str(script), "--db", str(tmp_path / "w.duckdb"), "sync", "github", "--api-url",
                           server.url, "--repo", REPO], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                          stderr=stderr_fd, text=True, timeout=120)


def read_all(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:          # EIO: the other end is closed and drained
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace")
