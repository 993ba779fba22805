"""An import's records staged in a private DuckDB before the warehouse is touched.

Lines are checked and extracted in SQL (`ingest.event_sql`) a chunk at a time; the lines the
SQL is unsure of are handed back to the caller, who judges them with the pydantic models and
stages the valid ones with `add_record`. Rows wait in one table per event type with their
`seq` (file, then line order); `finish` keeps the last line of each natural key, and `rows`
streams a table's rows out as Arrow batches for the warehouse to insert.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingest.event_sql import TYPES_QUERY, FastType, fast_types
from ingest.ndjson_chunks import LineChunk
from warehouse.db import QUIET
from warehouse.models import _Record
from warehouse.store import NATURAL_KEYS, TABLES, record_row

__all__ = ["EventStage"]

STAGE_MEMORY = "1500MB"  # beyond it the stage spills to its temporary folder
# Once staged, the rows are only streamed out: the warehouse, under its own limit, needs the room.
STAGED_MEMORY = "512MB"
BATCH_ROWS = 100_000
# Pushed below the projection, a filter would run json_transform once for every field it reads.
NO_PUSHDOWN = "filter_pushdown"
SPILL_PREFIX = "pitwall-import-"  # + the process id: what a killed import left is found and removed

# A key given more than once: every row but the one of its last line goes.
DROP_REPEATED = """
DELETE FROM {stage} USING (
    SELECT {key}, max(seq) AS keep FROM {stage} GROUP BY {key} HAVING count(*) > 1
) AS repeated WHERE {match} AND {stage}.seq <> repeated.keep
"""


def _first_type(chunk: LineChunk) -> str | None:
    """The `type` named by the first line of a chunk, if it is a JSON object naming one."""
    try:
        first = json.loads(chunk.raw(0))
    except (ValueError, RecursionError):  # ValueError: also a UnicodeDecodeError
        return None
    return first.get("type") if isinstance(first, dict) and isinstance(first.get("type"), str) else None


def _remove_abandoned_spills() -> None:
    """Remove the spill folders of imports whose process is gone (killed mid-import)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{SPILL_PREFIX}*-*"):
        pid = folder.name.removeprefix(SPILL_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


class EventStage:
    """The staged rows of one import; close it (or use it as a context manager) when done."""

    def __init__(self) -> None:
        _remove_abandoned_spills()
        self._spill = tempfile.TemporaryDirectory(prefix=f"{SPILL_PREFIX}{os.getpid()}-")
        self.con = duckdb.connect(config={"memory_limit": STAGE_MEMORY, "temp_directory": self._spill.name,
                                           "disabled_optimizers": NO_PUSHDOWN})
        self.con.execute(QUIET)
        self.fast: dict[str, FastType] = {fast.event_type: fast for fast in fast_types()}
        # Per type: its INSERT for a chunk of several types, then for a chunk of this type alone.
        self._inserts = {name: tuple(f"INSERT INTO {self.table(name)} {fast.checked_query(only_type=alone)}"
                                     for alone in (False, True)) for name, fast in self.fast.items()}
        self._pending: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.records: list[_Record] = []  # valid records of the types left to the models, in order
        self.lines = 0  # valid lines staged so far
        for name, fast in self.fast.items():
            columns = ", ".join(f"{column} {sql_type}" for column, sql_type, _ in fast.columns())
            self.con.execute(f"CREATE TABLE {self.table(name)} (seq BIGINT, {columns})")

    def __enter__(self) -> EventStage:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()
        self._spill.cleanup()

    @staticmethod
    def table(event_type: str) -> str:
        return f"stage_{event_type}"

    def add_chunk(self, chunk: LineChunk) -> np.ndarray:
        """Stage the lines the SQL accepts; return the indices (in the chunk) of the others.

        Files mostly hold one type: the lines are first taken as being of the type of the first
        line; only the lines that leaves are sorted by type.
        """
        lines = chunk.table()
        if lines is None:  # not all UTF-8: every line goes to the models, which name the bad byte
            return np.arange(len(chunk))
        guess = _first_type(chunk)
        if guess in self.fast:
            try:
                lines = self._stage(lines, [guess], alone=True)
            except duckdb.InvalidInputException:  # a line that is no JSON: left to the sorting
                pass
        if lines.num_rows:
            types = self._query(lines, TYPES_QUERY)
            lines = self._stage(lines, [t for t, _ in types if t in self.fast], alone=len(types) == 1)
        return lines.column("seq").to_numpy() - int(chunk.seqs()[0])

    def _stage(self, lines: pa.Table, event_types: list[str], *, alone: bool) -> pa.Table:
        """Stage the lines of these types the SQL accepts (`alone`: every line names the one
        type given); return the other lines."""
        staged = sum(self._query(lines, self._inserts[event_type][alone])[0][0] for event_type in event_types)
        self.lines += staged
        if staged == lines.num_rows:
            return lines.slice(0, 0)
        seqs = lines.column("seq")
        taken = " UNION ALL ".join(f"SELECT seq FROM {self.table(event_type)} WHERE seq BETWEEN $first AND $last"
                                   for event_type in event_types)
        if not taken:
            return lines
        query = f"SELECT seq FROM pitwall_chunk WHERE seq NOT IN ({taken}) ORDER BY seq"
        first, last = pc.min_max(seqs).values()
        rest = self._query(lines, query, {"first": first.as_py(), "last": last.as_py()})
        return lines.take(np.searchsorted(seqs.to_numpy(), [seq for seq, in rest]))

    def _query(self, lines: pa.Table, query: str, parameters: dict[str, int] | None = None) -> list[tuple[Any, ...]]:
        """The rows of `query` over `lines` as `pitwall_chunk`."""
        self.con.register("pitwall_chunk", lines)
        try:
            return self.con.execute(query, parameters or {}).fetchall()
        finally:
            self.con.unregister("pitwall_chunk")

    def add_record(self, seq: int, record: _Record) -> None:
        """Stage a record the models validated (flushed with `flush`)."""
        self.lines += 1
        if record.type in self.fast:
            self._pending[record.type].append({"seq": seq, **record_row(record)})
        else:
            self.records.append(record)

    def flush(self) -> None:
        """Write the records added since the last flush into their stage tables."""
        for event_type, rows in self._pending.items():
            columns = self.fast[event_type].columns()
            if set(rows[0]) != {"seq", *(name for name, _, _ in columns)}:
                raise RuntimeError(f"{event_type}: the stored row does not match the staged columns")
            self.con.register("pitwall_records", pa.Table.from_pylist(rows))
            casts = ", ".join(f"CAST({name} AS {sql_type})" for name, sql_type, _ in columns)
            self.con.execute(f"INSERT INTO {self.table(event_type)} SELECT seq, {casts} FROM pitwall_records")
            self.con.unregister("pitwall_records")
        self._pending.clear()

    def finish(self) -> dict[str, int]:
        """Keep the last line of each natural key; return the rows left per staged type."""
        self.flush()
        counts = {}
        for event_type in self.fast:
            stage, table = self.table(event_type), TABLES[event_type]
            key = NATURAL_KEYS[table]
            match = " AND ".join(f"{stage}.{k} = repeated.{k}" for k in key)
            self.con.execute(DROP_REPEATED.format(stage=stage, key=", ".join(key), match=match))
            counts[event_type] = self.con.execute(f"SELECT count(*) FROM {stage}").fetchall()[0][0]
        self.con.execute(f"SET memory_limit = '{STAGED_MEMORY}'")
        return {event_type: count for event_type, count in counts.items() if count}

    def columns(self, event_type: str) -> list[str]:
        """The columns staged for a type."""
        return [name for name, _, _ in self.fast[event_type].columns()]

    def rows(self, event_type: str, columns: list[str]) -> pa.RecordBatchReader:
        """The staged rows of a type (the named columns) as a stream of Arrow batches."""
        select = ", ".join(columns)
        return self.con.sql(f"SELECT {select} FROM {self.table(event_type)}").to_arrow_reader(BATCH_ROWS)
