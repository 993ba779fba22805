"""`pitwall export --out DIR` through the installed console script, over a hand-built warehouse.

small_org_events (figures explained in tests/test_dashboard_app.py) plus one scorecard day whose
checkout rule has a remediation a spreadsheet would run as a formula. A killed export is
tested in tests/test_crash_safety.py.
"""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest

from dashboard.bundle_folder import partial_folders
from dashboard.export_bundle import MANIFEST, TABLE_NAMES, pitwall_version
from helpers import SINCE, UNTIL, build_warehouse, run_pitwall, small_org_events, store_scorecard_day

WINDOW = ["--since", SINCE.isoformat(), "--until", UNTIL.isoformat()]
FORMULA = '=HYPERLINK("http://evil.example","fix")'


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    con = build_warehouse(tmp_path, small_org_events())
    store_scorecard_day(con, date(2024, 3, 20), "readiness", ["bronze", "silver"],
                        [("checkout", "payments", "none", 0, 0.0)],
                        [("checkout", "runbook", "bronze", "fail", None, "-no runbook", FORMULA)])
    con.close()
    return tmp_path / "warehouse.duckdb"


def export(warehouse: Path, out: Path, *extra: str):
    return run_pitwall("--db", str(warehouse), "export", "--out", str(out), *extra, cwd=warehouse.parent)


def rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_export_writes_every_table_a_manifest_and_the_zip(warehouse, tmp_path):
    out = tmp_path / "reports" / "march"            # created, parents included
    result = export(warehouse, out, *WINDOW)
    assert result.returncode == 0, result.stderr
    zip_path = out / "pitwall-report-2024-03-01-2024-03-29.zip"
    assert str(zip_path) in result.stdout
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*(f"{name}.csv" for name in TABLE_NAMES), MANIFEST, zip_path.name])
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["window"] == {"since": "2024-03-01", "until": "2024-03-29"}
    assert manifest["pitwall_version"] == pitwall_version() != "unknown"
    assert manifest["generated_at"].endswith("+00:00")
    counts = {entry["file"]: entry["rows"] for entry in manifest["files"]}
    assert counts["dora_by_org.csv"] == 1 and counts["dora_by_team.csv"] == 2 and counts["scorecard_rules.csv"] == 1
    for name, count in counts.items():
        assert len(rows(out / name)) == count + 1, name   # the header, then one line per row
    with zipfile.ZipFile(zip_path) as bundle:
        assert sorted(bundle.namelist()) == sorted([*counts, MANIFEST])
        assert bundle.read("dora_by_team.csv") == (out / "dora_by_team.csv").read_bytes()
        assert json.loads(bundle.read(MANIFEST)) == manifest


def test_export_figures_match_the_hand_computed_ones(warehouse, tmp_path):
    assert export(warehouse, tmp_path / "out", *WINDOW).returncode == 0
    header, *teams = rows(tmp_path / "out" / "dora_by_team.csv")
    by_team = {row[0]: dict(zip(header, row)) for row in teams}
    assert (by_team["payments"]["deployments"], float(by_team["payments"]["lead_time_p50_hours"])) == ("2", 42.0)
    assert (by_team["search"]["deployments"], float(by_team["search"]["lead_time_p50_hours"])) == ("2", 51.0)
    header, health = rows(tmp_path / "out" / "data_health.csv")
    assert dict(zip(header, health)) == {"failed_attempts": "1", "unattributed_incidents": "1",
                                         "deployments_without_baseline": "0", "negative_lead_times_dropped": "1"}


def test_export_cells_are_formula_safe(warehouse, tmp_path):
    assert export(warehouse, tmp_path / "out", *WINDOW).returncode == 0
    header, rule = rows(tmp_path / "out" / "scorecard_rules.csv")
    shown = dict(zip(header, rule))
    assert shown["remediation"] == "'" + FORMULA
    assert shown["reason"] == "'-no runbook"
    assert shown["rule"] == "runbook"


def test_export_refuses_an_out_that_is_a_file(warehouse, tmp_path):
    taken = tmp_path / "report.csv"
    taken.write_text("keep me")
    result = export(warehouse, taken, *WINDOW)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: --out {taken}: exists and is not a folder; name a folder (it is created when missing)"]
    assert taken.read_text() == "keep me"


def test_export_refuses_an_empty_window(warehouse, tmp_path):
    result = export(warehouse, tmp_path / "out", "--since", "2024-03-29", "--until", "2024-03-01")
    assert result.returncode == 2
    assert "--until 2024-03-01 must be after --since 2024-03-29" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_export_of_a_missing_warehouse_is_one_line(tmp_path):
    result = run_pitwall("--db", str(tmp_path / "none.duckdb"), "export", "--out", str(tmp_path / "out"),
                         cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def bundle_files(window_zip: str) -> list[str]:
    return sorted([*(f"{name}.csv" for name in TABLE_NAMES), MANIFEST, window_zip])


def test_export_replaces_a_previous_bundle_whole(warehouse, tmp_path):
    out = tmp_path / "weekly"
    assert export(warehouse, out, "--since", "2024-02-01", "--until", "2024-03-01").returncode == 0
    assert (out / "pitwall-report-2024-02-01-2024-03-01.zip").is_file()
    result = export(warehouse, out, *WINDOW)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == bundle_files("pitwall-report-2024-03-01-2024-03-29.zip")
    assert json.loads((out / MANIFEST).read_text())["window"] == {"since": "2024-03-01", "until": "2024-03-29"}
    assert partial_folders(out) == []


def test_export_into_an_empty_folder(warehouse, tmp_path):
    (tmp_path / "empty").mkdir()
    assert export(warehouse, tmp_path / "empty", *WINDOW).returncode == 0
    assert sorted(p.name for p in (tmp_path / "empty").iterdir()) == bundle_files(
        "pitwall-report-2024-03-01-2024-03-29.zip")


def test_export_refuses_a_folder_holding_other_files(warehouse, tmp_path):
    out = tmp_path / "documents"
    out.mkdir()
    (out / "dora_by_team.csv").write_text("an older report")
    (out / "notes.txt").write_text("keep me")
    result = export(warehouse, out, *WINDOW)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: --out {out}: holds 'notes.txt', which no export wrote (the folder is replaced whole); "
        "name a new or empty folder, or the folder of a previous export"]
    assert {p.name: p.read_text() for p in out.iterdir()} == {"dora_by_team.csv": "an older report",
                                                              "notes.txt": "keep me"}
    assert partial_folders(out) == []


def test_export_removes_what_a_killed_export_left(warehouse, tmp_path):
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()                                     # its process id is now free: a killed export's
    leftover = tmp_path / f".out.partial-{ended.pid}"
    leftover.mkdir()
    (leftover / "dora_by_org.csv").write_text("half")
    assert export(warehouse, tmp_path / "out", *WINDOW).returncode == 0
    assert not leftover.exists() and partial_folders(tmp_path / "out") == []
    assert (tmp_path / "out" / "dora_by_org.csv").read_text() != "half"
