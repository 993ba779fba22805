"""`pitwall demo`: load the sample organisation into the warehouse, then serve the dashboard.

The organisation is generated for an anchor date (today in UTC unless `--today`), written to a
temporary NDJSON file and imported through the real import path (validation against the
canonical models, then the idempotent upsert). The previous sample organisation is replaced
whole: every row with source "demo" is deleted in the same transaction that writes the new
ones, so a new anchor date never leaves yesterday's commits or deployments behind, and
running the demo twice gives the same warehouse. Data from other sources is left alone.
"""
from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import click

from dashboard.server import HOST, port_is_free
from ingest.events import import_files
from pitwall.commands.dashboard import serve_dashboard
from pitwall.context import AppContext, pass_app
from pitwall.errors import UserError
from pitwall.progress import byte_progress
from pitwall.refresh import refresh_derived
from sampleorg.generate import generate, write_ndjson
from sampleorg.records import SOURCE

__all__ = ["demo_command", "load_demo"]

def _step(message: str) -> None:
    """Progress of the long steps, on a terminal only."""
    if sys.stderr.isatty():
        click.echo(message, err=True)


def load_demo(app: AppContext, today: date) -> str:
    """Generate, import and derive the sample organisation; returns the summary line."""
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="pitwall-demo-") as folder:
        path = Path(folder) / f"sample-organisation-{today.isoformat()}.ndjson"
        _step(f"generating the sample organisation for {today.isoformat()} ...")
        with path.open("w", encoding="utf-8") as handle:
            write_ndjson(generate(today), handle)
        with app.open() as con:
            with byte_progress(path.stat().st_size, "importing") as advance:
                written = import_files(con, [path], on_line=advance, replace_source=SOURCE).by_type
            _step("deriving deployment changes, rollbacks and incident attribution ...")
            refresh_derived(con)
    counts = ", ".join(f"{n} {t}" for t, n in sorted(written.items()))
    return (f"demo: sample organisation as of {today.isoformat()} loaded into {app.db} "
            f"(source \"{SOURCE}\"; {sum(written.values())} records: {counts}) "
            f"in {time.monotonic() - began:.1f} s")


@click.command("demo")
@click.option("--no-serve", is_flag=True, help="Load the sample organisation only; do not serve the dashboard.")
@click.option("--port", type=click.IntRange(1, 65535), default=8501, show_default=True,
              help="Port on 127.0.0.1 to serve the dashboard on.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Anchor date (YYYY-MM-DD) of the year of history; default today (UTC).")
@pass_app
def demo_command(app: AppContext, no_serve: bool, port: int, today: datetime | None) -> None:
    """Load the sample organisation (source "demo") into the warehouse and serve the dashboard.

    The previous sample organisation is replaced; other data stays. Deterministic per date.
    """
    if not no_serve and not port_is_free(port):
        raise UserError(f"port {port} on {HOST} is already in use; choose another with --port")
    anchor = today.date() if today is not None else datetime.now(UTC).date()
    click.echo(load_demo(app, anchor))
    if not no_serve:
        serve_dashboard(app.db, port)
