"""Shared test builders: canonical event dicts, a real warehouse built from them, and readers.

A test lists its events with the small factories below (`deployment`, `commit`, ...), builds a
real DuckDB warehouse in `tmp_path` with `build_warehouse` (NDJSON file -> `import_files` ->
`derive`), then reads the figures back with `dora_rows` / `dora_row` / `changes_by_deployment`.
"""
from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from ingest.events import import_files
from metrics.derive import derive
from metrics.dora import dora_table
from metrics.settings import MetricsSettings
from warehouse import connect

# The repository every factory uses unless a test names another one.
REPO = "acme/app"

# A 28-day window (exactly 4 weeks): March 2024, days 1..28; `until` is exclusive.
SINCE = date(2024, 3, 1)
UNTIL = date(2024, 3, 29)


def at(day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """A UTC instant in March 2024 (day 0 is 29 February, negative days go further back)."""
    return datetime(2024, 3, 1, tzinfo=UTC) + timedelta(
        days=day - 1, hours=hour, minutes=minute, seconds=second)


def iso(value: datetime | str) -> str:
    """An event timestamp: strings pass through (to test offsets), datetimes become ISO 8601."""
    return value if isinstance(value, str) else value.isoformat()


def _event(kind: str, **fields: Any) -> dict[str, Any]:
    """A canonical event dict without its absent (None) optional fields."""
    return {"type": kind, **{name: value for name, value in fields.items() if value is not None}}


def deployment(id: str, sha: str, finished_at: datetime | str, *, repo: str = REPO,
               environment: str = "production", status: str = "success",
               service: str | None = None, commits: Sequence[str] | None = None,
               started_at: datetime | str | None = None) -> dict[str, Any]:
    """A deployment event (a production success unless told otherwise)."""
    return _event("deployment", id=id, repo=repo, environment=environment, sha=sha, status=status,
                  finished_at=iso(finished_at), service=service,
                  commits=list(commits) if commits is not None else None,
                  started_at=iso(started_at) if started_at is not None else None)


def commit(sha: str, authored_at: datetime | str, parents: Sequence[str] = (), *, repo: str = REPO,
           pr: str | None = None, message: str | None = None,
           committed_at: datetime | str | None = None) -> dict[str, Any]:
    """A commit event; `pr` links it to a pull request id."""
    return _event("commit", repo=repo, sha=sha, authored_at=iso(authored_at), parents=list(parents),
                  pull_request=pr, message=message,
                  committed_at=iso(committed_at) if committed_at is not None else None)


def pull_request(id: str, created_at: datetime | str, *, number: int = 1, repo: str = REPO,
                 title: str | None = None, labels: Sequence[str] | None = None,
                 merge_commit_sha: str | None = None) -> dict[str, Any]:
    """A pull request event."""
    return _event("pull_request", id=id, repo=repo, number=number, author="dev",
                  created_at=iso(created_at), title=title,
                  labels=list(labels) if labels is not None else None,
                  merge_commit_sha=merge_commit_sha)


def incident(id: str, started_at: datetime | str, resolved_at: datetime | str | None = None, *,
             service: str | None = None, repo: str | None = None,
             caused_by_deployment: str | None = None, caused_by_sha: str | None = None) -> dict[str, Any]:
    """An incident event; `caused_by_*` fill its `caused_by` object."""
    caused_by = {key: value for key, value in
                 (("deployment", caused_by_deployment), ("sha", caused_by_sha)) if value is not None}
    return _event("incident", id=id, started_at=iso(started_at),
                  resolved_at=iso(resolved_at) if resolved_at is not None else None,
                  service=service, repo=repo, caused_by=caused_by or None)


def service(id: str, *, team: str | None = None,
            repos: Iterable[str | tuple[str, str]] = ()) -> dict[str, Any]:
    """A service event; each repo is a repo id or a (repo id, monorepo path) pair."""
    links = [{"repo": r} if isinstance(r, str) else {"repo": r[0], "path": r[1]} for r in repos]
    return _event("service", id=id, name=id, team=team, repos=links or None)


def team(id: str) -> dict[str, Any]:
    """A team event."""
    return _event("team", id=id, name=id)


def write_ndjson(path: Path, events: Iterable[dict[str, Any]]) -> Path:
    """Write `events` as NDJSON, one object a line."""
    path.write_text("".join(json.dumps(event) + "\n" for event in events), encoding="utf-8")
    return path


def build_warehouse(tmp_path: Path, events: Iterable[dict[str, Any]],
                    settings: MetricsSettings | None = None) -> duckdb.DuckDBPyConnection:
    """A real warehouse file in `tmp_path` holding `events`, its derived tables rebuilt."""
    source = write_ndjson(tmp_path / "events.ndjson", events)
    con = connect(tmp_path / "warehouse.duckdb")
    import_files(con, [source])
    derive(con, settings)
    return con


def _plain(value: Any) -> Any:
    """NaN/None -> None, numpy scalars -> Python scalars (so rows compare as plain dicts)."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def dora_rows(con: duckdb.DuckDBPyConnection, since: date = SINCE, until: date = UNTIL,
              group_by: str = "org", **options: Any) -> list[dict[str, Any]]:
    """`dora_table` as a list of plain dicts (unknown values None)."""
    frame = dora_table(con, since, until, group_by=group_by, **options)
    return [{key: _plain(value) for key, value in record.items()}
            for record in frame.to_dict(orient="records")]


def dora_row(con: duckdb.DuckDBPyConnection, since: date = SINCE, until: date = UNTIL,
             group_by: str = "org", group: str = "all", **options: Any) -> dict[str, Any]:
    """The one `dora_table` row of `group` (fails when there is not exactly one)."""
    rows = [row for row in dora_rows(con, since, until, group_by, **options) if row["group"] == group]
    assert len(rows) == 1, f"expected one row for group {group!r}, got {rows}"
    return rows[0]


def changes_by_deployment(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """Each production deployment id -> its change units (pull request id, else commit sha)."""
    found: dict[str, set[str]] = {
        row[0]: set() for row in con.execute("SELECT id FROM prod_deployments").fetchall()}
    for deployment_id, unit in con.execute(
            "SELECT deployment_id, coalesce(pull_request, sha) FROM deployment_changes").fetchall():
        found.setdefault(deployment_id, set()).add(unit)
    return found


def lead_hours(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    """Each change unit (pull request id, else commit sha) -> its lead time in hours."""
    return {unit: seconds / 3600 for unit, seconds in con.execute(
        "SELECT coalesce(pull_request, sha), lead_time_seconds FROM deployment_changes").fetchall()}


# --- event files with bad lines, warehouse row counts, the CLI as a subprocess --------------

ROOT = Path(__file__).resolve().parent.parent


def write_lines(path: Path, lines: Iterable[str | bytes]) -> Path:
    """Write raw NDJSON lines (text, or bytes for encoding tests), each ended by a newline."""
    path.write_bytes(b"".join((line if isinstance(line, bytes) else line.encode()) + b"\n" for line in lines))
    return path


def row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The number of rows of every canonical table, service_repos and ingest_runs."""
    from warehouse.store import TABLES
    tables = [*TABLES.values(), "service_repos", "ingest_runs"]
    return {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in tables}


def _pitwall_command(args: Sequence[str], env: dict[str, str] | None) -> tuple[list[str], dict[str, str]]:
    """The console script's argv and environment: this checkout's code, PITWALL_DB cleared unless set."""
    script = Path(sys.executable).with_name("pitwall")
    environment = {k: v for k, v in os.environ.items() if k != "PITWALL_DB"}
    environment.update({"PYTHONPATH": str(ROOT), **(env or {})})
    return [str(script), *args], environment


def run_pitwall(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed `pitwall` console script in `cwd` on this checkout's code; never hangs.

    PITWALL_DB is cleared unless `env` sets it, so the caller's shell cannot leak in.
    """
    command, environment = _pitwall_command(args, env)
    return subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=300)


def kill_mid_sync_then_resume(fake: Any, args: Sequence[str], cwd: Path, env: dict[str, str],
                              kill_at: int) -> subprocess.CompletedProcess[str]:
    """Run `pitwall ARGS` against a served fake, SIGKILL it while the fake holds its `kill_at`-th
    request, then run the same command again to its end; returns that second run."""
    held = fake.fault("", "block", skip=kill_at - 1)
    command, environment = _pitwall_command(args, env)
    process = subprocess.Popen(command, cwd=cwd, env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert fake.wait_for_requests(kill_at, timeout=120), "the sync never reached the held request"
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=60) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
        held.release()
    return run_pitwall(*args, cwd=cwd, env=env)


# --- the dashboard's small organisation (hand-computed figures in tests/test_dashboard_*.py) ---

CHECKOUT, SEARCH = "acme/checkout", "acme/search"


def small_org_events() -> list[dict[str, Any]]:
    """Two teams, one service each, over the SINCE..UNTIL window and the 28 days before it.

    Window (4 weeks): checkout d1 (lead 24 h; a second commit authored after it: a negative lead
    time, dropped), d2 (lead 60 h; incident i1 from it, resolved 6 h later), search s1 (30 h),
    s2 (72 h, a `Revert "..."` commit: rework); a failed checkout attempt; incident i2 names
    nothing (unattributed). Previous 28 days: checkout d0 (first of its series: no baseline, no
    changes), search s0 (explicit list: lead 12 h).
    """
    return [
        team("payments"), team("search"),
        service("checkout", team="payments", repos=[CHECKOUT]),
        service("search-api", team="search", repos=[SEARCH]),
        commit("c0", at(-11, 12), repo=CHECKOUT),
        deployment("d0", "c0", at(-10, 12), repo=CHECKOUT),
        commit("s0", at(-4, 21), repo=SEARCH),
        deployment("s0", "s0", at(-3, 9), repo=SEARCH, commits=["s0"]),
        commit("c1", at(2, 12), ["c0"], repo=CHECKOUT),
        commit("c1late", at(4), ["c1"], repo=CHECKOUT),
        deployment("d1", "c1late", at(3, 12), repo=CHECKOUT, commits=["c1", "c1late"]),
        deployment("attempt", "cx", at(5, 12), repo=CHECKOUT, status="failure"),
        commit("c2", at(8), ["c1late"], repo=CHECKOUT),
        deployment("d2", "c2", at(10, 12), repo=CHECKOUT, commits=["c2"]),
        incident("i1", at(10, 13), at(10, 19), caused_by_deployment="d2"),
        commit("s1", at(14, 3), ["s0"], repo=SEARCH),
        deployment("s1", "s1", at(15, 9), repo=SEARCH, commits=["s1"]),
        commit("s2", at(19, 9), ["s1"], repo=SEARCH, message='Revert "Add cache"'),
        deployment("s2", "s2", at(22, 9), repo=SEARCH, commits=["s2"]),
        incident("i2", at(20), at(20, 2)),
    ]


def warehouse_file(tmp_path: Path, events: Iterable[dict[str, Any]]) -> Path:
    """`build_warehouse` closed again: the path of a warehouse file other processes may open."""
    build_warehouse(tmp_path, events).close()
    return tmp_path / "warehouse.duckdb"


def add_checkout_deployment(db: Path) -> None:
    """Into the warehouse of `small_org_events`: one more checkout deployment (d3, day 25, its
    commit c3), imported and derived by a writer of its own, so the next reader sees new figures."""
    extra = write_ndjson(db.parent / "more.ndjson", [commit("c3", at(24), ["c2"], repo=CHECKOUT),
                                                     deployment("d3", "c3", at(25), repo=CHECKOUT, commits=["c3"])])
    con = connect(db)
    import_files(con, [extra])
    derive(con)
    con.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_python(snippet: str, *args: str, cwd: Path) -> subprocess.Popen:
    """Run the Python `snippet` (sys.argv[1:] = `args`) with Pitwall importable, its stdin and
    stdout piped as text: a second process the test steps through line by line."""
    return subprocess.Popen([sys.executable, "-c", snippet, *args], cwd=cwd, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def start_pitwall(*args: str, cwd: Path, log: Path) -> subprocess.Popen:
    """Start the installed `pitwall` console script in the background, in its own process group.

    Its output goes to `log`; PITWALL_DB is cleared. No PYTHONPATH: it runs as installed.
    The caller stops it.
    """
    script = Path(sys.executable).with_name("pitwall")
    environment = {k: v for k, v in os.environ.items() if k != "PITWALL_DB"}
    with log.open("w") as output:
        return subprocess.Popen([str(script), *args], cwd=cwd, env=environment, stdout=output,
                                stderr=subprocess.STDOUT, start_new_session=True)


# --- Backstage catalog files (tests/test_catalog_*.py, tests/test_scorecards_*.py) -----------

def entity(kind: str, name: str, *, namespace: str | None = None, spec: dict[str, Any] | None = None,
           **metadata: Any) -> dict[str, Any]:
    """A catalog entity: `metadata` holds title, annotations, tags, links, ... as given."""
    meta = {"name": name, **({"namespace": namespace} if namespace else {}), **metadata}
    return {"apiVersion": "backstage.io/v1alpha1", "kind": kind, "metadata": meta, **({"spec": spec} if spec else {})}


def component(name: str, *, type: str = "service", owner: str | None = "core", lifecycle: str | None = "production",
              **metadata: Any) -> dict[str, Any]:
    """A Component entity (a service unless `type` says otherwise)."""
    spec = {"type": type, "owner": owner, "lifecycle": lifecycle}
    return entity("Component", name, spec={k: v for k, v in spec.items() if v is not None}, **metadata)


def write_catalog(path: Path, *entities: dict[str, Any]) -> Path:
    """Write `entities` as one multi-document YAML file (parent folders created)."""
    import yaml
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump_all(entities, sort_keys=False), encoding="utf-8")
    return path


def pipeline_run(id: str, started_at: datetime | str, status: str = "success", *, repo: str = REPO,
                 workflow: str = "ci") -> dict[str, Any]:
    """A CI pipeline run event."""
    return _event("pipeline_run", id=id, repo=repo, workflow=workflow, status=status, started_at=iso(started_at))


# --- developer experience and settings (tests/test_devex_*.py, test_settings.py, test_explain.py)

def _present(**fields: Any) -> dict[str, Any]:
    """The fields that are not None."""
    return {name: value for name, value in fields.items() if value is not None}


def authored_commit(sha: str, authored_at: datetime | str, parents: Sequence[str] = (), *, author: str,
                    files: Sequence[str] | None = None, repo: str = REPO, pr: str | None = None) -> dict[str, Any]:
    """A commit with its author and, optionally, the paths it changed (`files`)."""
    return {**commit(sha, authored_at, parents, repo=repo, pr=pr),
            **_present(author=author, files=list(files) if files is not None else None)}


def flow_pull_request(id: str, author: str, created_at: datetime | str, *, ready_at: datetime | str | None = None,
                      merged_at: datetime | str | None = None, closed_at: datetime | str | None = None,
                      additions: int | None = None, deletions: int | None = None, number: int = 1,
                      repo: str = REPO, merge_commit_sha: str | None = None) -> dict[str, Any]:
    """A pull request with its author, flow moments and size (a merged one is closed when merged)."""
    closed = closed_at if closed_at is not None else merged_at
    return {**pull_request(id, created_at, number=number, repo=repo, merge_commit_sha=merge_commit_sha),
            "author": author,
            **_present(ready_at=iso(ready_at) if ready_at is not None else None,
                       merged_at=iso(merged_at) if merged_at is not None else None,
                       closed_at=iso(closed) if closed is not None else None,
                       additions=additions, deletions=deletions)}


def review(id: str, pull_request: str, reviewer: str, submitted_at: datetime | str,
           state: str = "approved") -> dict[str, Any]:
    """A review event."""
    return _event("review", id=id, pull_request=pull_request, reviewer=reviewer, state=state,
                  submitted_at=iso(submitted_at))


def ci_run(id: str, started_at: datetime, minutes: float | None = None, status: str = "success", *,
           attempt: int | None = None, sha: str | None = None, repo: str = REPO,
           workflow: str = "ci") -> dict[str, Any]:
    """A pipeline run that took `minutes` (None: not finished)."""
    finished = iso(started_at + timedelta(minutes=minutes)) if minutes is not None else None
    return {**pipeline_run(id, started_at, status, repo=repo, workflow=workflow),
            **_present(finished_at=finished, attempt=attempt, sha=sha)}


def figure_values(frame: Any, column: str = "value") -> dict[tuple[str, str], Any]:
    """(group, figure) -> `column` of a long developer-experience frame (devex_table)."""
    return {(row["group"], row["figure"]): _plain(row[column]) for row in frame.to_dict(orient="records")}


def write_settings(folder: Path, text: str, name: str = "pitwall.toml") -> Path:
    """A settings file in `folder` (pitwall.toml unless named otherwise)."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def files_bytes(folder: Path, pattern: str) -> bytes:
    """The bytes of every file in `folder` matching `pattern` (a warehouse and its WAL): to prove
    a secret was never written."""
    return b"".join(path.read_bytes() for path in sorted(folder.glob(pattern)))


# --- stored scorecard results and sync bookmarks (tests/test_dashboard_pages.py) -----------------

def store_scorecard_day(con: duckdb.DuckDBPyConnection, day: date, scorecard: str, levels: Sequence[str],
                        results: Iterable[tuple[str, str | None, str, int, float | None]],
                        rules: Iterable[tuple[str, str, str, str, Any, str, str | None]] = ()) -> None:
    """Store one evaluation day of `scorecard` as `pitwall scorecards evaluate` would:
    results (service, team, level, level_rank, score), rules (service, rule, level, status, value,
    reason, remediation)."""
    con.execute("INSERT INTO scorecard_runs VALUES (?, ?, ?, ?, 'spec.yaml', now())",
                [day, scorecard, scorecard.title(), list(levels)])
    for service_id, team_id, level, rank, score in results:
        con.execute("INSERT INTO scorecard_results VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [day, scorecard, service_id, team_id, level, rank, score])
    for service_id, rule, level, status, value, reason, remediation in rules:
        con.execute("INSERT INTO scorecard_rule_results VALUES (?, ?, ?, ?, ?, 1.0, ?, ?, ?, ?)",
                    [day, scorecard, service_id, rule, level, status, json.dumps(value), reason, remediation])


def store_bookmark(con: duckdb.DuckDBPyConnection, scope: str, stream: str, bookmark: str,
                   updated_at: datetime) -> None:
    """A provider sync's bookmark, as ingest.sync_state stores it."""
    con.execute("INSERT INTO sync_state VALUES ('github', ?, ?, NULL, NULL, ?, ?)",
                [scope, stream, bookmark, updated_at])


# --- the state of a whole warehouse (bad input or a killed run changes nothing) -------------

_BASE_COLUMNS = """
SELECT c.table_name, c.column_name FROM information_schema.columns AS c
JOIN information_schema.tables AS t USING (table_catalog, table_schema, table_name)
WHERE c.table_schema = 'main' AND t.table_type = 'BASE TABLE' ORDER BY c.table_name, c.ordinal_position
"""


def warehouse_fingerprint(db: Path, ignore: Collection[tuple[str, str]] = (), *,
                          read_only: bool = True) -> dict[str, tuple[int, int]]:
    """Every table of the warehouse file at `db`: (row count, sum of row hashes). Two equal
    fingerprints mean the same tables holding the same rows (in any order). `ignore`: (table,
    column) pairs left out of the hashes, such as a time stamped by the run. Either way of opening
    replays a write-ahead log left behind; read-write (`read_only` False) also checkpoints it, as
    the next Pitwall run would."""
    con = duckdb.connect(str(db), read_only=read_only)
    try:
        columns: dict[str, list[str]] = {}
        for table, column in con.execute(_BASE_COLUMNS).fetchall():
            columns.setdefault(table, [])
            if (table, column) not in ignore:
                columns[table].append('"{}"'.format(column.replace('"', '""')))
        return {table: con.execute(f'SELECT count(*), coalesce(sum(hash({", ".join(names)})), 0) FROM "{table}"')
                .fetchone() for table, names in columns.items()}
    finally:
        con.close()
