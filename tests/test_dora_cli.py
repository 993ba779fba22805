"""`pitwall metrics dora` through the real console entry point: DESIGN.md's JSON contract, the
same rows as CSV, and the readable table.

Every expected number is computed by hand in the comment next to it.
"""
from __future__ import annotations

import csv
import io
import json
import subprocess

import pytest

from helpers import at, commit, deployment, incident, run_pitwall, service, team, warehouse_file

# DESIGN.md: each ROW has exactly these keys, in this order for CSV.
ROW_KEYS = [
    "group", "deployments", "deploys_per_week", "changes", "lead_time_p50_hours",
    "lead_time_p90_hours", "failed_deployments", "change_failure_rate", "recovery_p50_hours",
    "rework_deployments", "rework_rate", "deploy_frequency_tier", "lead_time_tier",
    "change_failure_tier", "recovery_tier", "tier",
]

# Window 2024-03-01 .. 2024-03-29: 28 days, 4 weeks.
# api (acme/api): a0 first (no changes); a1 ships k1 authored 10 min before; a2 ships k2 authored
#   20 min before; an incident on a1 never resolves, and a2 goes out while it is open (rework).
# web (acme/web): w0 only, the first of its series.
EVENTS = [
    team("core"),
    service("api", team="core", repos=["acme/api"]),
    service("web", team="core", repos=["acme/web"]),
    commit("k0", at(1), repo="acme/api"),
    commit("k1", at(1, 23, 50), ["k0"], repo="acme/api"),
    commit("k2", at(2, 23, 40), ["k1"], repo="acme/api"),
    deployment("a0", "k0", at(1, 12), repo="acme/api"),
    deployment("a1", "k1", at(2), repo="acme/api"),
    incident("i1", at(2, 1), service="api"),
    deployment("a2", "k2", at(3), repo="acme/api"),
    deployment("w0", "j0", at(5), repo="acme/web"),
]

EXPECTED_ROWS = [
    {
        "group": "api",
        "deployments": 3,
        "deploys_per_week": 0.75,  # 3 / 4
        "changes": 2,  # k1 (10 min), k2 (20 min)
        "lead_time_p50_hours": 0.25,  # (1/6 + 1/3) / 2
        "lead_time_p90_hours": 1 / 6 + 0.9 * (1 / 3 - 1 / 6),  # 0.31666...
        "failed_deployments": 1,  # a1 (i1 started 1 h after it)
        "change_failure_rate": 1 / 3,
        "recovery_p50_hours": None,  # i1 still open
        "rework_deployments": 1,  # a2, during i1
        "rework_rate": 1 / 3,
        "deploy_frequency_tier": "medium",  # 0.75 per week
        "lead_time_tier": "elite",
        "change_failure_tier": "low",  # 0.333 > 0.15
        "recovery_tier": None,
        "tier": "low",
    },
    {
        "group": "web",
        "deployments": 1,
        "deploys_per_week": 0.25,  # 1 / 4
        "changes": 0,
        "lead_time_p50_hours": None,
        "lead_time_p90_hours": None,
        "failed_deployments": 0,
        "change_failure_rate": 0.0,
        "recovery_p50_hours": None,
        "rework_deployments": 0,
        "rework_rate": 0.0,
        "deploy_frequency_tier": "medium",  # 0.25 >= 0.2301
        "lead_time_tier": None,
        "change_failure_tier": "elite",
        "recovery_tier": None,
        "tier": "medium",
    },
]


@pytest.fixture
def warehouse_path(tmp_path):
    return warehouse_file(tmp_path, EVENTS)  # closed: the CLI opens it in its own process


def run_dora(warehouse_path, output_format: str) -> subprocess.CompletedProcess:
    """Run the console script `pitwall metrics dora --by service` on the test warehouse."""
    return run_pitwall("--db", str(warehouse_path), "metrics", "dora", "--by", "service",
                       "--since", "2024-03-01", "--until", "2024-03-29", "--format", output_format,
                       cwd=warehouse_path.parent)


def exact(value):
    """An expected value compared without rounding (numbers to 1e-12 relative)."""
    return pytest.approx(value, rel=1e-12, abs=1e-15) if isinstance(value, float) else value


def test_json_contract(warehouse_path):
    result = run_dora(warehouse_path, "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document) == {"since", "until", "group_by", "benchmark", "rows"}
    assert document["since"] == "2024-03-01"
    assert document["until"] == "2024-03-29"
    assert document["group_by"] == "service"
    assert document["benchmark"] == "2023"
    assert [list(row) for row in document["rows"]] == [ROW_KEYS, ROW_KEYS]
    for got, expected in zip(document["rows"], EXPECTED_ROWS):
        assert got == {key: exact(value) for key, value in expected.items()}


def test_csv_has_the_same_columns_and_rows(warehouse_path):
    result = run_dora(warehouse_path, "csv")
    assert result.returncode == 0, result.stderr
    reader = csv.DictReader(io.StringIO(result.stdout))
    assert reader.fieldnames == ROW_KEYS
    rows = list(reader)
    assert len(rows) == len(EXPECTED_ROWS)
    for got, expected in zip(rows, EXPECTED_ROWS):
        for key, value in expected.items():
            if value is None:
                assert got[key] == "", key
            elif isinstance(value, str):
                assert got[key] == value, key
            else:
                assert float(got[key]) == exact(float(value)), key


def test_table_format_exits_zero(warehouse_path):
    result = run_dora(warehouse_path, "table")
    assert result.returncode == 0, result.stderr
    assert "api" in result.stdout and "web" in result.stdout


def test_csv_quotes_a_group_name_a_spreadsheet_would_run(tmp_path):
    hostile = "=HYPERLINK(\"http://x\")"
    path = warehouse_file(tmp_path, [deployment("h0", "z0", at(2), repo=hostile)])
    result = run_pitwall("--db", str(path), "metrics", "dora", "--by", "repo", "--since", "2024-03-01",
                         "--until", "2024-03-29", "--format", "csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    row = next(csv.DictReader(io.StringIO(result.stdout)))
    assert row["group"] == "'" + hostile
    assert row["deploys_per_week"] == "0.25"  # numbers are left alone


def test_by_and_dates_are_checked(warehouse_path):
    bad_by = run_pitwall("--db", str(warehouse_path), "metrics", "dora", "--by", "squad", cwd=warehouse_path.parent)
    assert bad_by.returncode == 2 and "squad" in bad_by.stderr and "Traceback" not in bad_by.stderr
    reversed_window = run_pitwall("--db", str(warehouse_path), "metrics", "dora", "--since", "2024-03-29",
                                  "--until", "2024-03-01", cwd=warehouse_path.parent)
    assert reversed_window.returncode == 2
    assert reversed_window.stderr.strip() == "error: --until 2024-03-01 must be after --since 2024-03-29"
    missing = run_pitwall("--db", str(tmp_missing := warehouse_path.parent / "none.duckdb"), "metrics", "dora",
                          cwd=warehouse_path.parent)
    assert missing.returncode == 2 and str(tmp_missing) in missing.stderr
    assert not tmp_missing.exists()
