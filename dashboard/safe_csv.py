"""CSV export that a spreadsheet cannot mistake for formulas (CSV/formula injection)."""
from __future__ import annotations

import pandas as pd

__all__ = ["FORMULA_PREFIXES", "neutralise", "to_safe_csv"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""A text cell starting with one of these is run as a formula by Excel, LibreOffice or Sheets."""


def neutralise(value: object) -> object:
    """`value` with a single quote in front when it is text a spreadsheet would run as a formula.

    Only text is touched: numbers (a negative number included) are data, not formulas.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def to_safe_csv(frame: pd.DataFrame) -> bytes:
    """`frame` as UTF-8 CSV (header, no index), every text cell and header neutralised."""
    safe = frame.rename(columns=lambda name: neutralise(str(name)))
    text_columns = [name for name in safe.columns if not pd.api.types.is_numeric_dtype(safe[name])]
    for name in text_columns:
        safe[name] = safe[name].map(neutralise)
    return safe.to_csv(index=False, lineterminator="\n").encode("utf-8")
