"""CSV that a spreadsheet cannot mistake for formulas (CSV/formula injection), nor for more rows.

A text cell starting with one of FORMULA_PREFIXES gets a leading single quote. A cell holding a
line break of either kind (LF or a lone CR) is quoted: the csv module quotes only the characters
of its own line terminator, and a bare CR inside a cell would start a new row in a spreadsheet,
whose first cell would then escape the neutralising. Rows end with LF.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import pandas as pd

__all__ = ["FORMULA_PREFIXES", "neutralise", "csv_line", "to_safe_csv"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""A text cell starting with one of these is run as a formula by Excel, LibreOffice or Sheets."""


def neutralise(value: object) -> object:
    """`value` with a single quote in front when it is text a spreadsheet would run as a formula.

    Only text is touched: numbers (a negative number included) are data, not formulas.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_line(cells: Sequence[object]) -> str:
    """One CSV row ended by LF; a cell holding a CR or an LF is quoted."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue()[:-2] + "\n"


def to_safe_csv(frame: pd.DataFrame) -> bytes:
    """`frame` as UTF-8 CSV (header, no index), every text cell and header neutralised.

    pandas formats the values (its CRLF rows quote every line break), the csv module reads them
    back and `csv_line` writes each row.
    """
    safe = frame.rename(columns=lambda name: neutralise(str(name)))
    text_columns = [name for name in safe.columns if not pd.api.types.is_numeric_dtype(safe[name])]
    for name in text_columns:
        safe[name] = safe[name].map(neutralise)
    formatted = safe.to_csv(index=False, lineterminator="\r\n")
    return "".join(csv_line(row) for row in csv.reader(io.StringIO(formatted, newline=""))).encode("utf-8")
