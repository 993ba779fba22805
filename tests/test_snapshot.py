"""The writer lock and the published read snapshot (warehouse.session), on real files.

Readers open `<db>.snapshot`; whoever holds `<db>.lock` publishes it. These tests hold the lock
in this process (an flock on another descriptor conflicts like another process would), write
the warehouse directly with `connect(path)`, and leave write-ahead logs behind with a real
killed process.
"""
from __future__ import annotations

import fcntl
import os
import signal
from pathlib import Path

import pytest

from helpers import run_pitwall, start_python, write_ndjson
from metrics.derive import derive
from warehouse import WarehouseError, connect, mark_derive_pending, writing
from warehouse.db import migrations
from warehouse.lock import WriterLock, lock_path
from warehouse.snapshot import snapshot_path

NEWEST = migrations()[-1][0]
ADD_TEAM = "INSERT INTO teams (source, id, name) VALUES ('test', ?, ?)"


def add_team(db: Path, name: str) -> None:
    """Write one team straight into the warehouse file (no lock, no snapshot)."""
    con = connect(db)
    con.execute(ADD_TEAM, [name, name])
    con.close()


def teams_read(db: Path) -> list[str]:
    """The team ids a reader sees."""
    con = connect(db, read_only=True)
    try:
        return [row[0] for row in con.execute("SELECT id FROM teams ORDER BY id").fetchall()]
    finally:
        con.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A warehouse holding team `a`, written and published by a write session."""
    path = tmp_path / "w.duckdb"
    with writing(path, command="pitwall test") as con:
        con.execute(ADD_TEAM, ["a", "a"])
    return path


@pytest.fixture
def held(db: Path):
    """The writer lock of `db`, held by this process as `pitwall sync github --repo acme/app`."""
    lock = WriterLock(db, "pitwall sync github --repo acme/app")
    assert lock.try_acquire()
    yield lock
    lock.release()


def test_a_write_session_publishes_the_snapshot_readers_open(db):
    con = connect(db, read_only=True)
    assert con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
                       ).fetchone() == (str(snapshot_path(db)),)
    assert con.execute("SELECT id FROM teams").fetchall() == [("a",)]
    info = db.stat()
    assert con.execute("SELECT warehouse, inode, size, mtime_ns FROM pitwall_snapshot").fetchall() == [
        (str(db), info.st_ino, info.st_size, info.st_mtime_ns)]
    con.close()
    assert sorted(p.name for p in db.parent.iterdir()) == ["w.duckdb", "w.duckdb.lock", "w.duckdb.snapshot"]


def test_a_warehouse_written_without_the_lock_is_published_on_the_next_read(db):
    add_team(db, "b")
    assert teams_read(db) == ["a", "b"]
    add_team(db, "c")
    assert teams_read(db) == ["a", "b", "c"]


def test_a_reader_opened_after_a_publish_sees_it_while_an_older_reader_is_still_open(db):
    older = connect(db, read_only=True)
    with writing(db, command="pitwall test") as con:
        con.execute(ADD_TEAM, ["b", "b"])
    assert teams_read(db) == ["a", "b"]
    assert older.execute("SELECT id FROM teams").fetchall() == [("a",)]
    older.close()


def test_while_a_writer_holds_the_lock_readers_read_the_last_snapshot_at_once(db, held):
    published = snapshot_path(db).stat().st_ino
    add_team(db, "b")
    assert teams_read(db) == ["a"]
    assert snapshot_path(db).stat().st_ino == published
    held.release()
    assert teams_read(db) == ["a", "b"]


def test_without_a_snapshot_and_with_the_lock_held_a_reader_says_who_writes(db, held):
    snapshot_path(db).unlink()
    with pytest.raises(WarehouseError) as error:
        connect(db, read_only=True)
    assert str(error.value) == (f"{db}: pid {os.getpid()} (pitwall sync github --repo acme/app) is writing the "
                                f"warehouse and it has no read snapshot yet; try again when it is done")


def test_the_lock_file_names_the_writer(db):
    with writing(db, command="pitwall import a.ndjson"):
        assert lock_path(db).read_text() == f"{os.getpid()}\npitwall import a.ndjson\n"


def test_a_warehouse_with_derive_pending_is_not_published_until_derive_ran(db):
    published = snapshot_path(db).stat().st_ino
    with writing(db, command="pitwall sync github --repo acme/app") as con:
        mark_derive_pending(con, "sync github acme/app")
        con.execute(ADD_TEAM, ["b", "b"])
    assert teams_read(db) == ["a"]
    assert snapshot_path(db).stat().st_ino == published
    con = connect(db)
    derive(con)
    con.close()
    assert teams_read(db) == ["a", "b"]


def test_a_failed_write_session_publishes_nothing_and_frees_the_lock(db):
    published = snapshot_path(db).stat().st_ino
    with pytest.raises(RuntimeError), writing(db, command="pitwall import a.ndjson"):
        raise RuntimeError("the import failed")
    assert snapshot_path(db).stat().st_ino == published
    lock = WriterLock(db, "pitwall test")
    assert lock.try_acquire()
    lock.release()


def test_a_writer_that_may_not_wait_stops_with_one_line_and_does_not_say_it_waits(db, held, monkeypatch):
    monkeypatch.setenv("PITWALL_LOCK_TIMEOUT", "0")
    said: list[str] = []
    with pytest.raises(WarehouseError) as error, writing(db, command="pitwall import a.ndjson", on_wait=said.append):
        pytest.fail("the session must not start")
    assert str(error.value) == (f"{db}: pid {os.getpid()} (pitwall sync github --repo acme/app) is still writing "
                                f"it after 0 s (PITWALL_LOCK_TIMEOUT); nothing was written, try again later")
    assert said == []


def test_a_lock_taken_by_another_tool_is_waited_for_as_another_process(db, monkeypatch):
    lock_path(db).write_text("999999999\npitwall import old.ndjson\n")     # an exited holder's pid
    fd = os.open(lock_path(db), os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)                                       # as flock(1) takes it
    monkeypatch.setenv("PITWALL_LOCK_TIMEOUT", "0.2")
    said: list[str] = []
    try:
        with pytest.raises(WarehouseError) as error, writing(db, command="pitwall import a.ndjson",
                                                            on_wait=said.append):
            pytest.fail("the session must not start")
    finally:
        os.close(fd)
    assert said == [f"waiting for another process to finish writing {db}"]
    assert str(error.value) == (f"{db}: another process is still writing it after 0.2 s (PITWALL_LOCK_TIMEOUT); "
                                f"nothing was written, try again later")


KILLED_WRITER = """
import sys
from warehouse import connect
con = connect(sys.argv[1])
con.execute("INSERT INTO teams (source, id, name) VALUES ('test', 'b', 'b')")
print("committed", flush=True)
sys.stdin.readline()
"""


def test_a_write_ahead_log_left_by_a_killed_writer_is_replayed_into_the_next_snapshot(db, tmp_path):
    writer = start_python(KILLED_WRITER, str(db), cwd=tmp_path)
    try:
        assert writer.stdout.readline() == "committed\n"
    finally:
        writer.kill()
        writer.wait(timeout=60)
    assert writer.returncode == -signal.SIGKILL
    assert db.with_name("w.duckdb.wal").exists()
    assert teams_read(db) == ["a", "b"]
    assert not db.with_name("w.duckdb.wal").exists()


def test_a_newer_warehouse_is_refused_by_readers_and_writers_with_one_line(db, tmp_path):
    con = connect(db)
    con.execute("INSERT INTO schema_version VALUES (?, now())", [NEWEST + 1])
    con.close()
    line = (f"error: {db}: warehouse schema version {NEWEST + 1} is newer than this Pitwall knows ({NEWEST}); "
            f"upgrade Pitwall\n")
    read = run_pitwall("--db", str(db), "metrics", "dora", cwd=tmp_path)
    assert (read.returncode, read.stdout, read.stderr) == (2, "", line)
    before = db.read_bytes()
    events = write_ndjson(tmp_path / "e.ndjson", [{"type": "team", "id": "b", "name": "b"}])
    written = run_pitwall("--db", str(db), "import", str(events), cwd=tmp_path)
    assert (written.returncode, written.stdout, written.stderr) == (2, "", line)
    assert db.read_bytes() == before


def test_an_out_of_date_warehouse_is_refused_to_readers_until_a_writer_migrates_it(db, tmp_path):
    con = connect(db)
    con.execute("DELETE FROM schema_version WHERE version = 5; DROP TABLE derive_pending")
    con.close()
    read = run_pitwall("--db", str(db), "metrics", "dora", cwd=tmp_path)
    assert (read.returncode, read.stderr) == (
        2, f"error: {db}: warehouse schema is out of date; open it once for writing\n")
    events = write_ndjson(tmp_path / "e.ndjson", [{"type": "team", "id": "b", "name": "b"}])
    written = run_pitwall("--db", str(db), "import", str(events), cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    assert teams_read(db) == ["a", "b"]


def test_the_memory_limit_comes_from_pitwall_memory_limit(db, tmp_path, monkeypatch):
    def limit(read_only: bool) -> str:
        con = connect(db, read_only=read_only)
        try:
            return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        finally:
            con.close()

    assert limit(read_only=True) == "1.8 GiB"        # 2GB: 2 * 10^9 bytes
    monkeypatch.setenv("PITWALL_MEMORY_LIMIT", "512MB")
    assert limit(read_only=False) == "488.2 MiB"
    for wrong in ("lots", "2 pints", "63MB"):
        monkeypatch.setenv("PITWALL_MEMORY_LIMIT", wrong)
        with pytest.raises(WarehouseError) as error:
            connect(db)
        assert str(error.value) == (f"PITWALL_MEMORY_LIMIT={wrong!r}: expected a size of 64MB or more, "
                                    f"such as 2GB or 512MB")
    read = run_pitwall("--db", str(db), "metrics", "dora", cwd=tmp_path)
    assert (read.returncode, read.stderr) == (
        2, "error: PITWALL_MEMORY_LIMIT='63MB': expected a size of 64MB or more, such as 2GB or 512MB\n")


def test_no_connection_draws_duckdbs_progress_bar_into_a_commands_output(db):
    for read_only in (True, False):
        con = connect(db, read_only=read_only)
        try:
            assert con.execute("SELECT current_setting('enable_progress_bar')").fetchone() == (False,)
        finally:
            con.close()


def test_a_lock_timeout_that_is_not_a_number_is_one_line(db, tmp_path):
    events = write_ndjson(tmp_path / "e.ndjson", [{"type": "team", "id": "b", "name": "b"}])
    written = run_pitwall("--db", str(db), "import", str(events), cwd=tmp_path, env={"PITWALL_LOCK_TIMEOUT": "soon"})
    assert (written.returncode, written.stdout, written.stderr) == (
        2, "", "error: PITWALL_LOCK_TIMEOUT='soon': expected a number of seconds, 0 or more\n")
    assert teams_read(db) == ["a"]


def test_a_writer_in_a_missing_folder_is_one_line(tmp_path):
    events = write_ndjson(tmp_path / "e.ndjson", [{"type": "team", "id": "b", "name": "b"}])
    db = tmp_path / "missing" / "w.duckdb"
    written = run_pitwall("--db", str(db), "import", str(events), cwd=tmp_path)
    assert (written.returncode, written.stdout, written.stderr) == (
        2, "", f"error: cannot create the lock file {lock_path(db)}: No such file or directory\n")
    assert not (tmp_path / "missing").exists()


def test_a_damaged_snapshot_is_published_again(db):
    snapshot_path(db).write_bytes(b"not a DuckDB file" * 100)
    assert teams_read(db) == ["a"]
    with writing(db, command="pitwall test") as con:
        con.execute(ADD_TEAM, ["b", "b"])
    snapshot_path(db).write_bytes(b"")
    with writing(db, command="pitwall test") as con:
        assert con.execute("SELECT count(*) FROM teams").fetchone() == (2,)
    assert teams_read(db) == ["a", "b"]
