"""Loading the named SQL files of metrics/sql/."""
from __future__ import annotations

from functools import cache
from pathlib import Path

SQL_FOLDER = Path(__file__).parent / "sql"


@cache
def sql(name: str) -> str:
    """The text of metrics/sql/NAME.sql."""
    return (SQL_FOLDER / f"{name}.sql").read_text(encoding="utf-8")
