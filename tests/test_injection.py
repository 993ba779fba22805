"""Injection: hostile team, service and repo names through import, the catalog, the CLI, the
exports and the dashboard.

Every name below is a team id, a service id and a repo id at once (one deployment each; the decoy
`100 percent alike`, which `100%_like` would match as a LIKE pattern, has two). What must hold:
- SQL only through parameters: the names come back verbatim, filters match exactly (no LIKE
  wildcards), and every table is intact afterwards (deployments keeps its rows);
- CSV (`--format csv` and `pitwall export`): a text cell starting with = + - @ tab or CR gets a
  leading quote (docs: README "Security"); JSON is verbatim; tables show control characters and
  bidirectional overrides escaped, so a name cannot move the cursor or reorder the line;
- the dashboard renders no data as HTML: no st.html, no unsafe_allow_html, names in markdown
  escaped, names in chart labels entity-encoded.
"""
from __future__ import annotations

import csv
import html
import io
import json
import subprocess
import zipfile
from datetime import timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.flow_charts import wait_figure
from dashboard.safe_csv import to_safe_csv
from helpers import (  # _pitwall_command: the console script's command line, to read its bytes
    SINCE,
    UNTIL,
    _pitwall_command,
    at,
    commit,
    component,
    deployment,
    entity,
    flow_pull_request,
    run_pitwall,
    service,
    store_scorecard_day,
    team,
    write_catalog,
    write_ndjson,
)
from warehouse import connect

LONG = "long-" + "x" * 3000 + "-end"
HOSTILE = [
    "'; DROP TABLE deployments; --",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '=HYPERLINK("http://x")',
    "+cmd",
    "-2+3",
    "@SUM(A1)",
    "\tTab lead",
    "\rCR lead",
    'split\r=HYPERLINK("http://x")',      # a CR inside: unquoted, a spreadsheet starts a row there
    "\u202egnp.exe",                       # right-to-left override
    LONG,
    'quote " and back\\slash',
    "100%_like",
    "[click](javascript:alert(1))",
    "![pixel](http://evil.example/p.png)",
]
DECOY = "100 percent alike"
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
DEPLOYMENTS = {**{name: 1 for name in HOSTILE}, DECOY: 2}
WINDOW = ("--since", "2024-03-01", "--until", "2024-03-29")


def events() -> list[dict]:
    """Each name: a team, its service and its repo, one commit and one deployment (the decoy two)."""
    found: list[dict] = []
    for number, (name, count) in enumerate(DEPLOYMENTS.items()):
        found += [team(name), service(name, team=name, repos=[name])]
        for shipped in range(count):
            sha = f"sha-{number}-{shipped}"
            found += [commit(sha, at(1 + shipped, 8), repo=name),
                      deployment(f"dep-{number}-{shipped}", sha, at(2 + shipped, 12), repo=name)]
        found.append(flow_pull_request(f"pr-{number}", "dev", at(1, 6), merged_at=at(1, 9), repo=name))
    return found


def deployment_ids(name: str) -> list[str]:
    number = list(DEPLOYMENTS).index(name)
    return [f"dep-{number}-{shipped}" for shipped in range(DEPLOYMENTS[name])]


def neutralised(text: str) -> str:
    """What a CSV cell holding `text` must read."""
    return "'" + text if text.startswith(FORMULA_LEADS) else text


def shown(text: str) -> str:
    """How a table shows `text`: control characters and the override escaped."""
    return text.replace("\t", "\\t").replace("\r", "\\r").replace("\u202e", "\\u202e")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A warehouse filled by `pitwall import` (a real process) with the hostile names."""
    folder = tmp_path_factory.mktemp("hostile")
    source = write_ndjson(folder / "hostile.ndjson", events())
    result = run_pitwall("--db", "w.duckdb", "import", str(source), cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder


def pitwall(folder: Path, *args: str) -> str:
    """The output of a successful run, as written: a carriage return stays one (no newline translation)."""
    command, environment = _pitwall_command(["--db", "w.duckdb", *args], None)
    result = subprocess.run(command, cwd=folder, env=environment, capture_output=True, timeout=300)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode("utf-8")


def query(folder: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(folder / "w.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


# --- import: verbatim, and nothing dropped -------------------------------------------------------

def test_import_stores_the_names_verbatim_and_every_table_survives(folder):
    expected = sorted(DEPLOYMENTS)
    assert sorted(row[0] for row in query(folder, "SELECT id FROM teams")) == expected
    assert sorted(row[0] for row in query(folder, "SELECT id FROM services")) == expected
    assert sorted(query(folder, "SELECT repo, service FROM service_repos")) == [(name, name) for name in expected]
    assert query(folder, "SELECT repo, count(*) FROM deployments GROUP BY repo ORDER BY repo") == sorted(
        DEPLOYMENTS.items())
    assert query(folder, "SELECT count(*) FROM deployments") == [(sum(DEPLOYMENTS.values()),)]
    tables = {row[0] for row in query(folder, "SELECT table_name FROM duckdb_tables()")}
    assert {"deployments", "commits", "teams", "services", "repos", "pull_requests", "incidents"} <= tables


# --- the CLI: JSON verbatim, CSV neutralised, tables escaped -------------------------------------

@pytest.mark.parametrize("by", ["team", "service", "repo"])
def test_dora_json_lists_every_name_verbatim(folder, by):
    document = json.loads(pitwall(folder, "metrics", "dora", "--by", by, *WINDOW, "--format", "json"))
    assert {row["group"]: row["deployments"] for row in document["rows"]} == DEPLOYMENTS
    assert [row["group"] for row in document["rows"]] == sorted(DEPLOYMENTS)


@pytest.mark.parametrize("by", ["team", "service", "repo"])
def test_dora_csv_neutralises_formula_cells(folder, by):
    header, *rows = csv.reader(io.StringIO(pitwall(folder, "metrics", "dora", "--by", by, *WINDOW,
                                                   "--format", "csv"), newline=""))
    groups = {row[0]: dict(zip(header, row)) for row in rows}
    assert {name: row["deployments"] for name, row in groups.items()} == {
        neutralised(name): str(count) for name, count in DEPLOYMENTS.items()}
    assert groups["'-2+3"]["deployments"] == "1"          # text, quoted; numbers stay numbers
    for row in rows:
        assert not any(cell.startswith(FORMULA_LEADS) for cell in row), row


@pytest.mark.parametrize("by", ["team", "service", "repo"])
def test_dora_table_shows_control_characters_escaped(folder, by):
    output = pitwall(folder, "metrics", "dora", "--by", by, *WINDOW)
    assert "\t" not in output and "\r" not in output and "\u202e" not in output
    lines = output.split("\n")
    for name in DEPLOYMENTS:
        assert any(shown(name) + " " in line for line in lines), name


@pytest.mark.parametrize("name", [*HOSTILE, DECOY])
def test_explain_matches_exactly_the_named_group(folder, name):
    document = json.loads(pitwall(folder, "metrics", "dora", "--by", "service", *WINDOW, f"--explain={name}",
                                  "--format", "json"))
    assert document["group"] == name
    assert sorted(row["id"] for row in document["deployments"]) == deployment_ids(name)


def test_explain_of_an_unknown_hostile_name_is_one_line_and_changes_nothing(folder):
    result = run_pitwall("--db", "w.duckdb", "metrics", "dora", "--by", "team", *WINDOW,
                         "--explain=x'; DELETE FROM deployments; --", cwd=folder)
    assert result.returncode == 2
    assert result.stderr.startswith("error: --explain x'; DELETE FROM deployments; --: no team group of that name")
    assert query(folder, "SELECT count(*) FROM deployments") == [(sum(DEPLOYMENTS.values()),)]


@pytest.mark.parametrize("output_format", ["json", "csv"])
def test_devex_lists_the_names(folder, output_format):
    output = pitwall(folder, "metrics", "devex", "--by", "team", *WINDOW, "--format", output_format)
    merged = {name: 1 for name in DEPLOYMENTS} | {"unassigned": 0}          # one pull request each
    if output_format == "json":
        rows = json.loads(output)["figures"]
        assert {row["group"]: row["value"] for row in rows if row["figure"] == "merged_prs"} == merged
    else:
        header, *rows = csv.reader(io.StringIO(output, newline=""))
        assert {row[header.index("group")]: row[header.index("value")] for row in rows
                if row[header.index("figure")] == "merged_prs"} == {
            neutralised(name): str(count) for name, count in merged.items()}
        for row in rows:
            assert not any(cell.startswith(FORMULA_LEADS) for cell in row), row


def test_devex_explain_takes_a_hostile_name(folder):
    name = "'; DROP TABLE deployments; --"
    document = json.loads(pitwall(folder, "metrics", "devex", "--by", "team", *WINDOW, f"--explain={name}",
                                  "--format", "json"))
    assert document["group"] == name
    assert query(folder, "SELECT count(*) FROM deployments") == [(sum(DEPLOYMENTS.values()),)]


# --- pitwall export ------------------------------------------------------------------------------

def test_a_line_break_inside_a_cell_is_quoted_and_the_rows_stay_whole():
    frame = pd.DataFrame({"group": ['split\r=HYPERLINK("http://x")', "lf\nlead", "plain"], "deployments": [1, 2, 3]})
    assert to_safe_csv(frame).decode() == (
        'group,deployments\n"split\r=HYPERLINK(""http://x"")",1\n"lf\nlead",2\nplain,3\n')


def test_export_neutralises_every_cell(folder, tmp_path):
    pitwall(folder, "export", "--out", str(tmp_path / "out"), *WINDOW)
    files = {path.name: path.read_bytes().decode() for path in (tmp_path / "out").glob("*.csv")}
    bundles = list((tmp_path / "out").glob("*.zip"))
    assert len(bundles) == 1
    with zipfile.ZipFile(bundles[0]) as bundle:
        assert {name: bundle.read(name).decode() for name in bundle.namelist() if name.endswith(".csv")} == files
    for name, text in files.items():
        for row in csv.reader(io.StringIO(text, newline="")):
            assert not any(cell.startswith(FORMULA_LEADS) for cell in row), (name, row)
    header, *rows = csv.reader(io.StringIO(files["dora_by_team.csv"], newline=""))
    assert {row[0]: row[header.index("deployments")] for row in rows} == {
        neutralised(name): str(count) for name, count in DEPLOYMENTS.items()}


# --- the catalog and scorecards ------------------------------------------------------------------

SCRIPT, FORMULA, DROP = "<script>alert(1)</script>", '=HYPERLINK("http://x")', "'; DROP TABLE deployments; --"
SPEC = """\
id: ready
levels: [Bronze]
rules:
  - id: described
    level: Bronze
    check: {fact: description, op: exists}
"""


def test_catalog_keeps_hostile_titles_and_repo_slugs_verbatim(tmp_path):
    catalog = write_catalog(
        tmp_path / "catalog-info.yaml",
        entity("Group", "payments", spec={"type": "team", "profile": {"displayName": FORMULA}, "children": []}),
        component("checkout", owner="payments", title=SCRIPT, description=FORMULA,
                  annotations={"github.com/project-slug": f"acme/{DROP}"}))
    (tmp_path / "ready.yaml").write_text(SPEC)
    source = write_ndjson(tmp_path / "hostile.ndjson", events())
    pitwall(tmp_path, "import", str(source))
    pitwall(tmp_path, "catalog", "import", str(catalog))
    assert query(tmp_path, "SELECT id, name FROM teams WHERE id = 'payments'") == [("payments", FORMULA)]
    assert query(tmp_path, "SELECT id, name, team FROM services WHERE id = 'checkout'") == [
        ("checkout", SCRIPT, "payments")]
    assert query(tmp_path, "SELECT repo FROM service_repos WHERE service = 'checkout'") == [(f"acme/{DROP}",)]
    assert query(tmp_path, "SELECT count(*) FROM deployments") == [(sum(DEPLOYMENTS.values()),)]
    document = json.loads(pitwall(tmp_path, "scorecards", "evaluate", "--spec", "ready.yaml", "--date",
                                  "2024-03-20", "--format", "json"))
    assert [(row["service"], row["rules"][0]["value"]) for row in document["results"]] == [("checkout", FORMULA)]
    header, *rows = csv.reader(io.StringIO(pitwall(tmp_path, "scorecards", "evaluate", "--spec", "ready.yaml",
                                                   "--date", "2024-03-20", "--format", "csv", "--no-store"),
                                            newline=""))
    assert [row[header.index("value")] for row in rows] == ["'" + FORMULA]
    for row in rows:
        assert not any(cell.startswith(FORMULA_LEADS) for cell in row), row


@pytest.mark.parametrize("name", [DROP, SCRIPT, FORMULA, "100%_like"])
def test_a_hostile_entity_name_is_refused_in_one_line_and_changes_nothing(tmp_path, name):
    source = write_ndjson(tmp_path / "hostile.ndjson", events())
    pitwall(tmp_path, "import", str(source))
    before = query(tmp_path, "SELECT (SELECT count(*) FROM deployments), (SELECT count(*) FROM services)")
    catalog = write_catalog(tmp_path / "catalog-info.yaml", component(name))
    result = run_pitwall("--db", "w.duckdb", "catalog", "import", str(catalog), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (f"{catalog}:1: '{name}' is not a valid entity name (letters and digits "
                             f"joined by - _ or ., at most 63 characters)\nerror: 1 problem(s); nothing was imported\n")
    assert query(tmp_path, "SELECT (SELECT count(*) FROM deployments), (SELECT count(*) FROM services)") == before


# --- the dashboard -------------------------------------------------------------------------------

PAGES = ["overview", "teams_page", "services_page", "flow_page", "health_page", "export_page"]
SHOWN_NAMES = [SCRIPT, "<img src=x onerror=alert(1)>", "[click](javascript:alert(1))",
               "![pixel](http://evil.example/p.png)", DROP]
MARKDOWN_TYPES = {"title", "header", "subheader", "markdown", "caption", "latex", "divider", "info", "warning",
                  "error", "success", "toast"}
MARKDOWN_SPECIALS = "\\`*_{}[]()<>#+-.!|~:$&"


def unescape(body: str) -> str:
    """Markdown text as it reads once rendered: backslash escapes removed."""
    text, index = [], 0
    while index < len(body):
        if body[index] == "\\" and index + 1 < len(body) and body[index + 1] in MARKDOWN_SPECIALS:
            index += 1
        text.append(body[index])
        index += 1
    return "".join(text)


def strings_in(value: object) -> list[str]:
    """Every string inside a JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings_in(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    return []


@pytest.fixture(scope="module")
def dashboard_db(folder) -> Path:
    """The hostile warehouse, plus one scorecard evaluation day of every hostile service."""
    con = connect(folder / "w.duckdb")
    store_scorecard_day(con, SINCE + timedelta(days=10), "readiness", ["bronze", "silver"],
                        [(name, name, "bronze", 1, 0.5) for name in DEPLOYMENTS],
                        [(name, "owned", "bronze", "fail", name, f"owner {name}", name) for name in DEPLOYMENTS])
    con.close()
    return folder / "w.duckdb"


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("name", SHOWN_NAMES)
def test_the_dashboard_shows_hostile_names_as_text_only(dashboard_db, monkeypatch, page, name):
    monkeypatch.setenv("PITWALL_DB", str(dashboard_db))
    monkeypatch.delenv("PITWALL_CONFIG", raising=False)
    app = AppTest.from_string(f"from dashboard.{page} import render\nrender()", default_timeout=60)
    app.query_params.update({"since": SINCE.isoformat(), "until": UNTIL.isoformat(), "team": name, "service": name})
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    nodes = list(app)
    assert not [node.type for node in nodes if node.type in ("html", "iframe")]
    selected = {node.key: node.value for node in nodes if node.type == "selectbox"}
    assert (selected["team"], selected["service"]) == (name, name)          # the URL's names were known
    shown = charted = 0
    for node in nodes:
        if node.type in MARKDOWN_TYPES:
            body = node.proto.body if hasattr(node.proto, "body") else node.value
            assert not getattr(node.proto, "allow_html", False), (node.type, body)
            if name in unescape(body):
                shown += 1
                assert name not in body, (node.type, body)                 # escaped, not raw markdown
        elif node.type == "plotly_chart":                                   # Plotly reads tags, not markdown
            for text in strings_in(json.loads(node.proto.spec)):
                assert "<script" not in text and "<img" not in text, text
                charted += name in html.unescape(text)
    assert shown >= {"teams_page": 1, "services_page": 1}.get(page, 0)    # the page's heading names it
    assert charted >= {"flow_page": 1}.get(page, 0)                        # the review-wait chart names it


def test_chart_labels_with_markup_are_entity_encoded():
    teams = pd.DataFrame({"group": [SCRIPT, '<a href="http://evil.example">payments</a>', "plain & simple"],
                          "same_team_pickup_p50_hours": [1.0, 2.0, 3.0],
                          "cross_team_pickup_p50_hours": [4.0, 5.0, 6.0]})
    spec = json.loads(wait_figure(teams).to_json())
    for trace in spec["data"]:
        assert trace["x"] == ["&lt;script&gt;alert(1)&lt;/script&gt;",
                              "&lt;a href=\"http://evil.example\"&gt;payments&lt;/a&gt;", "plain &amp; simple"]
