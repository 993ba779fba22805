"""Writing result tables to stdout as a readable table, JSON or CSV."""
from __future__ import annotations

import json
import math
import re
import sys
from datetime import date, datetime
from typing import Any

import click
import pandas as pd

from dashboard.safe_csv import csv_line, neutralise

FORMATS = ("table", "json", "csv")

INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Control characters (a terminal would act on them: tab, carriage return, escape sequences) and
bidirectional overrides (they reorder what follows): shown escaped in tables."""

format_option = click.option("--format", "output_format", type=click.Choice(FORMATS), default="table",
                             show_default=True, help="Output format.")


def plain(value: Any) -> Any:
    """A JSON-ready value: numpy scalars to Python numbers, NaN to None, dates to ISO strings."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of `frame` as JSON-ready dicts, columns in order."""
    return [{column: plain(value) for column, value in zip(frame.columns, row)}
            for row in frame.itertuples(index=False, name=None)]


def write_json(document: dict[str, Any]) -> None:
    click.echo(json.dumps(document, indent=2, default=plain, allow_nan=False))


def write_csv(frame: pd.DataFrame) -> None:
    """CSV with a header row; unknown values are empty cells, numbers unrounded, text a
    spreadsheet would run as a formula quoted, line breaks in a cell quoted (dashboard.safe_csv)."""
    sys.stdout.write(csv_line(list(frame.columns)))
    for row in records(frame):
        sys.stdout.write(csv_line(["" if value is None else neutralise(value) for value in row.values()]))


def visible(text: str) -> str:
    """`text` with every INVISIBLE character written as its escape (`\\t`, `\\x1b`, `\\u202e`)."""
    return INVISIBLE.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


def _cell(value: Any) -> str:
    value = plain(value)
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return visible(str(value))


def write_table(frame: pd.DataFrame) -> None:
    """An aligned text table, numbers rounded to two decimals for reading, control characters of
    the data shown escaped (`visible`)."""
    if frame.empty:
        click.echo("(no rows)")
        return
    cells = [[_cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    headers = [visible(str(c)) for c in frame.columns]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths)))
    click.echo("  ".join("-" * w for w in widths))
    for row in cells:
        click.echo("  ".join(c.rjust(w) if c[:1].isdigit() or c[:1] == "-" else c.ljust(w)
                             for c, w in zip(row, widths)))
