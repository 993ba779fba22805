"""`pitwall import` and `pitwall schema`: the canonical event format."""
from __future__ import annotations

import json
from pathlib import Path
from typing import NoReturn

import click
from pydantic import TypeAdapter

from ingest.events import BadEvents, validate_files, write_records
from pitwall.context import AppContext, pass_app
from pitwall.errors import UserError
from pitwall.progress import byte_progress
from pitwall.refresh import refresh_derived
from warehouse.models import Event
from warehouse.transaction import transaction


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@pass_app
def import_command(app: AppContext, files: tuple[Path, ...]) -> None:
    """Import canonical NDJSON event files (all or nothing)."""
    paths = list(files)
    for path in paths:
        if not path.is_file():
            raise UserError(f"{path}: {'not a file' if path.exists() else 'no such file'}")
    total = sum(p.stat().st_size for p in paths)
    with byte_progress(total, "validating") as advance:
        try:
            checked = validate_files(paths, on_line=advance)
        except BadEvents as bad:
            _report(bad)
    with checked:
        if not checked.stage.lines:  # a wrong file or a failed export, not a no-op to pass over in silence
            raise UserError(f"{', '.join(map(str, paths))}: no events to import (empty, or only blank lines)")
        with app.open() as con, transaction(con):
            summary = write_records(con, checked)
            refresh_derived(con)
    click.echo(summary.line())


def _report(bad: BadEvents) -> NoReturn:
    """Print the first bad lines on stderr and fail with exit 2."""
    for message in bad.messages:
        click.echo(message, err=True)
    more = bad.total - len(bad.messages)
    if more > 0:
        click.echo(f"... and {more} more bad line(s)", err=True)
    raise UserError(f"{bad.total} bad line(s); nothing was imported")


@click.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the event format."""
    schema = TypeAdapter(Event).json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Pitwall event (one NDJSON line)"
    click.echo(json.dumps(schema, indent=2, sort_keys=True))
