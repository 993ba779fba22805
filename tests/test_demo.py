"""`pitwall demo`: the sample organisation through the real import, derive and metrics."""
from __future__ import annotations

import json
import socket
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from helpers import row_counts, run_pitwall, team, write_ndjson
from ingest.events import BadEvents, import_files
from metrics.dora import DORA_COLUMNS, default_window, dora_table
from metrics.health import data_health
from pitwall.commands.demo import load_demo
from pitwall.context import AppContext
from sampleorg.config import load_config
from sampleorg.generate import generate
from warehouse import connect

ANCHOR = date(2026, 6, 30)
DERIVED = ("prod_deployments", "deployment_changes", "rollbacks", "incident_attribution", "deployment_outcomes")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    """A warehouse holding the full demo organisation anchored at 2026-06-30 (derived tables built)."""
    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    load_demo(AppContext(db=db), ANCHOR)
    return db


def derived_counts(db: Path) -> dict[str, int]:
    con = connect(db, read_only=True)
    try:
        return {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in DERIVED}
    finally:
        con.close()


# --- tiers and data health over the default window -------------------------------------------

def test_every_service_lands_on_its_profiles_tier_and_all_four_tiers_show(demo_db) -> None:
    expected = {s.id: s.profile.expected_tier for s in load_config().services}
    con = connect(demo_db, read_only=True)
    table = dora_table(con, *default_window(ANCHOR), group_by="service")
    con.close()
    assert dict(zip(table["group"], table["tier"])) == expected
    assert set(table["tier"]) == {"elite", "high", "medium", "low"}


def test_every_team_has_deployments_in_the_default_window(demo_db) -> None:
    con = connect(demo_db, read_only=True)
    table = dora_table(con, *default_window(ANCHOR), group_by="team")
    con.close()
    assert list(table["group"]) == sorted(t.id for t in load_config().teams)
    assert (table["deployments"] > 0).all()


def test_the_data_health_panel_has_something_to_show(demo_db) -> None:
    con = connect(demo_db, read_only=True)
    health = data_health(con, *default_window(ANCHOR))
    con.close()
    assert all(count > 0 for count in health.values()), health
    # one young service (fraud-scoring, launched 60 days before the anchor) has no baseline
    assert health["deployments_without_baseline"] == 1


# --- replacing the previous sample organisation ----------------------------------------------

def test_a_new_anchor_date_replaces_the_demo_rows_and_keeps_other_sources(tmp_path) -> None:
    own = write_ndjson(tmp_path / "own.ndjson", [team("sre")])
    june = write_ndjson(tmp_path / "june.ndjson", generate(ANCHOR, small=True))
    july_events = generate(date(2026, 7, 1), small=True)
    july = write_ndjson(tmp_path / "july.ndjson", july_events)
    con = connect(tmp_path / "w.duckdb")
    import_files(con, [own])
    import_files(con, [june], replace_source="demo")
    written = import_files(con, [july], replace_source="demo").by_type
    assert written == Counter(e["type"] for e in july_events)
    counts = row_counts(con)
    assert counts["commits"] == written["commit"]
    assert counts["deployments"] == written["deployment"]
    assert counts["teams"] == written["team"] + 1  # the imported "sre" team stays
    assert con.execute("SELECT source, id FROM teams WHERE source <> 'demo'").fetchall() == [("import", "sre")]
    assert counts["service_repos"] == 3
    # one ingest run of the import, one of the (latest) demo
    assert con.execute("SELECT source, target FROM ingest_runs ORDER BY source").fetchall() == [
        ("demo", "july.ndjson"), ("import", "own.ndjson")]
    july_shas = {e["sha"] for e in july_events if e["type"] == "commit"}
    assert {row[0] for row in con.execute("SELECT sha FROM commits").fetchall()} == july_shas


def test_a_bad_demo_file_changes_nothing(tmp_path) -> None:
    june = write_ndjson(tmp_path / "june.ndjson", generate(ANCHOR, small=True))
    bad = write_ndjson(tmp_path / "bad.ndjson", [{"type": "team", "source": "demo", "id": "x"}])
    con = connect(tmp_path / "w.duckdb")
    import_files(con, [june], replace_source="demo")
    before = row_counts(con)
    with pytest.raises(BadEvents, match="bad.ndjson:1: team: missing required field 'name'"):
        import_files(con, [bad], replace_source="demo")
    assert row_counts(con) == before


# --- the command ------------------------------------------------------------------------------

def test_running_the_demo_twice_gives_the_same_warehouse(tmp_path) -> None:
    first = run_pitwall("--db", "demo.duckdb", "demo", "--no-serve", "--today", "2026-06-30", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    con = connect(tmp_path / "demo.duckdb", read_only=True)
    counts = row_counts(con)
    con.close()
    derived = derived_counts(tmp_path / "demo.duckdb")
    second = run_pitwall("--db", "demo.duckdb", "demo", "--no-serve", "--today", "2026-06-30", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    con = connect(tmp_path / "demo.duckdb", read_only=True)
    assert row_counts(con) == counts
    con.close()
    assert derived_counts(tmp_path / "demo.duckdb") == derived
    # the generated organisation, plus the sample catalog (source "catalog": 9 groups, 40 services)
    assert (counts["teams"], counts["services"], counts["repos"], counts["ingest_runs"]) == (8 + 9, 40 + 40, 60, 2)
    assert counts["service_repos"] == 40 + 40
    line, = first.stdout.splitlines()
    assert line.startswith("demo: sample organisation as of 2026-06-30 loaded into demo.duckdb (source \"demo\"; ")
    assert "8 team" in line and "40 service" in line and "60 repo" in line
    assert first.stdout.rsplit(" in ", 1)[0] == second.stdout.rsplit(" in ", 1)[0]  # all but the time


def test_a_bad_date_is_a_usage_error(tmp_path) -> None:
    result = run_pitwall("--db", "demo.duckdb", "demo", "--no-serve", "--today", "2026-13-01", cwd=tmp_path)
    assert result.returncode == 2
    assert "Invalid value for '--today': '2026-13-01' does not match the format '%Y-%m-%d'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "demo.duckdb").exists()


def test_a_busy_port_is_refused_before_any_work(tmp_path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_pitwall("--db", "demo.duckdb", "demo", "--port", str(port), cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [
        f"error: port {port} on 127.0.0.1 is already in use; choose another with --port"]
    assert not (tmp_path / "demo.duckdb").exists()


def test_the_demo_json_metrics_follow_the_contract(demo_db, tmp_path) -> None:
    result = run_pitwall("--db", str(demo_db), "metrics", "dora", "--by", "team", "--since", "2026-04-01",
                         "--until", "2026-07-01", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert [row["group"] for row in body["rows"]] == sorted(t.id for t in load_config().teams)
    assert all(list(row) == list(DORA_COLUMNS) for row in body["rows"])
