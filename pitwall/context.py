"""What every command shares: the warehouse path and how to open it."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click
import duckdb

from pitwall.errors import UserError
from warehouse import WarehouseError, connect, writing


@dataclass
class AppContext:
    """Global options of the `pitwall` command."""

    db: Path

    @contextmanager
    def open(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """The warehouse connection for one command, closed afterwards.

        Read-only: the published read snapshot (never waits for a writer). Otherwise the
        warehouse under the writer lock, waiting (one line on stderr) while another process
        writes; the read snapshot is published when the command succeeds.
        """
        if read_only:
            with self._reading() as con:
                yield con
            return
        try:
            with writing(self.db, on_wait=_tell) as con:
                yield con
        except WarehouseError as error:
            raise UserError(str(error)) from None

    @contextmanager
    def _reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        try:
            con = connect(self.db, read_only=True)
        except WarehouseError as error:
            raise UserError(str(error)) from None
        try:
            yield con
        finally:
            con.close()


def _tell(line: str) -> None:
    click.echo(line, err=True)


pass_app = click.make_pass_decorator(AppContext)
