"""`--explain GROUP`: the deployments, changes and incidents behind a group's DORA figures, and the
pull requests, people and CI runs behind its developer-experience figures.

Window 2024-03-01 .. 2024-03-29. Every expected value is worked out in the comments.
"""
from __future__ import annotations

import csv
import io
import json

import pytest

from helpers import (
    at,
    authored_commit,
    deployment,
    flow_pull_request,
    incident,
    review,
    run_pitwall,
    service,
    team,
    warehouse_file,
)

WINDOW = ("--since", "2024-03-01", "--until", "2024-03-29")

# api (team core, acme/api): a0 day 1 12:00, first of its series (no changes);
#   a1 day 2 00:00 ships PR1 (commit k1 by ann, day 1 23:00: lead 1 h); incident i1 names a1,
#   day 2 01:00 - 05:00: a1 failed, recovered after 5 h;
#   a2 day 3 00:00 ships k2, authored day 4 (lead -24 h: dropped, listed as not counted);
#   incident i2 names the service api, day 3 02:00, still open: attributed to a2 (window).
# web (acme/web): w0 day 5.
# PR1: ann, created day 1 22:00, bob reviews 22:30, merged 23:30. PR2: ann, open.
EVENTS = [
    team("core"),
    service("api", team="core", repos=["acme/api"]),
    service("web", team="core", repos=["acme/web"]),
    deployment("a0", "k0", at(1, 12), repo="acme/api"),
    authored_commit("k1", at(1, 23), ["k0"], author="ann", repo="acme/api", pr="PR1"),
    flow_pull_request("PR1", "ann", at(1, 22), merged_at=at(1, 23, 30), repo="acme/api", additions=3, deletions=1),
    review("rv1", "PR1", "bob", at(1, 22, 30)),
    flow_pull_request("PR2", "ann", at(10), repo="acme/api", number=2),
    deployment("a1", "k1", at(2), repo="acme/api"),
    incident("i1", at(2, 1), at(2, 5), caused_by_deployment="a1"),
    authored_commit("k2", at(4), ["k1"], author="ann", repo="acme/api"),
    deployment("a2", "k2", at(3), repo="acme/api", commits=["k2"]),
    incident("i2", at(3, 2), service="api"),
    deployment("w0", "j0", at(5), repo="acme/web"),
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("explain")
    warehouse_file(path, EVENTS)
    return path


def explain(folder, command: str, *args: str):
    return run_pitwall("--db", "warehouse.duckdb", "metrics", command, *WINDOW, "--explain", *args, cwd=folder)


def test_dora_explain_json(folder):
    result = explain(folder, "dora", "api", "--by", "service", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert list(document) == ["since", "until", "group_by", "group", "deployments", "changes", "incidents"]
    assert (document["group_by"], document["group"]) == ("service", "api")
    deployments = {row["id"]: row for row in document["deployments"]}
    assert list(deployments) == ["a0", "a1", "a2"]
    assert [(r["changes"], r["has_baseline"], r["failed"], r["incidents"], r["recovery_hours"], r["rework"])
            for r in deployments.values()] == [
        (0, False, False, 0, None, False),
        (1, True, True, 1, 5.0, False),
        (0, True, True, 1, None, False),  # its only change dropped; i1 was resolved before it
    ]
    assert deployments["a1"]["services"] == "api" and deployments["a1"]["deployed_at"] == "2024-03-02T00:00:00+00:00"
    assert [(r["deployment_id"], r["change_key"], r["lead_time_hours"], r["counted"]) for r in document["changes"]] \
        == [("a1", "pr:PR1", 1.0, True), ("a2", "commit:k2", -24.0, False)]
    assert [(r["incident"], r["deployment_id"], r["method"], r["resolved_at"]) for r in document["incidents"]] == [
        ("i1", "a1", "caused_by.deployment", "2024-03-02T05:00:00+00:00"), ("i2", "a2", "window", None)]


def test_dora_explain_of_the_organisation_and_csv_sections(folder):
    document = json.loads(explain(folder, "dora", "all", "--format", "json").stdout)
    assert [row["id"] for row in document["deployments"]] == ["a0", "a1", "a2", "w0"]
    rows = list(csv.reader(io.StringIO(explain(folder, "dora", "api", "--by", "service", "--format", "csv",
                                                "--section", "incidents").stdout)))
    assert rows[0] == ["incident", "source", "title", "service", "started_at", "resolved_at", "deployment_id",
                       "method"]
    assert [row[0] for row in rows[1:]] == ["i1", "i2"]
    first = list(csv.reader(io.StringIO(explain(folder, "dora", "web", "--by", "service", "--format", "csv").stdout)))
    assert [row[0] for row in first] == ["id", "w0"]  # default section: deployments


def test_dora_explain_table(folder):
    result = explain(folder, "dora", "api", "--by", "service")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Behind the DORA figures of service api, 2024-03-01 to 2024-03-29 (exclusive)"
    assert {"deployments:", "changes:", "incidents:"} <= set(lines)


def test_explaining_an_unknown_group_is_bad_input(folder):
    result = explain(folder, "dora", "apx", "--by", "service")
    assert result.returncode == 2
    assert result.stderr == "error: --explain apx: no service group of that name (known: api, unassigned, web)\n"
    quiet = explain(folder, "dora", "core", "--by", "team", "--since", "2024-03-20", "--format", "json")
    assert quiet.returncode == 0  # a known team without deployments in the window: empty lists
    assert json.loads(quiet.stdout)["deployments"] == []


def test_devex_explain_json(folder):
    result = explain(folder, "devex", "api", "--by", "service", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert list(document)[-4:] == ["pull_requests", "open_pull_requests", "new_hires", "ci_runs"]
    pr, = document["pull_requests"]
    assert (pr["id"], pr["first_reviewer"], pr["pickup_hours"], pr["review_hours"], pr["deployment_id"],
            pr["deploy_hours"], pr["cycle_hours"], pr["size_bucket"]) == \
        ("PR1", "bob", 0.5, 1.0, "a1", 0.5, 1.0, "XS")  # started 23:00 (k1), ready 22:00: coding None
    assert pr["coding_hours"] is None  # its commit was authored after it was opened: negative, left out
    assert [row["id"] for row in document["open_pull_requests"]] == ["PR2"]
    assert document["new_hires"] == []  # service grouping: no new-hire figures
    # ann belongs to no configured team: her new-hire row shows under the organisation
    org_document = json.loads(explain(folder, "devex", "all", "--format", "json").stdout)
    hire, = org_document["new_hires"]
    assert hire["team"] == "unassigned"
    assert (hire["person"], hire["first_deployment"], hire["first_deploy_hours"]) == ("ann", "a1", 2.0)
