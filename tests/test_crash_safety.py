"""SIGKILL in the middle of a write command leaves the warehouse as it was before the run or as a
complete run leaves it, never in between; a killed export leaves no half-written bundle.

Each scenario starts from a "before" warehouse (the sample organisation over 90 days, built
in-process). One clean run of the real `pitwall` process on a copy gives the "after" warehouse
and the run's timing. Then the command is started again on fresh copies and killed with SIGKILL
at moments seen from outside the process -- as soon as it holds the warehouse file open (its
/proc/PID/fd), as soon as the write-ahead log appears (DuckDB writes it at a commit) -- then at
even steps through the clean run's time from opening to exit, until a run is found in the after
state. After each kill the warehouse is opened read-write (DuckDB replays its WAL) and the
fingerprint of every table -- row count and the sum of the rows' hashes -- must equal the before
or the after one. A killed export must leave the previous bundle or the complete new one
(moments: its partial folder appears, anything in the output folder changes).

Columns stamped with the clock of the run (when an import ran, a tree was listed, a bookmark
moved, an evaluation or spec was stored) are left out of the fingerprint: two runs never share them.
"""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest

from dashboard.bundle_folder import partial_folders
from dashboard.export_bundle import MANIFEST
from helpers import component, entity, start_pitwall, warehouse_fingerprint, write_catalog
from ingest.catalog import import_catalog
from ingest.events import import_files
from metrics.derive import derive
from pitwall.commands.demo import SAMPLES
from sampleorg.config import load_config
from sampleorg.generate import generate, write_ndjson
from warehouse import connect

ANCHOR = date(2026, 1, 15)
DAYS = 90                 # a quarter of the sample organisation: about 35,000 events
STEPS = 3                 # kill points spread over a clean run's time, after the moments seen from outside
MAX_RUNS = 3 * STEPS      # a run slower than the clean one gets more kill points, up to this many
POLL = 0.002              # seconds between looks at the process
DEADLINE = 120.0          # seconds a run may take at most
VOLATILE = {("ingest_runs", "finished_at"), ("repo_tree_facts", "listed_at"), ("scorecard_runs", "evaluated_at"),
            ("scorecard_specs", "saved_at"), ("sync_state", "updated_at")}

Fingerprint = dict[str, tuple[int, int]]
Trigger = Callable[[subprocess.Popen], bool]   # waits for its moment: True to kill, False when the run ended
Moment = Callable[[Path, Path], Trigger]        # the trigger of a run, from its folder and warehouse
Judge = Callable[[Path, Path], str]             # "before" or "after" from a run's folder and warehouse


def fingerprint(db: Path) -> Fingerprint:
    """Every table's row count and sum of row hashes, the run's clock left out; opened read-write
    (the WAL replayed and checkpointed), as the next run of Pitwall opens it."""
    return warehouse_fingerprint(db, VOLATILE, read_only=False)


def _difference(found: Fingerprint, before: Fingerprint, after: Fingerprint) -> str:
    """The tables the run changes, as found: like before, like after, or neither."""
    changed = sorted(t for t in set(before) | set(after) | set(found) if before.get(t) != after.get(t))
    states = {t: "before" if found.get(t) == before.get(t) else "after" if found.get(t) == after.get(t) else "neither"
              for t in changed}
    return ", ".join(f"{table}: {state}" for table, state in states.items())


def holds_open(pid: int, path: Path) -> bool:
    """Whether process `pid` has `path` open (Linux /proc)."""
    wanted = str(path.resolve())
    try:
        descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False
    for descriptor in descriptors:
        try:
            if os.readlink(descriptor) == wanted:
                return True
        except OSError:
            continue
    return False


def wait_for(process: subprocess.Popen, condition: Callable[[], bool]) -> bool:
    """Look at `condition` until it holds (True) or the process ends (False); bounded by DEADLINE."""
    deadline = time.monotonic() + DEADLINE
    while not condition():
        try:
            process.wait(timeout=POLL)
            return False
        except subprocess.TimeoutExpired:
            assert time.monotonic() < deadline, "the command neither reached the moment nor ended"
    return True


def opening(_folder: Path, db: Path) -> Trigger:
    """Kill as soon as the process holds the warehouse open."""
    return lambda process: wait_for(process, lambda: holds_open(process.pid, db))


def committing(_folder: Path, db: Path) -> Trigger:
    """Kill as soon as the warehouse's write-ahead log appears (DuckDB writes it at a commit)."""
    return lambda process: wait_for(process, Path(f"{db}.wal").exists)


def writing_bundle(folder: Path, _db: Path) -> Trigger:
    """Kill as soon as an export started writing its bundle (the partial folder beside `out`)."""
    return lambda process: wait_for(process, lambda: bool(partial_folders(folder / "out")))


def listing(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Each entry of `folder`: inode, modification time, size (empty when it is missing or moving)."""
    try:
        return {entry.name: (entry.inode(), entry.stat().st_mtime_ns, entry.stat().st_size)
                for entry in os.scandir(folder)}
    except OSError:
        return {}


def changing_bundle(folder: Path, _db: Path) -> Trigger:
    """Kill as soon as anything in `out` differs from the previous bundle (a file written, the
    folder replaced): an export writing in place would be caught half-way."""
    first = listing(folder / "out")
    return lambda process: wait_for(process, lambda: listing(folder / "out") != first)


def after_open(db: Path, delay: float) -> Trigger:
    """Kill `delay` seconds after the process opened the warehouse."""
    def trigger(process: subprocess.Popen) -> bool:
        if not wait_for(process, lambda: holds_open(process.pid, db)):
            return False
        try:
            process.wait(timeout=delay)
            return False
        except subprocess.TimeoutExpired:
            return True
    return trigger


@dataclass
class Run:
    """One scenario: the command, and a fresh copy of the "before" state for each run of it."""

    args: list[str]
    before: Path               # the warehouse the command starts from
    work: Path                 # runs happen in numbered folders under it
    config: str | None = None  # the pitwall.toml in the run's folder
    bundle: Path | None = None  # a previous export, copied into the run's folder as `out`

    def prepare(self, name: str) -> tuple[Path, Path]:
        """A new run folder holding a copy of the before warehouse (the settings file, the bundle)."""
        folder = self.work / name
        folder.mkdir(parents=True)
        db = folder / "warehouse.duckdb"
        shutil.copyfile(self.before, db)
        if self.config is not None:
            (folder / "pitwall.toml").write_text(self.config, encoding="utf-8")
        if self.bundle is not None:
            shutil.copytree(self.bundle, folder / "out")
        return folder, db

    def start(self, folder: Path, db: Path) -> subprocess.Popen:
        return start_pitwall("--db", str(db), *self.args, cwd=folder, log=folder / "output.log")

    def clean(self) -> tuple[Path, float, float]:
        """Run to the end; returns the after warehouse, the time it opened it and the time it ended."""
        folder, db = self.prepare("clean")
        began = time.monotonic()
        process = self.start(folder, db)
        opened = wait_for(process, lambda: holds_open(process.pid, db))
        opened_at = time.monotonic() - began if opened else 0.0
        assert process.wait(timeout=DEADLINE) == 0, (folder / "output.log").read_text()
        return db, opened_at, time.monotonic() - began

    def killed(self, name: str, moment: Moment) -> tuple[Path, Path]:
        """Run and SIGKILL it at `moment` (unless it ends first); returns its folder and warehouse."""
        folder, db = self.prepare(name)
        trigger = moment(folder, db)
        process = self.start(folder, db)
        try:
            if trigger(process) and process.poll() is None:
                process.send_signal(signal.SIGKILL)
            code = process.wait(timeout=DEADLINE)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        assert code in (0, -signal.SIGKILL), (folder / "output.log").read_text()
        return folder, db


def check_kills(run: Run, moments: list[Moment], step: float, judge: Judge) -> list[str]:
    """Kill the run at each of `moments`, then `step`, 2 `step`, ... seconds after it opened the
    warehouse until a run is found in the after state (killed after its commit, or ended).
    `judge` names the state of each run; returns them in order."""
    states = [judge(*run.killed(f"moment-{index}", moment)) for index, moment in enumerate(moments)]
    for index in range(1, MAX_RUNS + 1):
        states.append(judge(*run.killed(f"step-{index}", lambda _folder, db, i=index: after_open(db, i * step))))
        if states[-1] == "after":
            assert "before" in states, f"{run.args}: no kill landed before the commit"
            return states
    raise AssertionError(f"{run.args}: {MAX_RUNS} runs were killed and none had committed")


def check_warehouse_kills(run: Run, moments: list[Moment] = ()) -> list[str]:
    """Kill the run at `moments`, when the WAL appears (its commit), then at steps through a clean
    run's time; each warehouse must be the before or the after one. Returns the states found."""
    after_db, opened_at, ended_at = run.clean()
    before, after = fingerprint(run.before), fingerprint(after_db)
    assert before != after, "the command changes nothing: the scenario would prove nothing"

    def judge(_folder: Path, db: Path) -> str:
        found = fingerprint(db)
        assert found in (before, after), f"{run.args}: in between after a kill: {_difference(found, before, after)}"
        return "before" if found == before else "after"

    return check_kills(run, [*moments, committing], (ended_at - opened_at) / STEPS, judge)


# --- the warehouses the scenarios start from ---------------------------------------------------------

@dataclass(frozen=True)
class Base:
    folder: Path
    events: Path        # the sample organisation's events, as NDJSON
    empty: Path         # a warehouse with the schema and nothing else
    imported: Path      # the events imported and derived
    catalogued: Path    # ... and the sample catalog imported


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    folder = tmp_path_factory.mktemp("crash")
    events = folder / "events.ndjson"
    with events.open("w", encoding="utf-8") as handle:
        write_ndjson(generate(ANCHOR, config=replace(load_config(), days=DAYS)), handle)
    empty, imported, catalogued = folder / "empty.duckdb", folder / "imported.duckdb", folder / "catalogued.duckdb"
    connect(empty).close()
    con = connect(imported)
    import_files(con, [events])
    derive(con)
    con.close()
    shutil.copyfile(imported, catalogued)
    con = connect(catalogued)
    import_catalog(con, [SAMPLES / "catalog"])
    derive(con)
    con.close()
    return Base(folder, events, empty, imported, catalogued)


# --- the scenarios ------------------------------------------------------------------------------------

def test_a_killed_import_leaves_no_event_or_derived_row_behind(base, tmp_path):
    states = check_warehouse_kills(Run(["import", str(base.events)], base.empty, tmp_path), [opening])
    assert states[0] == "before"        # killed as it opened the warehouse: nothing was written


def test_a_killed_catalog_import_leaves_the_catalog_and_derived_tables_together(base, tmp_path):
    # A second service on acme/payments-api, owned by a new team: the derived tables change too.
    catalog = write_catalog(tmp_path / "catalog-info.yaml", entity("Group", "sre", spec={"type": "team"}),
                            component("payments-edge", owner="group:sre",
                                      annotations={"github.com/project-slug": "acme/payments-api"}))
    check_warehouse_kills(Run(["catalog", "import", str(catalog)], base.imported, tmp_path / "runs"))


def test_a_killed_derive_leaves_the_derived_tables_of_one_settings_file(base, tmp_path):
    settings = '[metrics]\nproduction_environments = ["production", "staging"]\nrework_labels = ["hotfix"]\n'
    check_warehouse_kills(Run(["config", "apply"], base.catalogued, tmp_path, config=settings))


def test_a_killed_scorecard_evaluation_stores_all_results_and_specs_or_none(base, tmp_path):
    specs = [arg for path in sorted((SAMPLES / "scorecards").glob("*.yaml")) for arg in ("--spec", str(path))]
    check_warehouse_kills(Run(["scorecards", "evaluate", *specs, "--date", "2026-01-10"], base.catalogued, tmp_path))


def fast_import_stream(commits: int, tag_every: int) -> bytes:
    """A `git fast-import` stream: `commits` commits on main, hourly, each a squash-merge subject
    `Change N (#N)` touching one of 50 files; a tag v1.K on every `tag_every`-th commit."""
    parts = []
    for number in range(1, commits + 1):
        when, message, content = 1_700_000_000 + number * 3600, f"Change {number} (#{number})\n".encode(), b"x\n"
        parts += [b"commit refs/heads/main\nmark :%d\n" % number,
                  b"author Dev <dev@example.com> %d +0000\ncommitter Dev <dev@example.com> %d +0000\n" % (when, when),
                  b"data %d\n%s" % (len(message), message),
                  b"from :%d\n" % (number - 1) if number > 1 else b"",
                  b"M 644 inline src/f%d.txt\ndata %d\n%s\n" % (number % 50, len(content), content)]
    parts += [b"reset refs/tags/v1.%d\nfrom :%d\n\n" % (number // tag_every, number)
              for number in range(tag_every, commits + 1, tag_every)]
    return b"".join(parts)


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A local clone with 1,500 commits and 75 deploy tags."""
    path = tmp_path_factory.mktemp("clone")
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    subprocess.run(["git", "-C", str(path), "fast-import", "--quiet"], input=fast_import_stream(1500, 20), check=True)
    return path


def test_a_killed_git_sync_leaves_the_commits_tags_and_derived_tables_together(base, clone, tmp_path):
    check_warehouse_kills(Run(["sync", "git", str(clone), "--repo", "acme/crash"], base.imported, tmp_path))


# --- export: the folder holds the previous bundle or the complete new one ---------------------------

OLD_WINDOW = ["--since", "2025-11-01", "--until", "2025-12-01"]
NEW_WINDOW = ["--since", "2025-12-01", "--until", "2026-01-15"]
NEW_ZIP = "pitwall-report-2025-12-01-2026-01-15.zip"


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir()} if folder.exists() else {}


def is_complete_bundle(files: dict[str, bytes], names: set[str]) -> bool:
    """The new window's bundle, whole: every file, the manifest's row counts, the zip's copies."""
    if set(files) != names:
        return False
    about = json.loads(files[MANIFEST])
    if about["window"] != {"since": "2025-12-01", "until": "2026-01-15"}:
        return False
    for entry in about["files"]:
        lines = list(csv.reader(io.StringIO(files[entry["file"]].decode("utf-8"))))
        if len(lines) != entry["rows"] + 1:
            return False
    with zipfile.ZipFile(io.BytesIO(files[NEW_ZIP])) as bundle:
        return all(bundle.read(entry["file"]) == files[entry["file"]] for entry in about["files"])


def test_a_killed_export_leaves_the_previous_bundle_or_the_complete_new_one(base, tmp_path):
    run = Run(["export", "--out", "out", *NEW_WINDOW], base.catalogued, tmp_path)
    folder, db = run.prepare("previous")
    previous = start_pitwall("--db", str(db), "export", "--out", "out", *OLD_WINDOW, cwd=folder,
                             log=folder / "output.log")
    assert previous.wait(timeout=DEADLINE) == 0, (folder / "output.log").read_text()
    run.bundle, old = folder / "out", folder_bytes(folder / "out")
    after_db, opened_at, ended_at = run.clean()
    names = set(folder_bytes(after_db.parent / "out"))
    assert NEW_ZIP in names and is_complete_bundle(folder_bytes(after_db.parent / "out"), names)
    unchanged = fingerprint(base.catalogued)

    def judge(folder: Path, db: Path) -> str:
        files = folder_bytes(folder / "out")
        assert files == old or is_complete_bundle(files, names), f"half-written bundle: {sorted(files)}"
        assert fingerprint(db) == unchanged
        return "before" if files == old else "after"

    check_kills(run, [writing_bundle, changing_bundle], (ended_at - opened_at) / STEPS, judge)
