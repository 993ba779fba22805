"""What every command shares: the warehouse path and how to open it."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click
import duckdb

from pitwall.errors import UserError
from warehouse import WarehouseError, connect


@dataclass
class AppContext:
    """Global options of the `pitwall` command."""

    db: Path

    @contextmanager
    def open(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """The warehouse connection for one command, closed afterwards."""
        try:
            con = connect(self.db, read_only=read_only)
        except WarehouseError as error:
            raise UserError(str(error)) from None
        try:
            yield con
        finally:
            con.close()


pass_app = click.make_pass_decorator(AppContext)
