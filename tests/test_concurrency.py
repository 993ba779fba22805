"""Concurrent use, with real processes: a `pitwall sync github` holds the writer lock while the
fake GitHub holds one of its requests open, and other processes read and write the warehouse.

The warehouse starts with one imported deployment (other/app, 2 March 2024): `metrics dora`
over March 1..29 shows 1 deployment. The sync adds acme/app's five production deployments
(1..5 March, tests.fakes.github.delivery_history): 6 after it. The sync runs one request at a
time (--concurrency 1), so the request the fake holds is always the same one: the workflow-runs
listing, after the pull requests, deployments and issues batches were committed.
"""
from __future__ import annotations

import json
import queue
import shlex
import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fakes.github import TOKEN, FakeGitHub, FakeGitHubServer, delivery_history, sync_once
from fakes.served import Fault
from streamlit.testing.v1 import AppTest

from helpers import ROOT, _pitwall_command, at, commit, deployment, run_pitwall, start_python, write_ndjson
from warehouse import connect
from warehouse.snapshot import snapshot_path

REPO, OTHER = "acme/app", "other/app"
WINDOW = ("--since", "2024-03-01", "--until", "2024-03-29")
HELD = "/actions/runs"
DEADLINE = 120


def fake() -> FakeGitHub:
    github = FakeGitHub()
    delivery_history(github, REPO)
    return github


@pytest.fixture(scope="module")
def held_request(tmp_path_factory) -> int:
    """The position of the workflow-runs request in a one-request-at-a-time sync."""
    github = fake()
    con = connect(tmp_path_factory.mktemp("order") / "w.duckdb")
    with FakeGitHubServer(github) as server:
        sync_once(con, server, [REPO], concurrency=1)
    con.close()
    paths = [entry.path for entry in github.requests()]
    return next(number for number, path in enumerate(paths, 1) if HELD in path)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A warehouse holding one imported deployment, with its read snapshot published."""
    events = write_ndjson(tmp_path / "before.ndjson", [commit("o1", at(1), repo=OTHER),
                                                       deployment("o1", "o1", at(2), repo=OTHER)])
    path = tmp_path / "w.duckdb"
    imported = run_pitwall("--db", str(path), "import", str(events), cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    return path


def deployments_shown(db: Path) -> int:
    """The org's deployment count `pitwall metrics dora --format json` prints (it must succeed)."""
    result = run_pitwall("--db", str(db), "metrics", "dora", *WINDOW, "--format", "json", cwd=db.parent)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["rows"][0]["deployments"]


def start(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`pitwall ARGS` in the background, stdout and stderr piped (text)."""
    command, environment = _pitwall_command(args, env)
    return subprocess.Popen(command, cwd=cwd, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def first_stderr_line(process: subprocess.Popen) -> str:
    """The first line `process` writes on stderr (waits for it, DEADLINE at most)."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(process.stderr.readline()), daemon=True).start()
    return lines.get(timeout=DEADLINE).rstrip("\n")


@dataclass
class Held:
    """A running sync and the fake's held request."""

    process: subprocess.Popen
    fault: Fault
    command: str

    def finish(self) -> subprocess.CompletedProcess[str]:
        """Let the held request go and wait for the sync to end."""
        self.fault.release()
        stdout, stderr = self.process.communicate(timeout=DEADLINE)
        return subprocess.CompletedProcess(self.process.args, self.process.returncode, stdout, stderr)


@contextmanager
def held_sync(db: Path, held_request: int) -> Iterator[Held]:
    """`pitwall sync github` running against the fake, held at its workflow-runs request."""
    github = fake()
    with FakeGitHubServer(github) as server:
        fault = github.fault("", "block", skip=held_request - 1)
        args = ["--db", str(db), "sync", "github", "--api-url", server.url, "--repo", REPO, "--concurrency", "1"]
        process = start(args, db.parent, {"GITHUB_TOKEN": TOKEN})
        try:
            assert github.wait_for_requests(held_request, timeout=DEADLINE), "the sync never reached the held request"
            assert [entry.path for entry in github.requests(status=-1)][0].startswith(f"/repos/{REPO}{HELD}")
            yield Held(process, fault, shlex.join(["pitwall", *args]))
        finally:
            fault.release()
            if process.poll() is None:
                process.communicate(timeout=DEADLINE)


def test_a_reader_answers_at_once_with_the_figures_from_before_the_running_sync(db, held_request):
    assert deployments_shown(db) == 1
    with held_sync(db, held_request) as sync:
        assert deployments_shown(db) == 1
        assert sync.process.poll() is None                 # answered while the sync still held the lock
        done = sync.finish()
    assert done.returncode == 0, done.stderr
    assert deployments_shown(db) == 6


def test_the_dashboard_reads_the_figures_from_before_the_running_sync(db, held_request, monkeypatch):
    monkeypatch.setenv("PITWALL_DB", str(db))
    app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    app.query_params.update({"since": "2024-03-01", "until": "2024-03-29"})
    with held_sync(db, held_request) as sync:
        app.run()
        assert sync.process.poll() is None
        assert not app.exception, [e.message for e in app.exception]
        assert not app.error, [e.value for e in app.error]
        assert app.metric[0].label == "Deployment frequency"
        assert app.metric[0].value == "0.25/wk"           # 1 deployment in 4 weeks
        assert sync.finish().returncode == 0
    app.run()
    assert app.metric[0].value == "1.50/wk"               # 6 in 4 weeks


def test_a_second_writer_waits_for_the_first_then_both_runs_are_kept(db, held_request):
    events = write_ndjson(db.parent / "more.ndjson", [commit("o2", at(6), ["o1"], repo=OTHER),
                                                      deployment("o2", "o2", at(7), repo=OTHER)])
    with held_sync(db, held_request) as sync:
        second = start(["--db", str(db), "import", str(events)], db.parent)
        assert first_stderr_line(second) == (
            f"waiting for pid {sync.process.pid} ({sync.command}) to finish writing {db}")
        assert second.poll() is None
        synced = sync.finish()
        imported, rest = second.communicate(timeout=DEADLINE)
    assert synced.returncode == 0, synced.stderr
    assert second.returncode == 0, rest
    assert imported == "imported 2 records from 1 file(s): 1 commit, 1 deployment\n"
    assert deployments_shown(db) == 7


def test_a_writer_given_a_lock_timeout_stops_with_one_line_and_writes_nothing(db, held_request):
    events = write_ndjson(db.parent / "more.ndjson", [deployment("o2", "o1", at(7), repo=OTHER)])
    with held_sync(db, held_request) as sync:
        refused = run_pitwall("--db", str(db), "import", str(events), cwd=db.parent,
                              env={"PITWALL_LOCK_TIMEOUT": "1"})
        holder = f"pid {sync.process.pid} ({sync.command})"
        assert refused.returncode == 2
        assert refused.stdout == ""
        assert refused.stderr.splitlines() == [
            f"waiting for {holder} to finish writing {db}",
            f"error: {db}: {holder} is still writing it after 1 s (PITWALL_LOCK_TIMEOUT); "
            f"nothing was written, try again later"]
        assert sync.finish().returncode == 0
    assert deployments_shown(db) == 6
    con = connect(db, read_only=True)
    assert con.execute("SELECT count(*) FROM deployments WHERE id = 'o2'").fetchone() == (0,)


def test_a_killed_sync_leaves_readers_on_the_snapshot_from_before_it_until_a_rerun(db, held_request):
    with held_sync(db, held_request) as sync:
        sync.process.send_signal(signal.SIGKILL)
        assert sync.process.wait(timeout=DEADLINE) == -signal.SIGKILL
    published = snapshot_path(db).stat().st_ino
    assert deployments_shown(db) == 1
    assert snapshot_path(db).stat().st_ino == published           # the reader did not publish the half sync
    con = connect(db)
    assert con.execute("SELECT count(*) FROM deployments WHERE source = 'github'").fetchone() == (5,)
    assert con.execute("SELECT command FROM derive_pending").fetchall() == [(f"sync github {REPO}",)]
    con.close()
    github = fake()
    with FakeGitHubServer(github) as server:
        rerun = run_pitwall("--db", str(db), "sync", "github", "--api-url", server.url, "--repo", REPO,
                            cwd=db.parent, env={"GITHUB_TOKEN": TOKEN})
    assert rerun.returncode == 0, rerun.stderr
    assert deployments_shown(db) == 6
    con = connect(db, read_only=True)
    assert con.execute("SELECT count(*) FROM derive_pending").fetchone() == (0,)
    assert con.execute("SELECT status FROM sync_runs ORDER BY started_at").fetchall() == [
        ("interrupted",), ("success",)]


HOLD_A_READ = """
import sys
from dashboard.data import read_only
with read_only(sys.argv[1]) as con:
    print(con.execute("SELECT count(*) FROM deployments").fetchone()[0], flush=True)
    sys.stdin.readline()
"""


def test_a_sync_succeeds_while_a_dashboard_holds_a_read_connection_open(db, tmp_path):
    reader = start_python(HOLD_A_READ, str(db), cwd=tmp_path)
    try:
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: lines.put(reader.stdout.readline()), daemon=True).start()
        assert lines.get(timeout=DEADLINE) == "1\n"            # its connection is open now
        github = fake()
        with FakeGitHubServer(github) as server:
            synced = run_pitwall("--db", str(db), "sync", "github", "--api-url", server.url, "--repo", REPO,
                                 cwd=tmp_path, env={"GITHUB_TOKEN": TOKEN})
        assert synced.returncode == 0, synced.stderr
        assert reader.poll() is None
        assert deployments_shown(db) == 6
    finally:
        reader.communicate("\n", timeout=DEADLINE)
    assert reader.returncode == 0
