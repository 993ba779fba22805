"""`pitwall import`, `pitwall schema` and the global options, run as the real console script."""
from __future__ import annotations

import json

import jsonschema
import pytest

from helpers import row_counts, run_pitwall, team, write_lines, write_ndjson
from warehouse import connect
from warehouse.db import migrations
from warehouse.models import EVENT_MODELS

DEPLOYMENT = {"type": "deployment", "id": "d1", "repo": "acme/pay", "environment": "production",
              "sha": "c2", "status": "success", "finished_at": "2026-03-02T10:00:00Z"}
EVENTS = [
    team("payments"),
    {"type": "service", "id": "pay-api", "name": "Pay API", "team": "payments", "repos": [{"repo": "acme/pay"}]},
    {"type": "commit", "repo": "acme/pay", "sha": "c1", "authored_at": "2026-03-01T08:00:00Z"},
    {"type": "commit", "repo": "acme/pay", "sha": "c2", "authored_at": "2026-03-01T09:00:00-01:00",
     "parents": ["c1"]},
    {"type": "deployment", "id": "d0", "repo": "acme/pay", "environment": "production", "sha": "c1",
     "status": "success", "finished_at": "2026-03-01T12:00:00Z"},
    DEPLOYMENT,
]


def lines_of(text: str) -> list[str]:
    return text.splitlines()


def assert_one_error_line(result, expected: str) -> None:
    """Exit 2, nothing on stdout, exactly `expected` as the only stderr line."""
    assert (result.returncode, result.stdout, lines_of(result.stderr)) == (2, "", [expected])


def test_import_prints_counts_by_type_and_refreshes_the_derived_tables(tmp_path) -> None:
    write_ndjson(tmp_path / "events.ndjson", EVENTS)
    result = run_pitwall("--db", "w.duckdb", "import", "events.ndjson", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert lines_of(result.stdout) == [
        "imported 6 records from 1 file(s): 2 commit, 2 deployment, 1 service, 1 team"]
    with connect(tmp_path / "w.duckdb", read_only=True) as con:
        assert row_counts(con) == {
            "teams": 1, "services": 1, "service_repos": 1, "repos": 0, "commits": 2, "pull_requests": 0,
            "reviews": 0, "deployments": 2, "incidents": 0, "pipeline_runs": 0, "ingest_runs": 1}
        # derive ran: d1 shipped c2 (c1 was already deployed by d0, the baseline)
        assert con.execute("SELECT deployment_id, sha FROM deployment_changes").fetchall() == [("d1", "c2")]


def test_importing_twice_gives_the_same_rows(tmp_path) -> None:
    write_ndjson(tmp_path / "events.ndjson", EVENTS)
    for _ in range(2):
        assert run_pitwall("--db", "w.duckdb", "import", "events.ndjson", cwd=tmp_path).returncode == 0
    with connect(tmp_path / "w.duckdb", read_only=True) as con:
        counts = row_counts(con)
    assert (counts["deployments"], counts["commits"], counts["service_repos"], counts["ingest_runs"]) == (2, 2, 1, 2)


def test_a_missing_file_is_one_line_and_creates_no_warehouse(tmp_path) -> None:
    write_ndjson(tmp_path / "good.ndjson", EVENTS)
    result = run_pitwall("--db", "w.duckdb", "import", "good.ndjson", "missing.ndjson", cwd=tmp_path)
    assert_one_error_line(result, "error: missing.ndjson: no such file")
    assert not (tmp_path / "w.duckdb").exists()


def test_a_folder_is_not_a_file(tmp_path) -> None:
    (tmp_path / "folder").mkdir()
    assert_one_error_line(run_pitwall("--db", "w.duckdb", "import", "folder", cwd=tmp_path),
                          "error: folder: not a file")


def test_bad_lines_exit_2_name_file_and_line_and_write_nothing(tmp_path) -> None:
    write_ndjson(tmp_path / "before.ndjson", EVENTS[:2])
    assert run_pitwall("--db", "w.duckdb", "import", "before.ndjson", cwd=tmp_path).returncode == 0
    with connect(tmp_path / "w.duckdb", read_only=True) as con:
        before = row_counts(con)
    write_ndjson(tmp_path / "good.ndjson", EVENTS)
    write_lines(tmp_path / "bad.ndjson", [
        json.dumps(DEPLOYMENT | {"id": "d9"}),
        json.dumps({key: value for key, value in DEPLOYMENT.items() if key != "finished_at"}
                   | {"finshed_at": "2026-03-02T10:00:00Z"}),
        json.dumps(DEPLOYMENT | {"status": "succeeded"}),
    ])
    result = run_pitwall("--db", "w.duckdb", "import", "good.ndjson", "bad.ndjson", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert "Traceback" not in result.stderr
    assert lines_of(result.stderr) == [
        "bad.ndjson:2: deployment: unknown field 'finshed_at' (did you mean 'finished_at'?); "
        "missing required field 'finished_at'",
        "bad.ndjson:3: deployment: field 'status': Input should be 'success', 'failure', 'error' or "
        "'cancelled' (got \"succeeded\")",
        "error: 2 bad line(s); nothing was imported",
    ]
    with connect(tmp_path / "w.duckdb", read_only=True) as con:
        assert row_counts(con) == before


def test_more_than_twenty_bad_lines_print_twenty_and_a_count_of_the_rest(tmp_path) -> None:
    write_lines(tmp_path / "bad.ndjson", [json.dumps({"type": "team", "id": f"t{n}", "name": n}) for n in range(23)])
    result = run_pitwall("--db", "w.duckdb", "import", "bad.ndjson", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert lines_of(result.stderr) == [
        *(f"bad.ndjson:{n + 1}: team: field 'name': Input should be a valid string (got {n})" for n in range(20)),
        "... and 3 more bad line(s)",
        "error: 23 bad line(s); nothing was imported",
    ]
    assert not (tmp_path / "w.duckdb").exists()


def test_pitwall_db_environment_variable_names_the_warehouse(tmp_path) -> None:
    write_ndjson(tmp_path / "events.ndjson", EVENTS)
    result = run_pitwall("import", "events.ndjson", cwd=tmp_path, env={"PITWALL_DB": str(tmp_path / "env.duckdb")})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "env.duckdb").exists()
    assert not (tmp_path / "pitwall.duckdb").exists()
    with connect(tmp_path / "env.duckdb", read_only=True) as con:
        assert row_counts(con)["deployments"] == 2


def test_db_option_wins_over_the_environment_and_the_default_is_in_the_working_folder(tmp_path) -> None:
    write_ndjson(tmp_path / "events.ndjson", EVENTS)
    env = {"PITWALL_DB": str(tmp_path / "env.duckdb")}
    assert run_pitwall("--db", "option.duckdb", "import", "events.ndjson", cwd=tmp_path, env=env).returncode == 0
    assert (tmp_path / "option.duckdb").exists() and not (tmp_path / "env.duckdb").exists()
    assert run_pitwall("import", "events.ndjson", cwd=tmp_path).returncode == 0
    assert (tmp_path / "pitwall.duckdb").exists()


def test_a_warehouse_newer_than_the_code_is_refused(tmp_path) -> None:
    newest = migrations()[-1][0]
    with connect(tmp_path / "w.duckdb") as con:
        con.execute("INSERT INTO schema_version VALUES (?, now())", [newest + 1])
    write_ndjson(tmp_path / "events.ndjson", EVENTS)
    result = run_pitwall("--db", "w.duckdb", "import", "events.ndjson", cwd=tmp_path)
    assert_one_error_line(result, f"error: w.duckdb: warehouse schema version {newest + 1} is newer than "
                                  f"this Pitwall knows ({newest}); upgrade Pitwall")


@pytest.mark.parametrize("args", [["frobnicate"], ["import"], ["--no-such-option", "import", "x"]])
def test_usage_errors_exit_2_without_a_traceback(tmp_path, args: list[str]) -> None:
    result = run_pitwall(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip()
    assert "Traceback" not in result.stderr


# --- pitwall schema ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> dict:
    """The JSON Schema printed by `pitwall schema`."""
    result = run_pitwall("schema", cwd=tmp_path_factory.mktemp("schema"))
    assert (result.returncode, result.stderr) == (0, "")
    return json.loads(result.stdout)


def test_schema_is_a_valid_json_schema_naming_all_nine_types(schema: dict) -> None:
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["discriminator"]["mapping"]) == set(EVENT_MODELS)
    assert len(schema["oneOf"]) == 9


def test_schema_accepts_good_events_and_rejects_what_the_importer_rejects(schema: dict) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    for event in EVENTS:
        validator.validate(event)
    validator.validate(team("t") | {"source": None})  # null source = the default
    rejected = [
        DEPLOYMENT | {"finshed_at": "2026-03-02T10:00:00Z"},             # unknown field
        {key: value for key, value in DEPLOYMENT.items() if key != "sha"},  # missing required field
        {key: value for key, value in team("t").items() if key != "type"},  # missing type
        DEPLOYMENT | {"status": "succeeded"},                            # bad enum value
        {"type": "pull_request", "id": "p", "repo": "r", "number": "12", "author": "a",
         "created_at": "2026-03-01T10:00:00Z"},                          # number as a string
        {"type": "incident", "id": "i", "started_at": "2026-03-01T10:00:00Z",
         "caused_by": {"deploy": "d1"}},                                 # unknown nested field
    ]
    for event in rejected:
        assert not validator.is_valid(event), event
