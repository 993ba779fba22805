"""Hostile and broken event files (tests/corpus/events/) through the real `pitwall import`.

Every case is refused with exit 2 and one line naming `file:line` and what is wrong, and leaves
the warehouse as it was. Hostile but valid input (tests/corpus/accepted/: right-to-left,
zero-width, emoji and NUL characters, SQL and HTML in names, the first and last instants a
timestamp can hold) is imported exactly, and the metrics run over it.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from corpus_support import CORPUS, Case, assert_refused, build_base, cases, copy_of, run_case

from helpers import run_pitwall

HUGE = 10 * 1024 * 1024


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_base(tmp_path_factory.mktemp("base"))


@pytest.mark.parametrize("case", cases("events"), ids=lambda case: case.name)
def test_a_bad_event_file_is_refused_with_one_line_and_changes_nothing(base: Path, tmp_path: Path,
                                                                       case: Case) -> None:
    result = run_case(base, tmp_path, "import", str(case.path))
    assert_refused(result, str(case.path), case.name + case.expect)


def test_a_10_mb_line_is_refused_with_a_short_line(base: Path, tmp_path: Path) -> None:
    """A 10 MB field name: the message shows its start, not the 10 MB."""
    path = tmp_path / "huge.ndjson"
    path.write_text(json.dumps({"type": "team", "id": "t", "name": "T", "x" * HUGE: 1}) + "\n", encoding="utf-8")
    result = run_case(base, tmp_path, "import", str(path))
    assert_refused(result, str(path), f"huge.ndjson:1: team: unknown field '{'x' * 57}...'")


def test_a_good_file_named_with_a_bad_one_is_not_imported_either(base: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.ndjson"
    good.write_text(json.dumps({"type": "team", "id": "sre", "name": "SRE"}) + "\n", encoding="utf-8")
    bad = CORPUS / "events" / "truncated-json.ndjson"
    result = run_case(base, tmp_path, "import", str(good), str(bad))
    assert_refused(result, str(bad), "truncated-json.ndjson:2: not valid JSON")


# --- hostile but valid: imported exactly ---------------------------------------------------------

def test_hostile_characters_in_valid_values_are_stored_exactly(base: Path, tmp_path: Path) -> None:
    path = CORPUS / "accepted" / "unicode-values.ndjson"
    db = copy_of(base, tmp_path)
    result = run_pitwall("--db", str(db), "import", str(path), cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    given = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    with duckdb.connect(str(db), read_only=True) as con:
        stored = con.execute("SELECT id, name, parent FROM teams WHERE source = 'import' AND id NOT IN "
                             "('payments', 'search') ORDER BY id").fetchall()
    assert stored == sorted((team["id"], team["name"], team["parent"]) for team in given)


def test_the_first_and_last_instants_are_stored_and_the_metrics_run_over_them(base: Path, tmp_path: Path) -> None:
    path = CORPUS / "accepted" / "extreme-valid-timestamps.ndjson"
    db = copy_of(base, tmp_path)
    result = run_pitwall("--db", str(db), "import", str(path), cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        incidents = con.execute("SELECT id, started_at, resolved_at FROM incidents WHERE id IN "
                                "('first-instant', 'last-instant', 'late-offset') ORDER BY id").fetchall()
    assert incidents == [
        ("first-instant", datetime(1, 1, 1, tzinfo=UTC), datetime(1, 1, 1, 0, 30, tzinfo=UTC)),
        ("last-instant", datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), None),
        ("late-offset", datetime(9999, 12, 31, 22, tzinfo=UTC), None),
    ]
    dora = run_pitwall("--db", str(db), "metrics", "dora", "--since", "9999-01-01", "--until", "9999-12-31",
                       "--format", "json", cwd=tmp_path)
    assert dora.returncode == 0, dora.stderr
    rows = json.loads(dora.stdout)
    assert [(row["group"], row["deployments"]) for row in rows["rows"]] == [("all", 1)]
