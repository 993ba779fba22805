"""Import of canonical NDJSON event files (`pitwall import FILE...`).

Every line is validated against the canonical models before anything is written; a file with
one bad line is rejected whole, and so is the whole command (all files or none).

For speed the lines are checked and extracted in bulk by DuckDB SQL generated from the models
(`ingest.event_fields`, `ingest.event_sql`) and staged in a private DuckDB (`ingest.event_stage`)
before the warehouse is opened; the SQL accepts only what the models accept with the same values,
and hands every other line to `parse_line`, so the records and the reasons are the models'.
"""
from __future__ import annotations

import difflib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import duckdb
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from ingest.event_stage import EventStage
from ingest.ndjson_chunks import read_ahead, read_chunks
from warehouse.models import EVENT_MODELS, _Record
from warehouse.store import TABLES, delete_source, replace_rows, table_columns, upsert_records
from warehouse.transaction import transaction

__all__ = [
    "BadEvents", "CheckedFiles", "ImportSummary", "parse_line", "read_events", "line_outcome", "validate_files",
    "write_records", "import_files", "MAX_REPORTED",
]

MAX_REPORTED = 20


class BadEvents(Exception):
    """Input files hold bad lines; `messages` has up to MAX_REPORTED `file:line: reason` lines."""

    def __init__(self, messages: list[str], total: int):
        super().__init__(messages[0] if messages else "bad input")
        self.messages = messages
        self.total = total


@dataclass
class ImportSummary:
    """What an import wrote: records per event type, and the files read."""

    files: int = 0
    lines: int = 0
    by_type: Counter = field(default_factory=Counter)

    def line(self) -> str:
        """One-line summary for the terminal; a record given twice is written once (the last)."""
        counts = ", ".join(f"{n} {t}" for t, n in sorted(self.by_type.items())) or "nothing"
        written = sum(self.by_type.values())
        replaced = self.lines - written
        note = f" ({replaced} repeated record(s) replaced by a later line)" if replaced else ""
        return f"imported {written} records from {self.files} file(s): {counts}{note}"


MAX_PROBLEMS_PER_LINE = 3


def _describe(error: ValidationError, model: type[_Record]) -> str:
    """The problems of a validation error as one short reason naming each field.

    Unknown fields come first: a misspelt field also makes the real one "missing", and the
    typo is the thing to fix.
    """
    event_type = model.model_fields["type"].default
    problems = sorted(error.errors(), key=lambda problem: problem["type"] != "extra_forbidden")
    reasons = [_problem(problem, model) for problem in problems[:MAX_PROBLEMS_PER_LINE]]
    if len(problems) > MAX_PROBLEMS_PER_LINE:
        reasons.append(f"{len(problems) - MAX_PROBLEMS_PER_LINE} more problem(s)")
    return f"{event_type}: " + "; ".join(reasons)


def _problem(problem: ErrorDetails, model: type[_Record]) -> str:
    """One pydantic error as a reason: the field's dotted path, what is wrong, what was given."""
    where = _printable(".".join(str(part) for part in problem["loc"]))
    kind = problem["type"]
    if kind == "missing":
        return f"missing required field '{where}'"
    if kind == "extra_forbidden":
        top_level = len(problem["loc"]) == 1  # nested typos (caused_by.deploy) get no suggestion
        close = difflib.get_close_matches(where, list(model.model_fields), n=1) if top_level else []
        return f"unknown field '{where}'" + (f" (did you mean '{close[0]}'?)" if close else "")
    message = problem["msg"].removeprefix("Value error, ")
    if not where:
        return message
    got = problem.get("input")
    shown = "" if isinstance(got, (dict, list)) or "got" in message else f" (got {_shown(got)})"
    return f"field '{where}': {message}{shown}"


def _printable(text: str) -> str:
    """`text` for a reason: JSON-escaped unless printable, so a reason stays one line on a
    terminal (no line breaks, no right-to-left or zero-width tricks), and cut short."""
    text = text if text.isprintable() else json.dumps(text)[1:-1]
    return text if len(text) <= 60 else text[:57] + "..."


def _shown(value: object) -> str:
    """A given value as JSON, cut short for the message."""
    text = json.dumps(value, ensure_ascii=False)
    text = text if text.isprintable() else json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


_JSON_KINDS = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "a boolean"}


def _object_without_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """json.loads hook: a field given twice in one object is bad input (one value would vanish)."""
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise ValueError(f"field {json.dumps(key)} given twice")
        seen.add(key)
    return dict(pairs)


def parse_line(text: str) -> _Record:
    """Validate one NDJSON line into its canonical record; ValueError names what is wrong."""
    try:
        data = json.loads(text, object_pairs_hook=_object_without_duplicates)
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON: {error.msg.removesuffix(' at')} at column {error.colno}") from None
    except RecursionError:
        raise ValueError("not valid JSON: nested too deeply") from None
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object, got {_JSON_KINDS.get(type(data), 'null')}")
    event_type = data.get("type")
    if event_type is None:
        raise ValueError("missing field 'type'")
    model = EVENT_MODELS.get(event_type) if isinstance(event_type, str) else None
    if model is None:
        raise ValueError(f"unknown type {json.dumps(event_type)} (expected one of {', '.join(EVENT_MODELS)})")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ValueError(_describe(error, model)) from None


def read_events(path: Path, on_line: Callable[[int], None] | None = None) -> Iterator[tuple[int, _Record | str]]:
    """Yield (line number, record) or (line number, error reason) for each non-blank line."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if on_line is not None:
                on_line(len(raw))
            outcome = line_outcome(number, raw)
            if outcome is not None:
                yield number, outcome


def line_outcome(number: int, raw: bytes) -> _Record | str | None:
    """One raw line (with its line ending) as its record, its error reason, or None when blank."""
    try:
        # A leading BOM is fine; the line ending goes, so JSON errors point into the line.
        text = raw.decode("utf-8-sig" if number == 1 else "utf-8").rstrip("\r\n")
    except UnicodeDecodeError as error:
        return f"not UTF-8 text (byte {error.start + 1} of the line)"
    if not text.strip():
        return None
    try:
        return parse_line(text)
    except ValueError as error:
        return str(error)


@dataclass
class CheckedFiles:
    """Files whose every line is valid, their records staged (`ingest.event_stage`) for writing.

    Close it (or use it as a context manager) once written; `write_records` does not.
    """

    paths: list[Path]
    stage: EventStage
    rows: dict[str, int]  # staged rows per event type, a repeated record counted once

    def __enter__(self) -> CheckedFiles:
        return self

    def __exit__(self, *_: object) -> None:
        self.stage.close()


def validate_files(paths: Iterable[Path], on_line: Callable[[int], None] | None = None) -> CheckedFiles:
    """Check every line of `paths` and stage their records, or raise BadEvents listing the
    first MAX_REPORTED bad lines. `on_line(n)` is told of each n bytes read.

    The lines are checked in SQL a chunk at a time; a line the SQL is not sure of is judged by
    the models (`line_outcome`), so every reason is the one `parse_line` gives.
    """
    paths = list(paths)
    stage = EventStage()
    try:
        messages: list[str] = []
        bad = 0
        for index, path in enumerate(paths):
            if not path.is_file():
                raise BadEvents([f"{path}: no such file"], 1)
            for chunk in read_ahead(read_chunks(path, index)):
                seqs = chunk.seqs()
                for i in stage.add_chunk(chunk):
                    outcome = line_outcome(chunk.number(i), chunk.raw(i))
                    if isinstance(outcome, str):
                        bad += 1
                        if len(messages) < MAX_REPORTED:
                            messages.append(f"{path}:{chunk.number(i)}: {outcome}")
                    elif outcome is not None and not bad:
                        stage.add_record(int(seqs[i]), outcome)
                stage.flush()
                if on_line is not None:
                    on_line(len(chunk.body))
        if bad:
            raise BadEvents(messages, bad)
        return CheckedFiles(paths, stage, stage.finish())
    except BaseException:
        stage.close()
        raise


def write_records(con: duckdb.DuckDBPyConnection, checked: CheckedFiles, *,
                  replace_source: str | None = None) -> ImportSummary:
    """Write the checked files' records in one transaction (all or nothing) and log the run.

    A record given twice is written once (the last line); a record whose natural key is in the
    warehouse replaces the row. With `replace_source`, every row of that source is deleted
    first, in the same transaction: the records then replace that source's data whole (what
    `pitwall demo` does).
    """
    stage = checked.stage
    summary = ImportSummary(files=len(checked.paths), lines=stage.lines)
    with transaction(con):
        if replace_source is not None:
            delete_source(con, replace_source)
        summary.by_type.update(upsert_records(con, stage.records))
        for event_type, count in checked.rows.items():
            table = TABLES[event_type]
            if sorted(name for name, _ in table_columns(con, table)) != sorted(stage.columns(event_type)):
                raise RuntimeError(f"{table}: the warehouse columns are not the fields of {event_type}")
            replace_rows(con, table, partial(stage.rows, event_type))
            summary.by_type[event_type] += count
        con.execute(
            "INSERT INTO ingest_runs VALUES (?, ?, now(), ?)",
            [replace_source or "import", ", ".join(p.name for p in checked.paths)[:500], stage.lines],
        )
    return summary


def import_files(con: duckdb.DuckDBPyConnection, paths: list[Path],
                 on_line: Callable[[int], None] | None = None, *,
                 replace_source: str | None = None) -> ImportSummary:
    """Validate every file, then write all records in one transaction (all or nothing)."""
    with validate_files(paths, on_line) as checked:
        return write_records(con, checked, replace_source=replace_source)
