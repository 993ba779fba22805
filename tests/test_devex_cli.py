"""`pitwall metrics devex` through the real console entry point: its JSON contract
(docs/metrics.md), CSV sections, the table, and the settings file's bots and time zone.

Window 2024-03-01 .. 2024-03-29 (4 weeks); the previous period 2024-02-02 .. 2024-03-01.
"""
from __future__ import annotations

import csv
import io
import json

import pytest

from helpers import (
    at,
    authored_commit,
    ci_run,
    deployment,
    flow_pull_request,
    review,
    run_pitwall,
    warehouse_file,
    write_settings,
)
from metrics.devex import CI_FIGURES, DEVEX_FIGURES, NEW_HIRE_FIGURES

WINDOW = ("--since", "2024-03-01", "--until", "2024-03-29")
FIGURE_KEYS = ["group", "figure", "value", "previous", "delta", "percent"]

# p1 ann: commit a1 day 1 20:00, ready day 2, bob reviews 3 h later, merged day 3, deployed day 4:
#   coding 4 h, pickup 3 h, review 21 h, deploy 24 h, cycle 52 h; 10 lines (S).
# p2 by dependabot[bot]: left out unless the settings list no bots.
EVENTS = [
    deployment("d0", "base", at(1), commits=[]),
    authored_commit("a1", at(1, 20), author="ann", pr="p1"),
    flow_pull_request("p1", "ann", at(2), merged_at=at(3), additions=8, deletions=2),
    review("r1", "p1", "bob", at(2, 3)),
    deployment("d1", "a1", at(4), commits=["a1"]),
    flow_pull_request("p2", "dependabot[bot]", at(5), merged_at=at(5, 1), number=2),
    ci_run("c1", at(2), 12),
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("devex-cli")
    warehouse_file(path, EVENTS)
    return path


def devex(folder, *args: str):
    return run_pitwall("--db", "warehouse.duckdb", "metrics", "devex", *WINDOW, *args, cwd=folder)


def test_json_contract(folder):
    result = devex(folder, "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert list(document) == ["since", "until", "group_by", "previous_since", "previous_until", "timezone", "bots",
                              "figures", "new_hires", "ci", "weekly"]
    assert (document["since"], document["until"], document["previous_since"], document["previous_until"]) == \
        ("2024-03-01", "2024-03-29", "2024-02-02", "2024-03-01")
    assert (document["group_by"], document["timezone"], document["bots"]) == ("org", "UTC", ["dependabot", "renovate"])
    assert all(list(row) == FIGURE_KEYS for row in document["figures"])
    assert [row["figure"] for row in document["figures"]] == DEVEX_FIGURES
    values = {row["figure"]: row["value"] for row in document["figures"]}
    assert (values["merged_prs"], values["open_prs"], values["pr_size_s"]) == (1, 0, 1)
    assert [values[f"{stem}_p50_hours"] for stem in ("coding_time", "pickup_time", "review_time", "deploy_time",
                                                      "cycle_time")] == [4.0, 3.0, 21.0, 24.0, 52.0]
    assert values["throughput_per_week"] == 0.25
    pickup = next(row for row in document["figures"] if row["figure"] == "pickup_time_p50_hours")
    assert pickup == {"group": "all", "figure": "pickup_time_p50_hours", "value": 3.0, "previous": None,
                      "delta": None, "percent": None}
    assert [row["figure"] for row in document["ci"]] == CI_FIGURES
    assert document["ci"][0] | {"value": None} == {"group": "all", "repo": "acme/app", "workflow": "ci",
                                                   "figure": "runs", "value": None, "previous": None,
                                                   "delta": None, "percent": None}
    assert document["new_hires"] == [{"team": "unassigned", "month": "2024-03", "new_hires": 1, "deployed": 1,
                                      "first_deploy_p50_hours": 52.0, "first_deploy_p75_hours": 52.0,
                                      "first_deploy_p90_hours": 52.0}]  # ann: a1 day 1 20:00 -> d1 day 4
    # Mondays Feb 26 .. Mar 25; p1 merged Sunday March 3: the week of Feb 26
    assert [row["merged_prs"] for row in document["weekly"]] == [1, 0, 0, 0, 0]


def test_service_grouping_has_no_new_hire_figures(folder):
    document = json.loads(devex(folder, "--by", "service", "--format", "json").stdout)
    assert document["group_by"] == "service"
    assert {row["group"] for row in document["figures"]} == {"unassigned"}
    assert [row["figure"] for row in document["figures"]] == [f for f in DEVEX_FIGURES if f not in NEW_HIRE_FIGURES]


def test_csv_sections(folder):
    figures = list(csv.reader(io.StringIO(devex(folder, "--format", "csv").stdout)))
    assert figures[0] == FIGURE_KEYS
    assert ["all", "merged_prs", "1", "", "", ""] in figures  # counts stay whole numbers
    ci = list(csv.reader(io.StringIO(devex(folder, "--format", "csv", "--section", "ci").stdout)))
    assert ci[0] == ["group", "repo", "workflow", "figure", "value", "previous", "delta", "percent"]
    assert ci[1] == ["all", "acme/app", "ci", "runs", "1", "", "", ""]
    bad = devex(folder, "--format", "csv", "--section", "deployments")
    assert bad.returncode == 2
    assert bad.stderr.strip() == "error: --section deployments: this report has figures, new_hires, ci, weekly"


def test_table_shows_every_section(folder):
    result = devex(folder)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == ("Developer experience by org, 2024-03-01 to 2024-03-29 (exclusive), "
                        "against 2024-02-02 to 2024-03-01")
    assert {"figures:", "new hires:", "ci:", "weekly:"} <= set(lines)
    assert any(line.split()[:3] == ["all", "pickup_time_p50_hours", "3.00"] for line in lines)


def test_the_settings_file_sets_bots_and_time_zone(tmp_path):
    warehouse_file(tmp_path, EVENTS)
    write_settings(tmp_path, '[metrics]\nbots = []\ntimezone = "Europe/Berlin"\n')
    document = json.loads(devex(tmp_path, "--format", "json").stdout)
    assert (document["timezone"], document["bots"]) == ("Europe/Berlin", [])
    values = {row["figure"]: row["value"] for row in document["figures"]}
    assert values["merged_prs"] == 2  # the dependabot pull request counts now
