"""bench/generate.py: the XS size goes through the real import path with its exact totals.

XS (bench/generate.py SIZES) is 8 services, 400 deployments, 4,000 commits and 40 incidents.
Teams of two services: 4 teams plus their department. Repositories: one per service except the
fourth (index 3), a monorepo holding services 3, 4 and 5 under services/<id>: 6 repositories.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from helpers import ROOT, run_pitwall

GENERATE = ROOT / "bench" / "generate.py"
SINCE, UNTIL = "2026-08-03", "2026-11-01"   # the last 90 days of the history (it ends 2026-11-01)


def generate(out: Path, seed: int = 9) -> dict:
    done = subprocess.run([sys.executable, str(GENERATE), "--size", "XS", "--out", str(out), "--seed", str(seed)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("XS: 7,"), done.stdout
    return json.loads((out / "manifest.json").read_text())


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("bench") / "XS"
    return out, generate(out)


@pytest.fixture(scope="module")
def warehouse(data: tuple[Path, dict]) -> tuple[Path, str]:
    """The XS data imported by `pitwall import` (events) and `pitwall catalog import`."""
    out, manifest = data
    files = [str(out / name) for name in manifest["files"]]
    imported = run_pitwall("--db", "bench.duckdb", "import", *files, cwd=out)
    assert imported.returncode == 0, imported.stderr
    catalog = run_pitwall("--db", "bench.duckdb", "catalog", "import", "catalog", cwd=out)
    assert catalog.returncode == 0, catalog.stderr
    assert "8 services, 5 teams" in catalog.stdout
    return out / "bench.duckdb", imported.stdout


def test_exact_totals_reach_the_warehouse(data: tuple[Path, dict], warehouse: tuple[Path, str]) -> None:
    _, manifest = data
    db, summary = warehouse
    by_type = manifest["by_type"]
    assert (by_type["service"], by_type["deployment"], by_type["commit"], by_type["incident"]) == (8, 400, 4000, 40)
    assert (by_type["team"], by_type["repo"]) == (5, 6)
    assert f"imported {manifest['records']} records from {len(manifest['files'])} file(s)" in summary
    tables = {"commit": "commits", "deployment": "deployments", "incident": "incidents", "service": "services",
              "team": "teams", "repo": "repos", "pull_request": "pull_requests", "review": "reviews",
              "pipeline_run": "pipeline_runs"}
    with duckdb.connect(str(db), read_only=True) as con:
        stored = {kind: con.execute(f"SELECT count(*) FROM {table} WHERE source = 'import'").fetchone()[0]
                  for kind, table in tables.items()}
        monorepo = con.execute("SELECT service, path FROM service_repos WHERE source = 'import' "
                               "AND repo = 'bench/mono-0003' ORDER BY service").fetchall()
        unknown_shas = con.execute("SELECT count(*) FROM deployments AS d ANTI JOIN commits AS c "
                                   "ON c.repo = d.repo AND c.sha = d.sha").fetchone()[0]
    assert stored == by_type
    assert monorepo == [(f"svc-000{i}", f"services/svc-000{i}") for i in (3, 4, 5)]
    assert unknown_shas == 0


def test_every_dora_figure_has_data(warehouse: tuple[Path, str]) -> None:
    db, _ = warehouse
    done = run_pitwall("--db", str(db), "metrics", "dora", "--since", SINCE, "--until", UNTIL, "--format", "json",
                       cwd=db.parent)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["rows"]
    assert [row["group"] for row in rows] == ["all"]
    empty = [name for name, value in rows[0].items() if value in (None, 0)]
    assert empty == []


def test_same_seed_same_bytes_other_seed_other_history(data: tuple[Path, dict], tmp_path: Path) -> None:
    out, manifest = data
    again = generate(tmp_path / "again")
    other = generate(tmp_path / "other", seed=10)
    assert again["files"] == manifest["files"]
    for name in manifest["files"]:
        assert (tmp_path / "again" / name).read_bytes() == (out / name).read_bytes(), name
    assert other["by_type"]["commit"] == 4000
    assert (tmp_path / "other" / "commit-000.ndjson").read_bytes() != (out / "commit-000.ndjson").read_bytes()
