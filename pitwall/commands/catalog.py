"""`pitwall catalog import PATH...`: a Backstage catalog into the warehouse (ingest.catalog)."""
from __future__ import annotations

from pathlib import Path

import click

from ingest.catalog import BadCatalog, read_catalog, store_catalog
from pitwall.context import AppContext, pass_app
from pitwall.errors import UserError
from pitwall.refresh import refresh_derived
from warehouse.transaction import transaction


def report_problems(messages: list[str], total: int, what: str) -> UserError:
    """Print the first problems on stderr; the UserError (exit 2) to raise says nothing was done."""
    for message in messages:
        click.echo(message, err=True)
    if total > len(messages):
        click.echo(f"... and {total - len(messages)} more problem(s)", err=True)
    return UserError(f"{total} problem(s); {what}")


@click.group("catalog")
def catalog_group() -> None:
    """The service catalog (Backstage catalog-info.yaml files)."""


@catalog_group.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@pass_app
def import_command(app: AppContext, paths: tuple[Path, ...]) -> None:
    """Import catalog files, or folders searched for catalog-info.yaml (replaces the previous catalog).

    The catalog and the derived tables it changes are written in one transaction.
    """
    try:
        catalog = read_catalog(list(paths))
    except BadCatalog as bad:
        raise report_problems(bad.messages, bad.total, "nothing was imported") from None
    with app.open() as con, transaction(con):
        summary = store_catalog(con, catalog)
        refresh_derived(con)
    click.echo(summary.line())
