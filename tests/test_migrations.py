"""Schema migrations on a warehouse that already holds data (migration 006: the big tables' keys)."""
from __future__ import annotations

from pathlib import Path

import duckdb

from helpers import at, commit, deployment, run_pitwall, write_ndjson
from warehouse.db import migrations
from warehouse.transaction import transaction

UNKEYED = ("commits", "deployments", "pipeline_runs", "pull_requests", "reviews")


def version_5_warehouse(path: Path) -> None:
    """A warehouse at schema version 5 (before 006) holding one commit and one deployment."""
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ)")
    for version, sql in migrations():
        if version <= 5:
            with transaction(con):
                con.execute(sql)
                con.execute("INSERT INTO schema_version VALUES (?, now())", [version])
    con.execute("INSERT INTO commits (source, repo, sha, authored_at, parents, files) VALUES "
                "('events', 'acme/app', 'c1', TIMESTAMPTZ '2024-03-01 10:00:00+00', ['c0'], ['src/a.py'])")
    con.execute("INSERT INTO deployments (source, id, repo, environment, sha, status, finished_at, commits) "
                "VALUES ('events', 'd1', 'acme/app', 'production', 'c1', 'success', "
                "TIMESTAMPTZ '2024-03-02 12:00:00+00', ['c1'])")
    con.close()


def column_shapes(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str, str]]:
    """Each column's name, type and nullability, in order."""
    return [row[:3] for row in con.execute(f"DESCRIBE {table}").fetchall()]


def keyed_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The tables that carry a PRIMARY KEY constraint."""
    return {row[0] for row in con.execute(
        "SELECT table_name FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'").fetchall()}


def test_migration_6_drops_the_big_tables_keys_and_keeps_their_rows_and_columns(tmp_path):
    db = tmp_path / "w.duckdb"
    version_5_warehouse(db)
    con = duckdb.connect(str(db))
    columns_before = {table: column_shapes(con, table) for table in UNKEYED}
    con.close()
    events = write_ndjson(tmp_path / "e.ndjson", [commit("c2", at(3), ["c1"]), deployment("d2", "c2", at(4))])

    result = run_pitwall("--db", str(db), "import", str(events), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT max(version) FROM schema_version").fetchone()[0] == 6
    keyed = keyed_tables(con)
    assert keyed.isdisjoint(UNKEYED)
    assert {"teams", "services", "incidents", "people"} <= keyed     # small tables keep their keys
    assert {table: column_shapes(con, table) for table in UNKEYED} == columns_before
    assert con.execute("SELECT sha, parents, files FROM commits ORDER BY sha").fetchall() == [
        ("c1", ["c0"], ["src/a.py"]), ("c2", ["c1"], None)]
    assert con.execute("SELECT id, commits FROM deployments ORDER BY id").fetchall() == [
        ("d1", ["c1"]), ("d2", None)]
    con.close()


def test_without_the_key_a_reimport_still_replaces_rows_by_natural_key(tmp_path):
    db = tmp_path / "w.duckdb"
    first = write_ndjson(tmp_path / "a.ndjson", [commit("c1", at(1), message="first"),
                                                 deployment("d1", "c1", at(2), status="failure")])
    again = write_ndjson(tmp_path / "b.ndjson", [commit("c1", at(1), message="second"),
                                                 commit("c1", at(1), message="third"),
                                                 deployment("d1", "c1", at(2))])
    for events in (first, again, again):
        result = run_pitwall("--db", str(db), "import", str(events), cwd=tmp_path)
        assert result.returncode == 0, result.stderr

    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT sha, message FROM commits").fetchall() == [("c1", "third")]
    assert con.execute("SELECT id, status FROM deployments").fetchall() == [("d1", "success")]
    con.close()
