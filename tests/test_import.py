"""`ingest.events.import_files` on hand-built NDJSON files and a real DuckDB warehouse file.

Covers: every event type landing in its table, each kind of bad line and its message, the
all-or-nothing rule (within a file, across files, and when a write fails) and idempotent re-import.
Also keeps docs/events.md honest: its example lines must import, its tables must list every field.
"""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from helpers import ROOT, row_counts, team, write_lines, write_ndjson
from ingest.events import MAX_REPORTED, BadEvents, import_files
from warehouse import connect
from warehouse.models import EVENT_MODELS
from warehouse.store import TABLES, table_columns

UTC = UTC


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    """A fresh warehouse file in tmp_path."""
    connection = connect(tmp_path / "warehouse.duckdb")
    yield connection
    connection.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    """The result of `sql` as a list of dicts."""
    cursor = con.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def import_lines(con: duckdb.DuckDBPyConnection, path: Path, lines: list[str | bytes]) -> None:
    import_files(con, [write_lines(path, lines)])


def bad_messages(con: duckdb.DuckDBPyConnection, path: Path, lines: list[str | bytes]) -> BadEvents:
    with pytest.raises(BadEvents) as caught:
        import_lines(con, path, lines)
    return caught.value


# --- every event type lands in its table ------------------------------------------------------

def test_team_service_and_repo_land_with_their_values(con, tmp_path) -> None:
    write_ndjson(tmp_path / "org.ndjson", [
        {"type": "team", "id": "payments", "name": "Payments", "parent": "commerce"},
        {"type": "team", "source": "backstage", "id": "commerce", "name": "Commerce", "parent": None},
        {"type": "service", "id": "pay-api", "name": "Pay API", "team": "payments",
         "lifecycle": "production", "tier": "1", "annotations": {"pagerduty.com/service-id": "P1"},
         "repos": [{"repo": "acme/pay"}, {"repo": "acme/mono", "path": "/services/pay/"},
                   {"repo": "acme/web", "path": ""}, {"repo": "acme/cli", "path": "/"}]},
        {"type": "service", "id": "bare", "name": "Bare"},
        {"type": "repo", "id": "acme/pay", "provider": "github", "default_branch": "main",
         "url": "https://github.com/acme/pay"},
    ])
    import_files(con, [tmp_path / "org.ndjson"])
    assert rows(con, "SELECT * FROM teams ORDER BY id") == [
        {"source": "backstage", "id": "commerce", "name": "Commerce", "parent": None},
        {"source": "import", "id": "payments", "name": "Payments", "parent": "commerce"},
    ]
    assert rows(con, "SELECT * FROM services ORDER BY id") == [
        {"source": "import", "id": "bare", "name": "Bare", "team": None, "lifecycle": None,
         "tier": None, "annotations": None},
        {"source": "import", "id": "pay-api", "name": "Pay API", "team": "payments",
         "lifecycle": "production", "tier": "1", "annotations": '{"pagerduty.com/service-id": "P1"}'},
    ]
    assert con.execute("SELECT source, service, repo, path FROM service_repos ORDER BY repo").fetchall() == [
        ("import", "pay-api", "acme/cli", ""),
        ("import", "pay-api", "acme/mono", "services/pay"),
        ("import", "pay-api", "acme/pay", ""),
        ("import", "pay-api", "acme/web", ""),
    ]
    assert rows(con, "SELECT * FROM repos") == [
        {"source": "import", "id": "acme/pay", "provider": "github", "default_branch": "main",
         "url": "https://github.com/acme/pay"}]


def test_commit_pull_request_and_review_land_with_utc_timestamps(con, tmp_path) -> None:
    write_ndjson(tmp_path / "code.ndjson", [
        {"type": "commit", "repo": "acme/pay", "sha": "c1", "authored_at": "2026-03-01T10:00:00-07:00",
         "committed_at": "2026-03-01T18:30:00+01:00", "author": "ann", "parents": ["c0"],
         "pull_request": "acme/pay#7", "message": "Add refunds\n\nLong body"},
        {"type": "commit", "repo": "acme/pay", "sha": "c0", "authored_at": "2026-02-28T23:00:00Z"},
        {"type": "pull_request", "id": "acme/pay#7", "repo": "acme/pay", "number": 7, "author": "ann",
         "created_at": "2026-03-01T09:00:00-08:00", "title": "Add refunds",
         "ready_at": "2026-03-01T18:00:00Z", "merged_at": "2026-03-02T01:00:00+02:00",
         "closed_at": "2026-03-01T23:00:00Z", "base_branch": "main", "merge_commit_sha": "m7",
         "additions": 120, "deletions": 0, "labels": ["feature", "payments"], "draft": False},
        {"type": "review", "id": "r1", "pull_request": "acme/pay#7", "reviewer": "bob",
         "state": "changes_requested", "submitted_at": "2026-03-01T20:15:00+00:00"},
    ])
    import_files(con, [tmp_path / "code.ndjson"])
    assert rows(con, "SELECT * FROM commits ORDER BY sha") == [
        {"source": "import", "repo": "acme/pay", "sha": "c0", "authored_at": utc(2026, 2, 28, 23),
         "committed_at": None, "author": None, "parents": None, "pull_request": None, "message": None,
         "files": None},
        {"source": "import", "repo": "acme/pay", "sha": "c1", "authored_at": utc(2026, 3, 1, 17),
         "committed_at": utc(2026, 3, 1, 17, 30), "author": "ann", "parents": ["c0"],
         "pull_request": "acme/pay#7", "message": "Add refunds\n\nLong body", "files": None},
    ]
    assert rows(con, "SELECT * FROM pull_requests") == [
        {"source": "import", "id": "acme/pay#7", "repo": "acme/pay", "number": 7, "author": "ann",
         "created_at": utc(2026, 3, 1, 17), "title": "Add refunds", "ready_at": utc(2026, 3, 1, 18),
         "merged_at": utc(2026, 3, 1, 23), "closed_at": utc(2026, 3, 1, 23), "base_branch": "main",
         "merge_commit_sha": "m7", "additions": 120, "deletions": 0,
         "labels": ["feature", "payments"], "draft": False}]
    assert rows(con, "SELECT * FROM reviews") == [
        {"source": "import", "id": "r1", "pull_request": "acme/pay#7", "reviewer": "bob",
         "state": "changes_requested", "submitted_at": utc(2026, 3, 1, 20, 15)}]


def test_timestamps_are_stored_as_utc_timestamptz(con, tmp_path) -> None:
    import_lines(con, tmp_path / "c.ndjson", [json.dumps(
        {"type": "commit", "repo": "r", "sha": "c1", "authored_at": "2026-03-01T10:00:00-07:00"})])
    # Read as text in another session time zone: the stored instant is 17:00 UTC.
    con.execute("SET TimeZone = 'Asia/Tokyo'")
    stored = con.execute("SELECT strftime(authored_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M') FROM commits")
    assert stored.fetchone()[0] == "2026-03-01 17:00"
    assert con.execute("SELECT typeof(authored_at) FROM commits").fetchone()[0] == "TIMESTAMP WITH TIME ZONE"


def test_deployment_commit_lists_keep_null_empty_and_explicit_apart(con, tmp_path) -> None:
    base = {"type": "deployment", "repo": "acme/pay", "environment": "production", "sha": "c2",
            "status": "success", "finished_at": "2026-03-02T12:00:00+02:00"}
    write_ndjson(tmp_path / "deploys.ndjson", [
        {**base, "id": "d-absent"},
        {**base, "id": "d-null", "commits": None},
        {**base, "id": "d-empty", "commits": []},
        {**base, "id": "d-listed", "commits": ["c1", "c2"], "service": "pay-api",
         "started_at": "2026-03-02T09:55:00Z", "status": "failure"},
    ])
    import_files(con, [tmp_path / "deploys.ndjson"])
    assert rows(con, "SELECT * FROM deployments ORDER BY id") == [
        {"source": "import", "id": "d-absent", "repo": "acme/pay", "environment": "production",
         "sha": "c2", "status": "success", "finished_at": utc(2026, 3, 2, 10), "service": None,
         "started_at": None, "commits": None},
        {"source": "import", "id": "d-empty", "repo": "acme/pay", "environment": "production",
         "sha": "c2", "status": "success", "finished_at": utc(2026, 3, 2, 10), "service": None,
         "started_at": None, "commits": []},
        {"source": "import", "id": "d-listed", "repo": "acme/pay", "environment": "production",
         "sha": "c2", "status": "failure", "finished_at": utc(2026, 3, 2, 10), "service": "pay-api",
         "started_at": utc(2026, 3, 2, 9, 55), "commits": ["c1", "c2"]},
        {"source": "import", "id": "d-null", "repo": "acme/pay", "environment": "production",
         "sha": "c2", "status": "success", "finished_at": utc(2026, 3, 2, 10), "service": None,
         "started_at": None, "commits": None},
    ]


def test_incident_caused_by_lands_in_its_two_columns(con, tmp_path) -> None:
    write_ndjson(tmp_path / "incidents.ndjson", [
        {"type": "incident", "id": "i-deploy", "started_at": "2026-03-03T08:00:00+01:00",
         "resolved_at": "2026-03-03T09:30:00Z", "service": "pay-api", "repo": "acme/pay",
         "title": "Refunds fail", "severity": "SEV2", "caused_by": {"deployment": "d-listed"},
         "labels": ["incident"]},
        {"type": "incident", "id": "i-sha", "started_at": "2026-03-04T00:00:00Z",
         "caused_by": {"sha": "c1"}},
        {"type": "incident", "id": "i-none", "started_at": "2026-03-05T00:00:00Z", "caused_by": None},
    ])
    import_files(con, [tmp_path / "incidents.ndjson"])
    assert rows(con, "SELECT * FROM incidents ORDER BY id") == [
        {"source": "import", "id": "i-deploy", "started_at": utc(2026, 3, 3, 7),
         "resolved_at": utc(2026, 3, 3, 9, 30), "service": "pay-api", "repo": "acme/pay",
         "title": "Refunds fail", "severity": "SEV2", "caused_by_deployment": "d-listed",
         "caused_by_sha": None, "labels": ["incident"]},
        {"source": "import", "id": "i-none", "started_at": utc(2026, 3, 5), "resolved_at": None,
         "service": None, "repo": None, "title": None, "severity": None,
         "caused_by_deployment": None, "caused_by_sha": None, "labels": None},
        {"source": "import", "id": "i-sha", "started_at": utc(2026, 3, 4), "resolved_at": None,
         "service": None, "repo": None, "title": None, "severity": None,
         "caused_by_deployment": None, "caused_by_sha": "c1", "labels": None},
    ]


def test_pipeline_run_lands_with_its_values(con, tmp_path) -> None:
    write_ndjson(tmp_path / "ci.ndjson", [
        {"type": "pipeline_run", "source": "jenkins", "id": "build-41", "repo": "acme/pay",
         "workflow": "ci", "status": "timed_out", "started_at": "2026-03-01T10:00:00-05:00",
         "sha": "c1", "branch": "main", "event": "push", "finished_at": "2026-03-01T15:12:30Z",
         "attempt": 2}])
    import_files(con, [tmp_path / "ci.ndjson"])
    assert rows(con, "SELECT * FROM pipeline_runs") == [
        {"source": "jenkins", "id": "build-41", "repo": "acme/pay", "workflow": "ci",
         "status": "timed_out", "started_at": utc(2026, 3, 1, 15), "sha": "c1", "branch": "main",
         "event": "push", "finished_at": utc(2026, 3, 1, 15, 12, 30), "attempt": 2}]


def test_summary_counts_records_by_type_and_logs_the_run(con, tmp_path) -> None:
    path = write_ndjson(tmp_path / "s.ndjson", [team("a"), team("b"), team("a"),
                                                {"type": "repo", "id": "acme/pay"}])
    summary = import_files(con, [path])
    assert dict(summary.by_type) == {"team": 2, "repo": 1}
    assert summary.line() == (
        "imported 3 records from 1 file(s): 1 repo, 2 team (1 repeated record(s) replaced by a later line)")
    assert con.execute("SELECT source, target, records FROM ingest_runs").fetchall() == [
        ("import", "s.ndjson", 4)]


# --- bad lines --------------------------------------------------------------------------------

PR = ('{"type": "pull_request", "id": "acme/pay#7", "repo": "acme/pay", "number": 7, '
      '"author": "ann", "created_at": "2026-03-01T10:00:00Z"')
DEPLOY = ('{"type": "deployment", "id": "d1", "repo": "acme/pay", "environment": "production", '
          '"sha": "c1", "status": "success"')
ALL_TYPES = ", ".join(EVENT_MODELS)

BAD_LINES = [
    pytest.param('{"type": "team", "id": "t"', "not valid JSON: Expecting ',' delimiter at column 27",
                 id="invalid-json"),
    pytest.param('["team", "t"]', "expected a JSON object, got an array", id="not-an-object"),
    pytest.param('"team"', "expected a JSON object, got a string", id="a-bare-string"),
    pytest.param('{"id": "t", "name": "T"}', "missing field 'type'", id="missing-type"),
    pytest.param('{"type": "widget", "id": "w"}', f'unknown type "widget" (expected one of {ALL_TYPES})',
                 id="unknown-type"),
    pytest.param(DEPLOY + "}", "deployment: missing required field 'finished_at'",
                 id="missing-required-field"),
    pytest.param(DEPLOY + ', "finshed_at": "2026-03-01T10:00:00Z"}',
                 "deployment: unknown field 'finshed_at' (did you mean 'finished_at'?); "
                 "missing required field 'finished_at'", id="typo-field"),
    pytest.param(DEPLOY + ', "finished_at": "2026-03-01T10:00:00Z", "team": "x"}',
                 "deployment: unknown field 'team'", id="unknown-field"),
    pytest.param('{"type": "incident", "id": "i", "started_at": "2026-03-01T10:00:00Z", '
                 '"caused_by": {"deploy": "d1"}}', "incident: unknown field 'caused_by.deploy'",
                 id="unknown-nested-field"),
    pytest.param(PR.replace('"number": 7', '"number": "12"') + "}",
                 "pull_request: field 'number': Input should be a valid integer (got \"12\")",
                 id="number-as-string"),
    pytest.param(PR + ', "draft": "false"}',
                 "pull_request: field 'draft': Input should be a valid boolean (got \"false\")",
                 id="boolean-as-string"),
    pytest.param(PR + ', "labels": "hotfix,revert"}',
                 "pull_request: field 'labels': Input should be a valid list (got \"hotfix,revert\")",
                 id="list-as-string"),
    pytest.param('{"type": "team", "id": 7, "name": "T"}',
                 "team: field 'id': Input should be a valid string (got 7)", id="string-as-number"),
    pytest.param(PR.replace("10:00:00Z", "10:00:00") + "}",
                 "pull_request: field 'created_at': timestamp without offset (add Z or +HH:MM) "
                 "(got \"2026-03-01T10:00:00\")", id="timestamp-without-offset"),
    pytest.param(PR.replace("2026-03-01T10:00:00Z", "last tuesday") + "}",
                 "pull_request: field 'created_at': not an ISO 8601 timestamp (got \"last tuesday\")",
                 id="unparseable-timestamp"),
    pytest.param(PR.replace('"2026-03-01T10:00:00Z"', "1772359200") + "}",
                 "pull_request: field 'created_at': expected an ISO 8601 timestamp string, got int",
                 id="epoch-timestamp"),
    pytest.param(DEPLOY.replace('"success"', '"succeeded"') + ', "finished_at": "2026-03-01T10:00:00Z"}',
                 "deployment: field 'status': Input should be 'success', 'failure', 'error' or "
                 "'cancelled' (got \"succeeded\")", id="bad-deployment-status"),
    pytest.param('{"type": "review", "id": "r1", "pull_request": "acme/pay#7", "reviewer": "bob", '
                 '"state": "approve", "submitted_at": "2026-03-01T10:00:00Z"}',
                 "review: field 'state': Input should be 'approved', 'changes_requested', 'commented' "
                 "or 'dismissed' (got \"approve\")", id="bad-review-state"),
    pytest.param('{"type": "incident", "id": "i", "started_at": "2026-03-01T10:00:00Z", '
                 '"resolved_at": "2026-03-01T10:00:00+01:00"}',
                 "incident: resolved_at is before started_at", id="resolved-before-started"),
    pytest.param('{"type": "team", "id": "t", "name": null}',
                 "team: field 'name': Input should be a valid string (got null)", id="required-null"),
    pytest.param('{"type": "team", "id": "t", "name": "T", "id": "u"}', 'field "id" given twice',
                 id="duplicate-field"),
    pytest.param('{"type": "service", "id": "s", "name": "S", "repos": [{"repo": "acme/pay", "path": 1}]}',
                 "service: field 'repos.0.path': Input should be a valid string (got 1)",
                 id="nested-wrong-type"),
    pytest.param(b'{"type": "team", "id": "t", "name": "Caf\xe9"}', "not UTF-8 text (byte 41 of the line)",
                 id="non-utf8-bytes"),
]


@pytest.mark.parametrize(("line", "reason"), BAD_LINES)
def test_each_kind_of_bad_line_is_named_with_file_line_and_reason(con, tmp_path, line, reason) -> None:
    path = tmp_path / "events.ndjson"
    good = json.dumps(team("platform"))
    bad = bad_messages(con, path, [good, "", line, good])
    assert bad.messages == [f"{path}:3: {reason}"]
    assert bad.total == 1
    assert row_counts(con)["teams"] == 0


def test_blank_lines_are_skipped_and_still_counted_in_line_numbers(con, tmp_path) -> None:
    path = tmp_path / "events.ndjson"
    lines = ["", "   ", json.dumps(team("a")), "\t", '{"type": "team"}', "", json.dumps(team("b"))]
    bad = bad_messages(con, path, lines)
    assert bad.messages == [f"{path}:5: team: missing required field 'id'; missing required field 'name'"]
    import_lines(con, path, [line for line in lines if line != '{"type": "team"}'])
    assert con.execute("SELECT id FROM teams ORDER BY id").fetchall() == [("a",), ("b",)]


def test_windows_line_endings_and_a_leading_byte_order_mark_are_accepted(con, tmp_path) -> None:
    path = tmp_path / "windows.ndjson"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(team("a")).encode() + b"\r\n"
                     + json.dumps(team("b")).encode() + b"\r\n")
    import_files(con, [path])
    assert con.execute("SELECT id FROM teams ORDER BY id").fetchall() == [("a",), ("b",)]


def test_more_than_twenty_bad_lines_report_the_first_twenty(con, tmp_path) -> None:
    path = tmp_path / "events.ndjson"
    lines = [json.dumps(team(f"t{n}")) if n % 2 else f'{{"type": "team", "id": "t{n}"}}' for n in range(50)]
    bad = bad_messages(con, path, lines)
    assert MAX_REPORTED == 20
    assert bad.total == 25
    assert bad.messages == [f"{path}:{n}: team: missing required field 'name'" for n in range(1, 41, 2)]


def test_a_missing_file_is_named(con, tmp_path) -> None:
    with pytest.raises(BadEvents) as caught:
        import_files(con, [tmp_path / "missing.ndjson"])
    assert caught.value.messages == [f"{tmp_path / 'missing.ndjson'}: no such file"]


# --- all or nothing ---------------------------------------------------------------------------

@pytest.fixture
def populated(con, tmp_path) -> dict[str, int]:
    """The warehouse holding one record of several types; returns its row counts."""
    write_ndjson(tmp_path / "before.ndjson", [
        team("payments"), {"type": "service", "id": "pay-api", "name": "Pay", "repos": [{"repo": "acme/pay"}]},
        {"type": "commit", "repo": "acme/pay", "sha": "c1", "authored_at": "2026-03-01T10:00:00Z"},
    ])
    import_files(con, [tmp_path / "before.ndjson"])
    counts = row_counts(con)
    assert counts["teams"] == counts["services"] == counts["service_repos"] == counts["commits"] == 1
    return counts


def test_one_bad_line_rejects_the_whole_file(con, tmp_path, populated) -> None:
    lines = [json.dumps(team("new")), json.dumps(team("payments") | {"name": "Renamed"}), "{oops"]
    bad = bad_messages(con, tmp_path / "mixed.ndjson", lines)
    assert bad.total == 1
    assert row_counts(con) == populated
    assert con.execute("SELECT id, name FROM teams").fetchall() == [("payments", "payments")]


def test_a_bad_second_file_rejects_the_good_first_one(con, tmp_path, populated) -> None:
    good = write_ndjson(tmp_path / "good.ndjson", [team("new"), {"type": "repo", "id": "acme/new"}])
    bad = write_lines(tmp_path / "bad.ndjson", [json.dumps(team("other")), '{"type": "team", "id": "x"}'])
    with pytest.raises(BadEvents) as caught:
        import_files(con, [good, bad])
    assert caught.value.messages == [f"{bad}:2: team: missing required field 'name'"]
    assert row_counts(con) == populated


def test_bad_lines_of_several_files_are_all_reported(con, tmp_path) -> None:
    first = write_lines(tmp_path / "a.ndjson", ["{", json.dumps(team("ok"))])
    second = write_lines(tmp_path / "b.ndjson", [json.dumps(team("ok")), "[]"])
    with pytest.raises(BadEvents) as caught:
        import_files(con, [first, second])
    assert caught.value.messages == [
        f"{first}:1: not valid JSON: Expecting property name enclosed in double quotes at column 2",
        f"{second}:2: expected a JSON object, got an array",
    ]


def test_a_failed_write_rolls_back_what_was_written_before_it(con, tmp_path, populated) -> None:
    # Teams are written before pipeline runs; a CHECK constraint makes the pipeline run's INSERT fail.
    columns = ", ".join(f"{name} {sql_type}" for name, sql_type in table_columns(con, "pipeline_runs"))
    con.execute("DROP TABLE pipeline_runs")
    con.execute(f"CREATE TABLE pipeline_runs ({columns}, CHECK (status <> 'refused'))")
    path = write_ndjson(tmp_path / "events.ndjson", [
        team("new"),
        {"type": "pipeline_run", "id": "p1", "repo": "acme/pay", "workflow": "ci",
         "status": "refused", "started_at": "2026-03-01T10:00:00Z"}])
    with pytest.raises(duckdb.ConstraintException, match="CHECK"):  # the real error, not a masking one
        import_files(con, [path])
    assert con.execute("SELECT id FROM teams").fetchall() == [("payments",)]
    assert con.execute("SELECT count(*) FROM ingest_runs").fetchone()[0] == populated["ingest_runs"]


# --- idempotent re-import ---------------------------------------------------------------------

def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every canonical table's rows, sorted (ingest_runs, the run log, left out)."""
    return {table: sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
            for table in [*TABLES.values(), "service_repos"]}


def test_importing_the_same_file_twice_gives_the_same_rows(con, tmp_path) -> None:
    docs_examples = write_lines(tmp_path / "examples.ndjson", example_lines())
    import_files(con, [docs_examples])
    first = snapshot(con)
    import_files(con, [docs_examples])
    assert snapshot(con) == first
    assert all(first[table] for table in TABLES.values())  # the examples cover every table
    assert con.execute("SELECT count(*) FROM ingest_runs").fetchone()[0] == 2


def test_a_changed_record_replaces_the_old_one(con, tmp_path) -> None:
    base = {"type": "deployment", "id": "d1", "repo": "acme/pay", "environment": "production",
            "sha": "c1", "status": "failure", "finished_at": "2026-03-01T10:00:00Z", "commits": ["c1"]}
    import_files(con, [write_ndjson(tmp_path / "one.ndjson", [base])])
    changed = {key: value for key, value in base.items() if key != "commits"} | {"status": "success"}
    import_files(con, [write_ndjson(tmp_path / "two.ndjson", [changed])])
    assert con.execute("SELECT id, status, commits FROM deployments").fetchall() == [("d1", "success", None)]


def test_a_reimported_service_replaces_its_repo_links(con, tmp_path) -> None:
    service = {"type": "service", "id": "pay-api", "name": "Pay",
               "repos": [{"repo": "acme/pay"}, {"repo": "acme/mono", "path": "pay"}]}
    other = {"type": "service", "id": "web", "name": "Web", "repos": [{"repo": "acme/web"}]}
    import_files(con, [write_ndjson(tmp_path / "one.ndjson", [service, other])])
    moved = service | {"repos": [{"repo": "acme/mono", "path": "/pay/"}, {"repo": "acme/mono", "path": "pay"}]}
    import_files(con, [write_ndjson(tmp_path / "two.ndjson", [moved])])
    assert con.execute("SELECT service, repo, path FROM service_repos ORDER BY service").fetchall() == [
        ("pay-api", "acme/mono", "pay"), ("web", "acme/web", "")]
    without_repos = {key: value for key, value in service.items() if key != "repos"}
    import_files(con, [write_ndjson(tmp_path / "three.ndjson", [without_repos])])
    assert con.execute("SELECT service FROM service_repos").fetchall() == [("web",)]


def test_duplicates_inside_one_file_the_last_wins(con, tmp_path) -> None:
    path = write_ndjson(tmp_path / "dups.ndjson", [
        {"type": "team", "id": "t", "name": "First"},
        {"type": "team", "id": "u", "name": "Other"},
        {"type": "team", "id": "t", "name": "Second"},
        {"type": "commit", "repo": "r", "sha": "c1", "authored_at": "2026-03-01T10:00:00Z", "author": "a"},
        {"type": "commit", "source": "github", "repo": "r", "sha": "c1",
         "authored_at": "2026-03-01T10:00:00Z", "author": "b"},
    ])
    import_files(con, [path])
    assert con.execute("SELECT id, name FROM teams ORDER BY id").fetchall() == [("t", "Second"), ("u", "Other")]
    assert con.execute("SELECT source, author FROM commits").fetchall() == [("github", "b")]


def test_natural_keys_commits_by_repo_and_sha_others_by_source_and_id(con, tmp_path) -> None:
    path = write_ndjson(tmp_path / "keys.ndjson", [
        {"type": "team", "id": "t", "name": "From import"},
        {"type": "team", "source": "backstage", "id": "t", "name": "From Backstage"},
        {"type": "commit", "repo": "acme/a", "sha": "c1", "authored_at": "2026-03-01T10:00:00Z"},
        {"type": "commit", "repo": "acme/b", "sha": "c1", "authored_at": "2026-03-01T11:00:00Z"},
        {"type": "commit", "source": "github", "repo": "acme/a", "sha": "c1",
         "authored_at": "2026-03-01T12:00:00Z"},
    ])
    import_files(con, [path])
    assert con.execute("SELECT source, name FROM teams ORDER BY source").fetchall() == [
        ("backstage", "From Backstage"), ("import", "From import")]
    assert con.execute("SELECT source, repo, hour(authored_at) FROM commits ORDER BY repo").fetchall() == [
        ("github", "acme/a", 12), ("import", "acme/b", 11)]


# --- docs/events.md stays honest --------------------------------------------------------------

DOCS = ROOT / "docs" / "events.md"


def example_lines() -> list[str]:
    """Every line of the ```json / ```ndjson blocks of docs/events.md."""
    blocks = re.findall(r"```(?:json|ndjson)\n(.*?)```", DOCS.read_text(encoding="utf-8"), flags=re.S)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def documented_fields() -> dict[str, list[str]]:
    """Each `### type` section of docs/events.md -> the field names of its table's first column."""
    sections = re.split(r"^### `(\w+)`", DOCS.read_text(encoding="utf-8"), flags=re.M)[1:]
    return {name: re.findall(r"^\| `([\w.\[\]]+)` \|", body, flags=re.M)
            for name, body in zip(sections[::2], sections[1::2])}


def test_every_example_line_of_the_docs_imports_cleanly(con, tmp_path) -> None:
    lines = example_lines()
    summary = import_files(con, [write_lines(tmp_path / "examples.ndjson", lines)])
    assert set(summary.by_type) == set(EVENT_MODELS)
    assert sum(summary.by_type.values()) == len(lines)  # no example silently replaces another


def test_the_docs_list_every_field_of_every_type(con) -> None:
    nested = {"service": {"repos[].repo", "repos[].path"}, "incident": {"caused_by.deployment", "caused_by.sha"}}
    documented = documented_fields()
    assert list(documented) == list(EVENT_MODELS)
    for event_type, model in EVENT_MODELS.items():
        assert set(documented[event_type]) == set(model.model_fields) | nested.get(event_type, set()), event_type
