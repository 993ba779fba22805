"""`pitwall export --out DIR`: the Export page's CSV bundle from the command line (scheduled reports).

DIR is replaced whole by the new bundle (a kill leaves the previous one or the complete new one),
so it must be missing, empty, or the folder of a previous export: a folder holding anything else
is refused before anything is written.
"""
from __future__ import annotations

from pathlib import Path

import click

from dashboard.export_bundle import build_tables, foreign_entries, manifest, write_bundle
from metrics.benchmarks import BENCHMARKS
from pitwall.commands.metrics import DATE, resolve_window
from pitwall.context import AppContext, pass_app
from pitwall.errors import UserError
from pitwall.settings import settings_in_force

__all__ = ["export_command"]


def _check_out(out: Path) -> None:
    """Refuse an --out that exists and is not a folder, or holds files no export wrote."""
    if not out.exists():
        return
    if not out.is_dir():
        raise UserError(f"--out {out}: exists and is not a folder; name a folder (it is created when missing)")
    foreign = foreign_entries(out)
    if foreign:
        raise UserError(f"--out {out}: holds {foreign[0]!r}, which no export wrote (the folder is replaced "
                        f"whole); name a new or empty folder, or the folder of a previous export")


@click.command("export")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="Folder to write the CSV files, manifest.json and the zip into: created when missing, "
                   "replaced whole when it holds a previous export.")
@click.option("--since", type=DATE, help="Start date, inclusive (default: 90 days before --until).")
@click.option("--until", type=DATE, help="End date, exclusive (default: tomorrow).")
@click.option("--benchmark", type=click.Choice(sorted(BENCHMARKS)), default="2023", show_default=True,
              help="DORA benchmark year the tiers come from.")
@pass_app
def export_command(app: AppContext, out: Path, since, until, benchmark: str) -> None:
    """Write every dashboard table as a formula-safe CSV, plus a zip of them all with a manifest."""
    _check_out(out)
    since_day, until_day = resolve_window(since, until)
    settings = settings_in_force().metrics
    with app.open(read_only=True) as con:
        tables = build_tables(con, since_day, until_day, benchmark, settings)
    about = manifest(tables, since_day, until_day)
    target = write_bundle(out, tables, about)
    rows = sum(entry["rows"] for entry in about["files"])
    click.echo(f"Wrote {len(tables)} CSV files ({rows} rows, {since_day} to {until_day}) and {target}")
