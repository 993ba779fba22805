"""`pitwall scorecards evaluate | golden-paths | facts` through the console entry point: DESIGN.md's
JSON contract, the CSV flattening (formula-neutralised), the table, remembered specs, golden paths."""
from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from helpers import at, commit, component, deployment, run_pitwall, warehouse_file, write_catalog
from ingest.catalog import import_catalog
from metrics.derive import derive
from scorecards.golden_paths import GOLDEN_PATH_COLUMNS, golden_paths
from scorecards.report import CSV_COLUMNS
from warehouse import connect

SPEC = """\
id: ready
levels: [Bronze, Silver]
rules:
  - id: owned
    level: Bronze
    check: {fact: owner, op: exists}
    remediation: "=Set spec.owner"
  - id: described
    level: Silver
    weight: 2
    check: {all: [{fact: description, op: exists}, {fact: tags, op: contains, value: go}]}
exemptions:
  - {service: web, rule: owned, reason: Moving teams, expires: 2026-06-30}
"""
FORMULA = "=HYPERLINK(\"x\")"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    con = connect(tmp_path / "w.duckdb")
    import_catalog(con, [write_catalog(tmp_path / "catalog-info.yaml",
                                       component("api", description=FORMULA, tags=["go"]),
                                       component("web", type="website", owner=None))])
    con.close()
    (tmp_path / "ready.yaml").write_text(SPEC)
    return tmp_path


def pitwall(folder: Path, *args: str):
    result = run_pitwall("--db", "w.duckdb", *args, cwd=folder)
    assert result.returncode == 0, result.stderr
    return result


def test_evaluate_prints_designs_json_document(folder: Path) -> None:
    result = pitwall(folder, "scorecards", "evaluate", "--spec", "ready.yaml", "--date", "2026-06-30",
                     "--format", "json")
    assert json.loads(result.stdout) == {"evaluated_at": "2026-06-30", "results": [
        {"service": "api", "team": "core", "scorecard": "ready", "level": "Silver", "score": 1.0, "rules": [
            {"rule": "owned", "level": "Bronze", "status": "pass", "value": "core", "reason": 'owner = "core"',
             "remediation": "=Set spec.owner"},
            {"rule": "described", "level": "Silver", "status": "pass",
             "value": {"description": FORMULA, "tags": ["go"]},
             "reason": 'description = "=HYPERLINK(\\"x\\")"; tags = ["go"] (contains "go")', "remediation": None},
        ]},
        # the exemption holds on its expiry day: exempt counts for Bronze and leaves the score 0 / 2
        {"service": "web", "team": None, "scorecard": "ready", "level": "Bronze", "score": 0.0, "rules": [
            {"rule": "owned", "level": "Bronze", "status": "exempt", "value": None,
             "reason": "exempt until 2026-06-30: Moving teams", "remediation": "=Set spec.owner"},
            {"rule": "described", "level": "Silver", "status": "fail", "value": {"description": None, "tags": []},
             "reason": 'description has no value, expected one; tags = [], expected contains "go"',
             "remediation": None},
        ]},
    ]}
    assert result.stderr == ""


def test_evaluate_flattens_to_csv_one_row_per_rule_with_formulas_neutralised(folder: Path) -> None:
    result = pitwall(folder, "scorecards", "evaluate", "--spec", "ready.yaml", "--date", "2026-07-01",
                     "--format", "csv")
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == CSV_COLUMNS
    assert rows[1:] == [
        ["2026-07-01", "api", "core", "ready", "Silver", "1.0", "owned", "Bronze", "pass", "core", 'owner = "core"',
         "'=Set spec.owner"],
        ["2026-07-01", "api", "core", "ready", "Silver", "1.0", "described", "Silver", "pass",
         '{"description": "=HYPERLINK(\\"x\\")", "tags": ["go"]}',
         'description = "=HYPERLINK(\\"x\\")"; tags = ["go"] (contains "go")', ""],
        # the day after its expiry: the exemption is reported expired and changes nothing
        ["2026-07-01", "web", "", "ready", "none", "0.0", "owned", "Bronze", "fail", "",
         "owner has no value, expected one (exemption expired 2026-06-30: Moving teams)", "'=Set spec.owner"],
        ["2026-07-01", "web", "", "ready", "none", "0.0", "described", "Silver", "fail",
         '{"description": null, "tags": []}',
         'description has no value, expected one; tags = [], expected contains "go"', ""],
    ]


def test_evaluate_as_a_table_says_what_to_fix_next(folder: Path) -> None:
    result = pitwall(folder, "scorecards", "evaluate", "--spec", "ready.yaml", "--date", "2026-07-01")
    lines = result.stdout.splitlines()
    assert lines[0] == "Scorecards on 2026-07-01: 2 result(s) (ready)"
    assert lines[1].split() == ["scorecard", "service", "team", "level", "score", "passed", "next"]
    assert lines[3].split() == ["ready", "api", "core", "Silver", "1.00", "2/2"]
    assert lines[4].split() == ["ready", "web", "—", "none", "0.00", "0/2", "Bronze:", "owned"]


def test_specs_are_remembered_and_no_store_stores_nothing(folder: Path) -> None:
    pitwall(folder, "scorecards", "evaluate", "--spec", "ready.yaml", "--date", "2026-06-01", "--format", "json")
    (folder / "ready.yaml").unlink()  # the warehouse keeps the spec's text
    again = pitwall(folder, "scorecards", "evaluate", "--date", "2026-06-02", "--format", "json")
    assert [r["level"] for r in json.loads(again.stdout)["results"]] == ["Silver", "Bronze"]
    dry = pitwall(folder, "scorecards", "evaluate", "--date", "2026-06-03", "--no-store", "--format", "json")
    assert json.loads(dry.stdout)["evaluated_at"] == "2026-06-03"
    con = connect(folder / "w.duckdb", read_only=True)
    assert con.execute("SELECT DISTINCT evaluated_on::VARCHAR FROM scorecard_results ORDER BY 1").fetchall() == [
        ("2026-06-01",), ("2026-06-02",)]
    assert con.execute("SELECT scorecard, file FROM scorecard_specs").fetchall() == [("ready", "ready.yaml")]
    con.close()


def test_without_specs_or_services_the_cli_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "ready.yaml").write_text(SPEC)
    none_yet = run_pitwall("--db", "w.duckdb", "scorecards", "evaluate", cwd=tmp_path)
    assert (none_yet.returncode, none_yet.stderr) == (
        2, "error: no scorecards yet: name spec files with --spec FILE (e.g. data-samples/scorecards/*.yaml)\n")
    empty = run_pitwall("--db", "w.duckdb", "scorecards", "evaluate", "--spec", "ready.yaml", "--format", "json",
                        cwd=tmp_path)
    assert empty.returncode == 0
    assert json.loads(empty.stdout)["results"] == []
    assert empty.stderr.splitlines() == [
        "warning: ready.yaml:13: exemption for 'web' (rule 'owned'): no such service in the catalog",
        "note: no catalog service is covered by these scorecards (run `pitwall catalog import`)"]


def test_golden_paths_compare_the_services_of_each_template_with_the_others(tmp_path: Path) -> None:
    go = {"backstage.io/source-template": "template:default/go-service"}
    db = warehouse_file(tmp_path, [
        # window 2024-03-01 .. 2024-03-29 (4 weeks); lead times api 2 h and 4 h, svc 10 h, old 30 h
        commit("a1", at(1, 8), repo="acme/api"), deployment("a1", "a1", at(1, 10), repo="acme/api", commits=["a1"]),
        commit("a2", at(8, 8), repo="acme/api"), deployment("a2", "a2", at(8, 12), repo="acme/api", commits=["a2"]),
        commit("s1", at(3), repo="acme/svc"), deployment("s1", "s1", at(3, 10), repo="acme/svc", commits=["s1"]),
        commit("o1", at(2), repo="acme/old"), deployment("o1", "o1", at(3, 6), repo="acme/old", commits=["o1"]),
    ])
    con = connect(db)
    import_catalog(con, [write_catalog(
        tmp_path / "catalog-info.yaml",
        component("api", annotations={**go, "github.com/project-slug": "acme/api"}),
        component("svc", annotations={**go, "github.com/project-slug": "acme/svc"}),
        component("idle", annotations=go),
        component("old", annotations={"github.com/project-slug": "acme/old"}))])
    derive(con)
    con.close()
    result = run_pitwall("--db", str(db), "scorecards", "golden-paths", "--since", "2024-03-01", "--until",
                         "2024-03-29", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert (body["since"], body["until"], body["benchmark"]) == ("2024-03-01", "2024-03-29", "2023")
    assert body["rows"] == [
        # medians over api (0.5 a week, p50 3 h), svc (0.25, 10 h) and idle (0 a week, unknown)
        {"template": "go-service", "services": 3, "deployments": 3, "deploys_per_week": 0.25,
         "lead_time_p50_hours": 6.5, "change_failure_rate": 0.0, "recovery_p50_hours": None, "rework_rate": 0.0,
         "elite_or_high_share": 0.0},
        {"template": None, "services": 1, "deployments": 1, "deploys_per_week": 0.25, "lead_time_p50_hours": 30.0,
         "change_failure_rate": 0.0, "recovery_p50_hours": None, "rework_rate": 0.0, "elite_or_high_share": 0.0},
    ]


def test_facts_lists_every_fact(tmp_path: Path) -> None:
    body = json.loads(run_pitwall("scorecards", "facts", "--format", "json", cwd=tmp_path).stdout)
    names = [fact["fact"] for fact in body["facts"]]
    assert names[:3] == ["owner", "team", "lifecycle"]
    assert {"annotations.<key>", "repo.readme", "dora.deploys_per_week", "ci.success_rate", "incidents.open"} <= set(
        names)
    assert all(fact["kind"] in ("number", "text", "boolean", "list") and fact["description"] for fact in body["facts"])


def test_golden_paths_of_a_warehouse_without_a_catalog_is_an_empty_table(tmp_path: Path) -> None:
    con = connect(tmp_path / "empty.duckdb")
    table = golden_paths(con, date(2024, 3, 1), date(2024, 3, 29))
    assert list(table.columns) == GOLDEN_PATH_COLUMNS and table.empty
