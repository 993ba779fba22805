"""Property-based tests (hypothesis) of the event parser: `parse_line` and `read_events`.

They pin what the importer promises, whatever its internals:
(a) any valid event of the nine types, written as one JSON line, parses to a record holding
    exactly its values (timestamps as the same instants, in UTC; absent optionals None);
(b) any line of text or bytes gives a record or a ValueError with a one-line reason, nothing else;
(c) a valid event with one mutation (required field removed, unknown field added, a field of the
    wrong JSON type, the offset stripped from a timestamp) is refused with a reason naming the field;
(d) reading a file gives, line by line, what `parse_line` gives for each line.
Runs are derandomized (the same examples every run) so CI is deterministic.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ingest.events import parse_line, read_events

PROPERTIES = settings(derandomize=True, database=None, deadline=None, max_examples=100,
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# --- field kinds: how to generate a valid value, and values of the wrong JSON type ----------

TEXT = st.text(min_size=1, max_size=12)
OPTIONAL_TEXT = st.none() | st.text(max_size=12)
OFFSETS = st.integers(min_value=-18 * 60, max_value=18 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))
# A plausible span of delivery history: the parser's range limits are pinned elsewhere.
INSTANTS = st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 12, 31), timezones=OFFSETS)


@dataclass(frozen=True)
class Kind:
    """A field's kind: a strategy of valid values and a strategy of values of a wrong JSON type."""

    valid: st.SearchStrategy[Any]
    wrong: st.SearchStrategy[Any]
    timestamp: bool = False


_NOT_STRING = st.integers() | st.floats(allow_nan=False) | st.booleans() | st.just([]) | st.just({})
# Integral floats (7.0) are left out: whether they count as integers is not pinned here.
_NOT_NUMBER = (st.text(max_size=5) | st.floats(allow_nan=False).filter(lambda x: not x.is_integer())
               | st.booleans() | st.just([1]) | st.just({}))
_NOT_LIST = st.text(max_size=5) | st.integers() | st.booleans() | st.just({})
_NOT_OBJECT = st.text(max_size=5) | st.integers() | st.booleans() | st.just(["a"])

STRING = Kind(TEXT, _NOT_STRING)
TIMESTAMP = Kind(INSTANTS, st.integers() | st.floats(allow_nan=False) | st.booleans() | st.just([]) | st.just({}),
                 timestamp=True)
BIGINT = Kind(st.integers(min_value=-(2**63), max_value=2**63 - 1), _NOT_NUMBER)
COUNT = Kind(st.integers(min_value=0, max_value=2**63 - 1), _NOT_NUMBER)
ATTEMPT = Kind(st.integers(min_value=1, max_value=2**63 - 1), _NOT_NUMBER)
BOOLEAN = Kind(st.booleans(), st.integers() | st.text(max_size=5) | st.just([]))
TEXT_LIST = Kind(st.lists(TEXT, max_size=3), _NOT_LIST)
STRING_LIST = Kind(st.lists(st.text(max_size=8), max_size=3), _NOT_LIST)
STRING_MAP = Kind(st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=3), _NOT_OBJECT)
REPO_LINKS = Kind(st.lists(st.fixed_dictionaries({"repo": TEXT}, optional={"path": OPTIONAL_TEXT}), max_size=3),
                  _NOT_LIST)
CAUSED_BY = Kind(st.fixed_dictionaries({}, optional={"deployment": OPTIONAL_TEXT, "sha": OPTIONAL_TEXT}),
                 _NOT_OBJECT)


def choice(*values: str) -> Kind:
    """A field holding one of `values`."""
    return Kind(st.sampled_from(values), st.integers() | st.just(list(values)) | st.booleans())


@dataclass(frozen=True)
class EventType:
    """One event type of docs/events.md: its required and optional fields by kind."""

    required: dict[str, Kind]
    optional: dict[str, Kind]
    # Cross-field rule: (earlier field, later field) that must be in order when both are given.
    ordered: tuple[str, str] | None = None

    def fields(self) -> dict[str, Kind]:
        return {**self.required, **self.optional}


OPTIONAL_STRING = Kind(st.text(max_size=12), _NOT_STRING)
EVENT_TYPES: dict[str, EventType] = {
    "team": EventType({"id": STRING, "name": STRING}, {"parent": OPTIONAL_STRING}),
    "service": EventType({"id": STRING, "name": STRING}, {
        "team": OPTIONAL_STRING, "lifecycle": OPTIONAL_STRING, "tier": OPTIONAL_STRING, "repos": REPO_LINKS,
        "annotations": STRING_MAP}),
    "repo": EventType({"id": STRING}, {"provider": OPTIONAL_STRING, "default_branch": OPTIONAL_STRING,
                                       "url": OPTIONAL_STRING}),
    "commit": EventType({"repo": STRING, "sha": STRING, "authored_at": TIMESTAMP}, {
        "committed_at": TIMESTAMP, "author": OPTIONAL_STRING, "parents": TEXT_LIST,
        "pull_request": OPTIONAL_STRING, "message": OPTIONAL_STRING, "files": TEXT_LIST}),
    "pull_request": EventType({"id": STRING, "repo": STRING, "number": BIGINT, "author": STRING,
                               "created_at": TIMESTAMP}, {
        "title": OPTIONAL_STRING, "ready_at": TIMESTAMP, "merged_at": TIMESTAMP, "closed_at": TIMESTAMP,
        "base_branch": OPTIONAL_STRING, "merge_commit_sha": OPTIONAL_STRING, "additions": COUNT,
        "deletions": COUNT, "labels": STRING_LIST, "draft": BOOLEAN}),
    "review": EventType({"id": STRING, "pull_request": STRING, "reviewer": STRING,
                         "state": choice("approved", "changes_requested", "commented", "dismissed"),
                         "submitted_at": TIMESTAMP}, {}),
    "deployment": EventType({"id": STRING, "repo": STRING, "environment": STRING, "sha": STRING,
                             "status": choice("success", "failure", "error", "cancelled"),
                             "finished_at": TIMESTAMP}, {
        "service": OPTIONAL_STRING, "started_at": TIMESTAMP, "commits": TEXT_LIST},
        ordered=("started_at", "finished_at")),
    "incident": EventType({"id": STRING, "started_at": TIMESTAMP}, {
        "resolved_at": TIMESTAMP, "service": OPTIONAL_STRING, "repo": OPTIONAL_STRING, "title": OPTIONAL_STRING,
        "severity": OPTIONAL_STRING, "caused_by": CAUSED_BY, "labels": STRING_LIST},
        ordered=("started_at", "resolved_at")),
    "pipeline_run": EventType({"id": STRING, "repo": STRING, "workflow": STRING, "status": STRING,
                               "started_at": TIMESTAMP}, {
        "sha": OPTIONAL_STRING, "branch": OPTIONAL_STRING, "event": OPTIONAL_STRING, "finished_at": TIMESTAMP,
        "attempt": ATTEMPT}),
}
# Nested objects: their fields as the record gives them back (absent ones None).
NESTED_DEFAULTS = {"repos": {"path": None}, "caused_by": {"deployment": None, "sha": None}}


@st.composite
def events(draw: Callable, kinds: tuple[str, ...] = tuple(EVENT_TYPES)) -> tuple[str, dict[str, Any]]:
    """(type, fields) of a valid event: timestamps as aware datetimes; optionals absent, null or set."""
    name = draw(st.sampled_from(kinds))
    spec = EVENT_TYPES[name]
    fields = {field: draw(kind.valid) for field, kind in spec.required.items()}
    for field, kind in spec.optional.items():
        presence = draw(st.sampled_from(["absent", "null", "set"]))
        if presence != "absent":
            fields[field] = draw(kind.valid) if presence == "set" else None
    source = draw(st.sampled_from(["absent", "null", "set"]))
    if source != "absent":
        fields["source"] = draw(TEXT) if source == "set" else None
    if spec.ordered:
        first, second = spec.ordered
        if fields.get(first) is not None and fields.get(second) is not None and fields[first] > fields[second]:
            fields[first], fields[second] = fields[second], fields[first]
    return name, fields


def to_json(value: Any, *, strip_offset: bool = False) -> Any:
    """A field value as JSON: datetimes as ISO 8601 with their offset ('Z' for UTC, at random
    only by the value), or without it when `strip_offset`."""
    if isinstance(value, datetime):
        if strip_offset:
            return value.replace(tzinfo=None).isoformat()
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") and value.microsecond % 2 else text
    return value


def line(name: str, fields: dict[str, Any], ensure_ascii: bool = True) -> str:
    """The event as one NDJSON line."""
    return json.dumps({"type": name, **{k: to_json(v) for k, v in fields.items()}}, ensure_ascii=ensure_ascii)


def expected_record(name: str, fields: dict[str, Any]) -> dict[str, Any]:
    """What the record must hold: every field of the type, absent ones None, source 'import' by default."""
    spec = EVENT_TYPES[name]
    expected: dict[str, Any] = {field: None for field in spec.fields()}
    expected.update({field: value for field, value in fields.items() if field != "source"})
    expected["source"] = fields.get("source") or "import"
    expected["type"] = name
    for field, defaults in NESTED_DEFAULTS.items():
        value = expected.get(field)
        if isinstance(value, list):
            expected[field] = [{**defaults, **item} for item in value]
        elif isinstance(value, dict):
            expected[field] = {**defaults, **value}
    return expected


def assert_one_line_reason(message: str) -> None:
    """A reason the terminal prints as exactly one non-empty line."""
    assert message.strip(), "empty reason"
    assert len(message.splitlines()) == 1, f"reason spans several lines: {message!r}"
    assert "Traceback" not in message


def names(message: str, field: str) -> bool:
    """Whether `message` names `field` (as a whole name, not as part of a longer one)."""
    return re.search(rf"(?<![\w.]){re.escape(field)}(?!\w)", message) is not None


# --- (a) round trip ----------------------------------------------------------------------------

@PROPERTIES
@given(event=events(), ensure_ascii=st.booleans())
def test_a_valid_event_round_trips_to_an_equal_record(event: tuple[str, dict[str, Any]], ensure_ascii: bool) -> None:
    name, fields = event
    record = parse_line(line(name, fields, ensure_ascii))
    stored = record.model_dump()
    assert stored == expected_record(name, fields)
    for field, kind in EVENT_TYPES[name].fields().items():
        if kind.timestamp and stored[field] is not None:
            assert stored[field].utcoffset() == timedelta(0), f"{field} not normalised to UTC"
            assert stored[field] == fields[field]  # the same instant


@PROPERTIES
@given(instant=INSTANTS)
def test_timestamps_become_the_same_instant_in_utc(instant: datetime) -> None:
    record = parse_line(json.dumps({"type": "incident", "id": "i", "started_at": instant.isoformat()}))
    started = record.model_dump()["started_at"]
    assert started.utcoffset() == timedelta(0)
    assert started.replace(tzinfo=None) == instant.astimezone(UTC).replace(tzinfo=None)


# --- (b) any line: a record or a one-line ValueError -------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=10,
)


@st.composite
def event_like_lines(draw: Callable) -> str:
    """Objects with a real `type` and random other fields: they reach the model validation."""
    name = draw(st.sampled_from([*EVENT_TYPES, "Team", "", "deploy"]))
    base = dict(draw(events(kinds=(name,)))[1]) if name in EVENT_TYPES else {}
    extra = draw(st.dictionaries(st.sampled_from([*EVENT_TYPES.get(name, EVENT_TYPES["team"]).fields(), "source",
                                                  "x", "finshed_at", "a\nb", "\u202e"]), JSON_VALUES, max_size=3))
    return json.dumps({"type": name, **{k: to_json(v) for k, v in base.items()}, **extra})


HOSTILE_LINES = [
    "[" * 100_000,  # nested deeper than any parser recursion limit
    '{"a":' * 50_000 + "1" + "}" * 50_000,
    '{"type": "team", "id": "t", "name": "\\ud800"}',  # a lone surrogate
    '{"type": "team", "id": "t", "name": "T", "parent": "\\u0000"}',
    '{"type": "pull_request", "id": "p", "repo": "r", "number": 1e400, "author": "a", '
    '"created_at": "2026-03-01T10:00:00Z"}',
    '{"type": "pull_request", "id": "p", "repo": "r", "number": 1180591620717411303424, "author": "a", '
    '"created_at": "2026-03-01T10:00:00Z"}',
    '{"type": "incident", "id": "i", "started_at": "0001-01-01T00:00:00+01:00"}',
    '{"type": "incident", "id": "i", "started_at": "9999-12-31T23:59:59-01:00"}',
    '{"type": "incident", "id": "i", "started_at": "+10000-01-01T00:00:00Z"}',
    '{"type": "incident", "id": "i", "started_at": "-0001-01-01T00:00:00Z"}',
    '{"type": "team", "id": "t", "name": "T", "line\\nbreak": 1}',
    '{"type": "team", "id": "t", "name": "T", "\u2028": 1}',
    '{"type": "team", "id": "t", "name": "T", "parent": {"\u2029": [1]}}',
    '{"type": "team", "id": "t", "name": "T", "id": "u"}',
    "NaN", "Infinity", "-Infinity", "null", "[]", "\ufeff{}", "{}",
]


@PROPERTIES
@given(text=st.text(max_size=80) | event_like_lines() | JSON_VALUES.map(json.dumps))
@example(text="")
def test_any_line_gives_a_record_or_a_one_line_value_error(text: str) -> None:
    check_any_line(text)


@pytest.mark.parametrize("text", HOSTILE_LINES, ids=range(len(HOSTILE_LINES)))
def test_hostile_lines_give_a_record_or_a_one_line_value_error(text: str) -> None:
    check_any_line(text)


def check_any_line(text: str) -> None:
    try:
        parse_line(text)
    except ValueError as error:
        assert_one_line_reason(str(error))


@PROPERTIES
@given(data=st.binary(max_size=60) | event_like_lines().map(str.encode).map(lambda b: b[: len(b) // 2] + b"\xff"))
def test_any_bytes_read_from_a_file_give_records_or_one_line_reasons(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "bytes.ndjson"
    path.write_bytes(data)
    for number, outcome in read_events(path):
        assert number >= 1
        if isinstance(outcome, str):
            assert_one_line_reason(outcome)


# --- (c) one mutation: refused, naming the field -----------------------------------------------

@st.composite
def mutations(draw: Callable) -> tuple[str, str, str]:
    """(line, field, what was done) of a valid event with exactly one thing made wrong."""
    name, fields = draw(events())
    spec = EVENT_TYPES[name]
    document: dict[str, Any] = {"type": name, **fields}
    timestamps = [f for f, kind in spec.fields().items() if kind.timestamp and fields.get(f) is not None]
    mutation = draw(st.sampled_from(["remove", "add", "retype", "strip_offset"] if timestamps
                                    else ["remove", "add", "retype"]))
    if mutation == "remove":
        field = draw(st.sampled_from(["type", *spec.required]))
        del document[field]
    elif mutation == "add":
        field = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)
                     .filter(lambda f: f not in spec.fields() and f not in ("type", "source")))
        document[field] = draw(JSON_VALUES)
    elif mutation == "retype":
        field = draw(st.sampled_from([f for f in document if f != "type"]))
        kind = STRING if field == "source" else spec.fields()[field]
        wrong = kind.wrong | st.none() if field in spec.required else kind.wrong
        document[field] = draw(wrong)
    else:
        field = draw(st.sampled_from(timestamps))
        return json.dumps({k: to_json(v, strip_offset=k == field) for k, v in document.items()}), field, mutation
    return json.dumps({k: to_json(v) for k, v in document.items()}), field, mutation


@PROPERTIES
@given(mutated=mutations())
def test_one_mutation_is_refused_naming_the_field(mutated: tuple[str, str, str]) -> None:
    text, field, mutation = mutated
    with pytest.raises(ValueError) as refused:
        parse_line(text)
    message = str(refused.value)
    assert_one_line_reason(message)
    assert names(message, field), f"{mutation} of {field!r}: {message!r}"
    if mutation == "strip_offset":
        assert "offset" in message


# --- (d) a file reads as its lines parse --------------------------------------------------------

@PROPERTIES
@given(lines=st.lists(events().map(lambda e: line(*e)) | st.sampled_from(["", "  ", "{", '{"type": "x"}', "[]"]),
                      max_size=6),
       crlf=st.booleans(), bom=st.booleans())
def test_reading_a_file_gives_what_each_line_parses_to(tmp_path: Path, lines: list[str], crlf: bool,
                                                       bom: bool) -> None:
    path = tmp_path / "events.ndjson"
    ending = "\r\n" if crlf else "\n"
    path.write_bytes((("\ufeff" if bom else "") + "".join(text + ending for text in lines)).encode())
    expected: list[tuple[int, Any]] = []
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            expected.append((number, parse_line(text)))
        except ValueError as error:
            expected.append((number, str(error)))
    assert list(read_events(path)) == expected
