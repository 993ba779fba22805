"""An NDJSON file as chunks of lines for DuckDB: Arrow string arrays over the file's own bytes.

Lines are split exactly as Python reads a file in binary mode (at b"\\n" only), so line numbers
match `ingest.events.read_events`. Each line keeps its line ending (JSON whitespace).
"""
from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

__all__ = ["LineChunk", "read_chunks", "read_ahead", "CHUNK_BYTES", "LINE_BITS"]

CHUNK_BYTES = 64 * 2**20
BATCH_ROWS = 16_384  # Arrow batches: DuckDB scans one batch per thread at a time
LINE_BITS = 40  # seq = file index << LINE_BITS | line number: file order, then line order


@dataclass(frozen=True)
class LineChunk:
    """Consecutive lines of one file: `body` holds them, line i is body[offsets[i]:offsets[i + 1]]."""

    file_index: int
    first_line: int
    body: bytes
    offsets: np.ndarray

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def raw(self, i: int) -> bytes:
        """Line i of the chunk, with its line ending."""
        return self.body[self.offsets[i]:self.offsets[i + 1]]

    def number(self, i: int) -> int:
        """The 1-based line number of line i in its file."""
        return self.first_line + i

    def seqs(self) -> np.ndarray:
        """The ordering key of each line across all files of an import."""
        return np.arange(len(self), dtype=np.int64) + ((self.file_index << LINE_BITS) + self.first_line)

    def table(self) -> pa.Table | None:
        """(seq, line) as an Arrow table over `body`, or None when it is not all UTF-8."""
        lines = pa.LargeStringArray.from_buffers(len(self), pa.py_buffer(self.offsets), pa.py_buffer(self.body))
        try:
            lines.validate(full=True)
        except pa.ArrowInvalid:
            return None
        table = pa.table({"seq": pa.array(self.seqs()), "line": lines})
        return pa.Table.from_batches(table.to_batches(max_chunksize=BATCH_ROWS))


def read_chunks(path: Path, file_index: int, size: int | None = None) -> Iterator[LineChunk]:
    """The lines of `path` in chunks of about `size` bytes (CHUNK_BYTES by default; a longer
    line makes a longer chunk)."""
    size = size or CHUNK_BYTES
    first_line = 1
    carry = b""
    with path.open("rb") as handle:
        while block := handle.read(size):
            data = carry + block
            cut = data.rfind(b"\n") + 1
            carry = data[cut:]
            if cut:
                chunk = _chunk(file_index, first_line, data[:cut])
                first_line += len(chunk)
                yield chunk
    if carry:
        yield _chunk(file_index, first_line, carry)


def read_ahead(chunks: Iterator[LineChunk]) -> Iterator[LineChunk]:
    """The chunks of `chunks`, each read by a helper thread while the caller works on the one
    before (reading a file and finding its lines mostly let go of the GIL, and so does DuckDB)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pitwall-read") as reader:
        ahead = reader.submit(next, chunks, None)
        while (chunk := ahead.result()) is not None:
            ahead = reader.submit(next, chunks, None)
            yield chunk


def _chunk(file_index: int, first_line: int, body: bytes) -> LineChunk:
    """The lines of `body`: each ends after a b"\\n", the last one possibly at the end of `body`."""
    ends = np.flatnonzero(np.frombuffer(body, dtype=np.uint8) == ord("\n")) + 1
    if not len(ends) or ends[-1] != len(body):
        ends = np.append(ends, len(body))
    offsets = np.concatenate([np.zeros(1, dtype=np.int64), ends.astype(np.int64)])
    return LineChunk(file_index, first_line, body, offsets)
