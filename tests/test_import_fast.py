"""The bulk import path (lines checked and extracted in DuckDB SQL) against the pydantic models.

The models are the oracle: every line imported must land as exactly the row of its record
(`parse_line` then `warehouse.store.record_row`), and every line refused must be refused with the
reason `parse_line` gives, whether the SQL or the models judged it. Also covers the chunked reading
of files (line numbers, line endings), the last-line-wins rule across chunks and files, and the
field specs staying narrower than the models.
"""
from __future__ import annotations

import itertools
import json
import os
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ConfigDict, Field, field_validator

from helpers import write_lines
from ingest import ndjson_chunks
from ingest.event_fields import fast_models, model_spec
from ingest.event_stage import EventStage
from ingest.events import BadEvents, import_files, line_outcome
from ingest.ndjson_chunks import read_ahead, read_chunks
from warehouse import connect
from warehouse.models import EVENT_MODELS, Team, _Record
from warehouse.store import NATURAL_KEYS, TABLES, record_row


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = connect(tmp_path / "warehouse.duckdb")
    yield connection
    connection.close()


def oracle(lines: list[str]) -> tuple[list[str], dict[str, dict[tuple, dict[str, Any]]]]:
    """What the models make of `lines`: the reasons of the bad lines (1-based `n: reason`), and
    the rows per table by natural key (the last line of a key wins)."""
    reasons, rows = [], {}
    for number, line in enumerate(lines, start=1):
        record = line_outcome(number, line.encode() + b"\n")
        if isinstance(record, str):
            reasons.append(f"{number}: {record}")
        if not isinstance(record, _Record):
            continue
        table = TABLES[record.type]
        row = record_row(record)
        rows.setdefault(table, {})[tuple(row[k] for k in NATURAL_KEYS[table])] = row
    return reasons, rows


def imported(con: duckdb.DuckDBPyConnection, path: Path, lines: list[str]) -> tuple[list[str], dict]:
    """What the import makes of `lines`, in the shape of `oracle`."""
    write_lines(path, lines)
    try:
        import_files(con, [path])
    except BadEvents as bad:
        return [message.removeprefix(f"{path}:") for message in bad.messages], {}
    rows = {}
    for table in [*TABLES.values(), "service_repos"]:
        cursor = con.execute(f"SELECT * FROM {table}")
        names = [column[0] for column in cursor.description]
        for values in cursor.fetchall():
            row = dict(zip(names, values))
            rows.setdefault(table, {})[tuple(row[k] for k in NATURAL_KEYS[table])] = row
    return [], rows


def unsure_lines(lines: list[str], tmp_path: Path) -> list[int]:
    """The 0-based indices of the lines the SQL leaves to the models."""
    path = write_lines(tmp_path / "probe.ndjson", lines)
    with EventStage() as stage:
        return [chunk.number(int(i)) - 1 for chunk in read_chunks(path, 0) for i in stage.add_chunk(chunk)]


TS = "2026-03-01T10:00:00Z"

# Lines the SQL judges itself: every fast type, the field kinds and their edge values.
SQL_LINES = [
    {"type": "team", "id": "platform", "name": "Platform"},
    {"type": "team", "id": "payments", "name": "Payments", "parent": "platform", "source": "backstage"},
    {"type": "team", "id": "null-source", "name": "N", "source": None, "parent": None},
    {"type": "repo", "id": "acme/pay", "provider": "github", "default_branch": "main", "url": "https://x/y"},
    {"type": "commit", "repo": "acme/pay", "sha": "c1", "authored_at": "2026-03-01T10:00:00+05:30",
     "committed_at": "2026-03-01T23:59:59.5-08:00", "author": "ann", "parents": [], "message": "Café ☕ 🚀",
     "pull_request": "acme/pay#1", "files": ["a/b.py", "ünï/çødé.txt"]},
    {"type": "commit", "repo": "acme/pay", "sha": "c2", "authored_at": "2026-03-01T10:00:00.123456Z",
     "committed_at": None, "author": None, "parents": ["c1", "c0"], "message": "", "files": None},
    {"type": "commit", "repo": "acme/pay", "sha": "c3", "authored_at": "0002-01-01T00:00:00+23:59",
     "committed_at": "1582-10-10T12:00:00+01:00"},
    {"type": "commit", "repo": "acme/pay", "sha": "c5", "authored_at": "0400-02-29T00:00:00Z",
     "committed_at": "2024-02-29T23:59:59.999999-00:00"},
    {"type": "commit", "repo": "acme/pay", "sha": "c4", "authored_at": "9998-12-31T23:59:59-23:59",
     "message": "line\nbreak \"quoted\" back\\slash \t tab \u2028 sep"},
    {"type": "pull_request", "id": "acme/pay#1", "repo": "acme/pay", "number": 9223372036854775807,
     "author": "ann", "created_at": TS, "title": "T", "ready_at": TS, "merged_at": "2026-03-02T10:00:00+01:00",
     "closed_at": None, "base_branch": "main", "merge_commit_sha": "m1", "additions": 0, "deletions": 12,
     "labels": ["", "x"], "draft": False},
    {"type": "pull_request", "id": "acme/pay#2", "repo": "acme/pay", "number": -9223372036854775808,
     "author": "bob", "created_at": TS, "draft": True, "labels": []},
    {"type": "review", "id": "r1", "pull_request": "acme/pay#1", "reviewer": "bob", "state": "changes_requested",
     "submitted_at": TS},
    {"type": "deployment", "id": "d1", "repo": "acme/pay", "environment": "production", "sha": "c2",
     "status": "success", "finished_at": TS, "started_at": TS, "service": "pay-api", "commits": []},
    {"type": "deployment", "id": "d2", "repo": "acme/pay", "environment": "staging", "sha": "c2",
     "status": "cancelled", "finished_at": "2026-03-01T11:00:00+01:00", "started_at": TS, "commits": ["c1", "c2"]},
    {"type": "incident", "id": "i1", "started_at": TS, "resolved_at": "2026-03-01T12:00:00+02:00",
     "caused_by": {"deployment": "d1", "sha": None}, "labels": ["sev1"], "service": "pay-api", "severity": "1"},
    {"type": "incident", "id": "i2", "started_at": TS, "caused_by": {"sha": "c2"}, "repo": "acme/pay", "title": "t"},
    {"type": "incident", "id": "i3", "started_at": TS, "caused_by": None, "resolved_at": None},
    {"type": "incident", "id": "i4", "started_at": TS, "caused_by": {}},
    {"type": "pipeline_run", "id": "p1", "repo": "acme/pay", "workflow": "ci", "status": "queued",
     "started_at": TS, "sha": "c2", "branch": "main", "event": "push", "finished_at": None, "attempt": 1},
]


# ... and written by hand: an escaped key, -0, whitespace around the object and a CRLF ending.
SQL_RAW_LINES = [
    '{"type": "team", "\\u0069d": "escaped", "name": "E"}',
    '{"type": "pull_request", "id": "p0", "repo": "r", "number": -0, "author": "a", '
    '"created_at": "2026-03-01T10:00:00Z"}',
    '  {"type": "team", "id": "spaced", "name": "S"}\t\r',
]


def test_lines_the_sql_accepts_land_exactly_as_the_models_give_them(con, tmp_path) -> None:
    lines = [json.dumps(event) for event in SQL_LINES] + [json.dumps(SQL_LINES[4], ensure_ascii=False)]
    lines[-1] = lines[-1].replace('"c1"', '"c9"', 1)  # the same commit written without \u escapes
    lines += SQL_RAW_LINES
    assert unsure_lines(lines, tmp_path) == []
    reasons, rows = imported(con, tmp_path / "events.ndjson", lines)
    assert (reasons, rows) == oracle(lines)
    assert rows["commits"][("acme/pay", "c1")]["message"] == "Café ☕ 🚀"
    assert rows["incidents"][("import", "i1")]["caused_by_deployment"] == "d1"


# Valid lines the SQL leaves to the models: they must land all the same.
MODEL_LINES = [
    '{"type": "commit", "repo": "r", "sha": "s1", "authored_at": "2026-03-01 10:00:00+00:00"}',
    '{"type": "commit", "repo": "r", "sha": "s2", "authored_at": "2026-03-01T10:00:00.1234567Z"}',
    '{"type": "commit", "repo": "r", "sha": "s3", "authored_at": "20260301T100000+0530"}',
    '{"type": "commit", "repo": "r", "sha": "s4", "authored_at": " 2026-03-01T10:00:00Z "}',
    '{"type": "commit", "repo": "r", "sha": "s5", "authored_at": "2026-03-01T10:00:00+05:30:15"}',
    '{"type": "pull_request", "id": "p", "repo": "r", "number": 5, "author": "a", "created_at": "2026-03-01T10:00Z"}',
    '{"type": "service", "id": "svc", "name": "S", "repos": [{"repo": "r", "path": "/x/"}], "annotations": {"a": "b"}}',
    '{"type": "team", "id": "nul", "name": "has \\u0000 NUL"}',
    '{"type": "team", "id": "b", "name": "B", "parent": "a,]"}',
]


def test_lines_left_to_the_models_land_as_the_models_give_them(con, tmp_path) -> None:
    assert unsure_lines(MODEL_LINES, tmp_path) == list(range(len(MODEL_LINES)))
    reasons, rows = imported(con, tmp_path / "events.ndjson", MODEL_LINES)
    expected_reasons, expected_rows = oracle(MODEL_LINES)
    assert reasons == expected_reasons
    assert rows == expected_rows | {"service_repos": rows["service_repos"]}
    assert list(rows["service_repos"]) == [("import", "svc")]


PR = '{"type": "pull_request", "id": "p", "repo": "r", "author": "a", "created_at": "2026-03-01T10:00:00Z", '
COMMIT = '{"type": "commit", "repo": "r", "sha": "s", '
INCIDENT = '{"type": "incident", "id": "i", "started_at": "2026-03-01T10:00:00Z", '
DEPLOY = ('{"type": "deployment", "id": "d", "repo": "r", "environment": "e", "sha": "s", "status": "success", '
          '"finished_at": "2026-03-01T10:00:00Z"')

# Bad lines, several of them valid JSON to DuckDB's reader or of the right JSON type at a glance.
TRICKY_BAD_LINES = [
    '{"type": "team", "id": "a", "name": "A",}',
    COMMIT + '"authored_at": "2026-03-01T10:00:00Z", "parents": ["a",]}',
    '{"type": "team", "id": "a", "name": "A", "id": "b"}',
    '{"type": "team", "id": "a", "name": "A", "\\u0069d": "b"}',
    INCIDENT + '"caused_by": {"sha": "x", "sha": "y"}}',
    INCIDENT + '"caused_by": {"sha": "x", "commit": "y"}}',
    INCIDENT + '"caused_by": {"sha": 1}}',
    INCIDENT + '"caused_by": ["d"]}',
    INCIDENT + '"resolved_at": "2026-03-01T09:59:59.999999Z"}',
    DEPLOY + ', "started_at": "2026-03-01T10:00:00.000001Z"}',
    PR + '"number": 1.0}', PR + '"number": 1e2}', PR + '"number": true}', PR + '"number": NaN}',
    PR + '"number": 9223372036854775808}', PR + '"number": -9223372036854775809}',
    PR + '"number": 1, "additions": -1}', PR + '"number": 1, "draft": 0}', PR + '"number": 1, "draft": null}',
    PR + '"number": Infinity}', PR + '"number": 1, "labels": [null]}', PR + '"number": 1, "labels": [1]}',
    PR + '"number": 1, "labels": "x"}', PR + '"number": 1, "title": 5}', PR + '"number": 1, "title": ["t"]}',
    '{"type": "pipeline_run", "id": "p", "repo": "r", "workflow": "w", "status": "s", '
    '"started_at": "2026-03-01T10:00:00Z", "attempt": 0}',
    COMMIT + '"authored_at": "2026-03-01T10:00:00Z", "parents": [""]}',
    COMMIT + '"authored_at": "2026-03-01T10:00:00Z", "files": ["a", ""]}',
    COMMIT + '"authored_at": "2026-03-01T10:00:00Z", "sha": "t"}',
    COMMIT + '"authored_at": "2026-03-01T10:00:00Z", "source": ""}',
    COMMIT + '"authored_at": "2026-03-01T10:00:00Z", "repo": null}',
    COMMIT + '"authored_at": null}', COMMIT + '"authored_at": ""}', COMMIT + '"authored_at": 1772359200}',
    COMMIT + '"authored_at": "2026-03-01T24:00:00Z"}', COMMIT + '"authored_at": "2026-03-01T10:00:60Z"}',
    COMMIT + '"authored_at": "2026-02-29T10:00:00Z"}', COMMIT + '"authored_at": "2026-03-01T10:00:00+24:00"}',
    COMMIT + '"authored_at": "0001-01-01T00:00:00+00:01"}', COMMIT + '"authored_at": "9999-12-31T23:59:59-00:01"}',
    COMMIT + '"authored_at": "2026-03-01T10:00:00"}', COMMIT + '"authored_at": "2026-03-01T10:00:00z"}',
    COMMIT + '"authored_at": "0000-01-01T00:00:00Z"}', COMMIT + '"authored_at": "2026-13-01T00:00:00Z"}',
    COMMIT + '"authored_at": "2100-02-29T00:00:00Z"}', COMMIT + '"authored_at": "0500-02-29T00:00:00Z"}',
    COMMIT + '"authored_at": "2026-04-31T00:00:00Z"}',
    '{"type": "review", "id": "r", "pull_request": "p", "reviewer": "b", "state": "Approved", '
    '"submitted_at": "2026-03-01T10:00:00Z"}',
    '{"type": "team", "id": "a", "name": "A", "type": "repo"}', '{"type": "Team", "id": "a", "name": "A"}',
    '{"type": null, "id": "a"}', '{"type": 7}', '{"type": "team", "id": "a", "name": "\\ud800"}',
    '{"type": "team", "id": "a", "name": "A"} {"type": "team"}', "{'type': 'team'}", "[]", "null", "",
    '{"type": "team", "id": "a", "name": "A", "extra": nan}', '{"type": "team", "id": "a", "name": "A"}//',
    '\ufeff{"type": "team", "id": "a", "name": "A"}',
]


@pytest.mark.parametrize("line", TRICKY_BAD_LINES)
def test_a_bad_line_gets_the_reason_the_models_give(con, tmp_path, line) -> None:
    lines = [json.dumps(SQL_LINES[0]), line]
    expected = oracle(lines)
    assert imported(con, tmp_path / "events.ndjson", lines) == (expected[0], {} if expected[0] else expected[1])


# --- random events: the SQL and the models agree on every line --------------------------------

VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(allow_nan=False), st.text(max_size=6), st.sampled_from(["", "x", "é", "🚀", "a\u0000b"]),
    st.sampled_from([TS, "2026-03-01T10:00:00.5+05:30", "2026-03-01 10:00:00Z", "2026-02-30T10:00:00Z",
                     "2026-03-01T10:00:00", "success", "approved", "team"]),
    st.lists(st.sampled_from(["a", "", None, 1]), max_size=3),
    st.fixed_dictionaries({}, optional={"deployment": st.sampled_from(["d", None, 2]), "sha": st.just("s"),
                                        "other": st.just("x")}),
)


VALID = {event["type"]: event for event in SQL_LINES} | {"service": {
    "type": "service", "id": "svc", "name": "S", "team": "t", "lifecycle": "production", "tier": "1",
    "repos": [{"repo": "r", "path": "p"}], "annotations": {"k": "v"}}}
DATABASES = itertools.count()


@st.composite
def events(draw: st.DrawFn, index: int) -> str:
    """A line of a random type: its fields mostly well formed, some of any JSON kind, some missing."""
    event_type = draw(st.sampled_from(sorted(EVENT_MODELS)))
    valid = VALID[event_type]
    event = {"type": event_type}
    for name in (name for name in EVENT_MODELS[event_type].model_fields if name != "type"):
        choice = draw(st.sampled_from(["valid", "valid", "valid", "absent", "other"]))
        if choice == "valid" and name in valid:
            event[name] = valid[name]
        elif choice == "other":
            event[name] = draw(VALUES)
    for key in ("id", "sha"):  # distinct records, so that every line's row can be compared
        if key in event and isinstance(event[key], str):
            event[key] = f"{event[key]}-{index}"
    return json.dumps(event, ensure_ascii=draw(st.booleans()))


@settings(derandomize=True, database=None, deadline=None, max_examples=40,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(lines=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=8, unique=True).flatmap(
    lambda keys: st.tuples(*(events(key) for key in keys))))
def test_random_lines_import_exactly_as_the_models_judge_them(tmp_path, lines) -> None:
    lines = list(lines)
    with connect(tmp_path / f"random-{next(DATABASES)}.duckdb") as con:
        reasons, rows = imported(con, tmp_path / "random.ndjson", lines)
    expected_reasons, expected_rows = oracle(lines)
    assert reasons == expected_reasons[:20]
    if not reasons:
        rows.pop("service_repos", None)
        assert rows == expected_rows


# --- files, chunks and the last line --------------------------------------------------------

def test_chunks_split_lines_as_python_reads_them(tmp_path) -> None:
    body = b'{"a": 1}\r\n\n  \n{"b": 2}\r{"c": 3}\n' + b"x" * 50 + b"\nlast"
    path = tmp_path / "lines.ndjson"
    path.write_bytes(body)
    with path.open("rb") as handle:
        expected = list(handle)
    for size in (1, 7, 64, 10_000):
        chunks = list(read_chunks(path, 3, size))
        assert [chunk.raw(i) for chunk in chunks for i in range(len(chunk))] == expected
        assert [chunk.number(i) for chunk in chunks for i in range(len(chunk))] == list(range(1, 7))
        assert [int(seq) for chunk in chunks for seq in chunk.seqs()] == [(3 << 40) + n for n in range(1, 7)]


def test_chunks_read_ahead_come_in_order_and_a_read_error_surfaces(tmp_path) -> None:
    path = write_lines(tmp_path / "lines.ndjson", [f'{{"n": {n}}}' for n in range(40)])
    ahead = [(chunk.first_line, chunk.body) for chunk in read_ahead(read_chunks(path, 0, 50))]
    assert ahead == [(chunk.first_line, chunk.body) for chunk in read_chunks(path, 0, 50)]
    assert len(ahead) > 5

    def failing() -> Iterator[ndjson_chunks.LineChunk]:
        yield from read_chunks(path, 0, 50)
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        list(read_ahead(failing()))


def test_chunks_whose_lines_change_type_are_staged_whole_by_the_sql(con, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(ndjson_chunks, "CHUNK_BYTES", 400)  # chunks starting with either type
    lines = [json.dumps(SQL_LINES[0] | {"id": f"t{n}"}) if n % 3 else
             json.dumps({"type": "commit", "repo": "r", "sha": f"c{n}", "authored_at": TS}) for n in range(30)]
    lines[7] = '{"type": "team", "id": "t7", "name": "T", "parent": "a,]"}'  # left to the models
    assert unsure_lines(lines, tmp_path) == [7]
    reasons, rows = imported(con, tmp_path / "events.ndjson", lines)
    assert (reasons, rows) == oracle(lines)
    assert (len(rows["teams"]), len(rows["commits"])) == (20, 10)


def test_progress_is_told_of_every_byte_of_every_file(con, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(ndjson_chunks, "CHUNK_BYTES", 100)
    paths = [write_lines(tmp_path / f"{n}.ndjson", [json.dumps(event) for event in SQL_LINES[n::2]]) for n in (0, 1)]
    told: list[int] = []
    import_files(con, paths, on_line=told.append)
    assert len(told) > 2
    assert sum(told) == sum(path.stat().st_size for path in paths)


def test_the_last_line_of_a_key_wins_across_chunks_and_files(con, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(ndjson_chunks, "CHUNK_BYTES", 200)  # a few lines a chunk
    first = [json.dumps({"type": "team", "id": f"t{n % 3}", "name": f"first {n}"}) for n in range(10)]
    second = [json.dumps({"type": "team", "id": "t1", "name": "second"}),
              json.dumps({"type": "commit", "repo": "r", "sha": "c", "authored_at": TS, "author": "x"}),
              json.dumps({"type": "commit", "source": "git", "repo": "r", "sha": "c", "authored_at": TS})]
    summary = import_files(con, [write_lines(tmp_path / "a.ndjson", first), write_lines(tmp_path / "b.ndjson", second)])
    assert con.execute("SELECT id, name FROM teams ORDER BY id").fetchall() == [
        ("t0", "first 9"), ("t1", "second"), ("t2", "first 8")]
    assert con.execute("SELECT source, author FROM commits").fetchall() == [("git", None)]
    assert (summary.lines, dict(summary.by_type)) == (13, {"team": 3, "commit": 1})


def test_bad_lines_in_later_chunks_are_numbered_from_the_start_of_their_file(con, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(ndjson_chunks, "CHUNK_BYTES", 100)
    lines = [json.dumps({"type": "team", "id": f"t{n}", "name": "T"}) for n in range(12)]
    lines[9] = '{"type": "team", "id": "t9"}'
    path = write_lines(tmp_path / "events.ndjson", lines)
    with pytest.raises(BadEvents) as caught:
        import_files(con, [path])
    assert caught.value.messages == [f"{path}:10: team: missing required field 'name'"]


def test_the_spill_folder_of_a_killed_import_is_removed_by_the_next_one(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    dead = subprocess.Popen(["true"])  # its process id is then held by no process
    dead.wait()
    abandoned = tmp_path / f"pitwall-import-{dead.pid}-abc"
    ours = tmp_path / f"pitwall-import-{os.getpid()}-def"
    for folder in (abandoned, ours):
        folder.mkdir()
        (folder / "spill.tmp").write_bytes(b"x")
    with EventStage():
        assert not abandoned.exists()
        assert ours.exists()
        assert len(list(tmp_path.glob(f"pitwall-import-{os.getpid()}-*"))) == 2  # ours and the stage's


# --- the specs stay narrower than the models ------------------------------------------------

class _Checked(Team):
    @field_validator("name")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


class _Lax(Team):
    size: int | None = None


class _Long(Team):
    code: Annotated[str, Field(max_length=3)] | None = None


class _Stamped(Team):
    at: datetime | None = None


class _Strict(Team):
    model_config = ConfigDict(strict=True)


def test_a_model_the_sql_does_not_understand_is_left_to_pydantic() -> None:
    assert set(fast_models()) == set(EVENT_MODELS) - {"service"}  # repos and annotations are nested
    assert model_spec("team", Team) is not None
    for model in (_Checked, _Lax, _Long, _Stamped, _Strict):
        assert model_spec("team", model) is None, model.__name__
