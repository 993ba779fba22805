"""Composing named SQL files into one query, and running it with exactly the parameters it uses."""
from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import duckdb
import pandas as pd

from metrics.settings import MetricsSettings
from metrics.sql_files import sql

__all__ = ["Relation", "compose", "run", "devex_session"]

PARAMETER = re.compile(r"\$(\w+)")
COMMENT = re.compile(r"--[^\n]*")


Relation = str | tuple[str, str]
"""A relation for `compose`: NAME (the text of metrics/sql/NAME.sql), or (name, SQL text)."""


def compose(query: str, relations: Sequence[Relation]) -> str:
    """`query` (SQL text) with `relations` in scope, in order (each may use the ones before it)."""
    if not relations:
        return query
    named = [(relation, sql(relation)) if isinstance(relation, str) else relation for relation in relations]
    scope = ",\n".join(f"{name} AS (\n{text}\n)" for name, text in named)
    return f"WITH {scope}\nSELECT * FROM (\n{query}\n)"


def run(con: duckdb.DuckDBPyConnection, text: str, parameters: dict[str, Any]) -> pd.DataFrame:
    """Execute `text` with the `parameters` it names (DuckDB refuses unused ones)."""
    used = set(PARAMETER.findall(COMMENT.sub("", text)))
    missing = used - parameters.keys()
    if missing:
        raise KeyError(f"query parameters not given: {', '.join(sorted(missing))}")
    return con.execute(text, {name: value for name, value in parameters.items() if name in used}).df()


@contextmanager
def devex_session(con: duckdb.DuckDBPyConnection, settings: MetricsSettings) -> Iterator[None]:
    """The developer-experience macros (devex_macros.sql) and relation settings_people(person, team),
    the team membership of `settings`, in scope on `con` while inside."""
    con.execute(sql("devex_macros"))
    people = pd.DataFrame(settings.membership, columns=["person", "team"]).astype("string")
    con.register("settings_people", people)
    try:
        yield
    finally:
        con.unregister("settings_people")
