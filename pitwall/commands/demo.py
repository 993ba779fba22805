"""`pitwall demo`: load the sample organisation into the warehouse, then serve the dashboard.

The organisation is generated for an anchor date (today in UTC unless `--today`), written to a
temporary NDJSON file and imported through the real import path (validation against the
canonical models, then the idempotent upsert). The previous sample organisation is replaced
whole: every row with source "demo" is deleted in the same transaction that writes the new
ones, so a new anchor date never leaves yesterday's commits or deployments behind, and
running the demo twice gives the same warehouse. Data from other sources is left alone.

Then the sample catalog (data-samples/catalog/) is imported like `pitwall catalog import`: it
replaces source "catalog", the one catalog a warehouse holds (the exception to "other data
stays"). Each sample repository's tree listing (sampleorg/repo_trees.py) becomes repository
facts (source "demo"), and the three sample scorecards (data-samples/scorecards/) are evaluated
for the anchor date, stored and remembered. All of it is one transaction: a kill leaves the
warehouse as it was or with the whole new demo, never half of it.
"""
from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import click
import duckdb

from dashboard.server import HOST, port_is_free
from ingest.catalog import Catalog, read_catalog, store_catalog
from ingest.events import import_files
from ingest.repo_facts import delete_repo_facts, store_repo_facts, tree_facts
from pitwall.commands.dashboard import serve_dashboard
from pitwall.context import AppContext, pass_app
from pitwall.errors import UserError
from pitwall.progress import byte_progress
from pitwall.refresh import refresh_derived
from pitwall.settings import settings_in_force
from sampleorg.clock import midnight
from sampleorg.config import load_config
from sampleorg.generate import generate, write_ndjson
from sampleorg.records import SOURCE
from sampleorg.repo_trees import repo_trees
from scorecards.evaluate import Evaluation, evaluate
from scorecards.facts import DEFAULT_REGISTRY
from scorecards.model import Scorecard
from scorecards.spec import load_specs, read_spec_files
from scorecards.store import save_evaluation, save_specs
from warehouse.transaction import transaction

__all__ = ["SAMPLES", "demo_command", "load_demo"]

# The sample organisation's catalog and scorecards (data, in the source checkout).
SAMPLES = Path(__file__).resolve().parents[2] / "data-samples"


def _step(message: str) -> None:
    """Progress of the long steps, on a terminal only."""
    if sys.stderr.isatty():
        click.echo(message, err=True)


def _sample_catalog_and_scorecards() -> tuple[Catalog, list[Scorecard]]:
    """The sample catalog and scorecards, read and checked before anything is written."""
    if not SAMPLES.is_dir():
        raise UserError(f"{SAMPLES}: the sample data is missing (run the demo from a Pitwall source checkout)")
    specs = read_spec_files(sorted((SAMPLES / "scorecards").glob("*.yaml")))
    return read_catalog([SAMPLES / "catalog"]), load_specs(specs, DEFAULT_REGISTRY)


def _store_repo_facts(con: duckdb.DuckDBPyConnection, today: date) -> None:
    """Each sample repository's tree listing as repository facts (source "demo"), listed at `today`."""
    with transaction(con):
        delete_repo_facts(con, SOURCE)
        for repo, paths in repo_trees(load_config()).items():
            store_repo_facts(con, repo, SOURCE, tree_facts(paths) if paths is not None else None,
                             listed_at=midnight(today))


def _evaluate_scorecards(con: duckdb.DuckDBPyConnection, cards: list[Scorecard], today: date) -> Evaluation:
    """Evaluate, store and remember the sample scorecards for `today`."""
    evaluation = evaluate(con, cards, today, metrics=settings_in_force().metrics)
    save_evaluation(con, evaluation)
    save_specs(con, cards)
    return evaluation


def load_demo(app: AppContext, today: date) -> str:
    """Generate, import and derive the sample organisation, import its catalog and evaluate its
    scorecards, in one transaction; returns the summary line."""
    began = time.monotonic()
    catalog, cards = _sample_catalog_and_scorecards()
    with tempfile.TemporaryDirectory(prefix="pitwall-demo-") as folder:
        path = Path(folder) / f"sample-organisation-{today.isoformat()}.ndjson"
        _step(f"generating the sample organisation for {today.isoformat()} ...")
        with path.open("w", encoding="utf-8") as handle:
            write_ndjson(generate(today), handle)
        with app.open() as con, transaction(con):
            with byte_progress(path.stat().st_size, "importing") as advance:
                written = import_files(con, [path], on_line=advance, replace_source=SOURCE).by_type
            _step("importing the sample catalog and repository facts ...")
            imported = store_catalog(con, catalog)
            _store_repo_facts(con, today)
            _step("deriving deployment changes, rollbacks and incident attribution ...")
            refresh_derived(con)
            _step("evaluating the sample scorecards ...")
            evaluation = _evaluate_scorecards(con, cards, today)
    counts = ", ".join(f"{n} {t}" for t, n in sorted(written.items()))
    return (f"demo: sample organisation as of {today.isoformat()} loaded into {app.db} "
            f"(source \"{SOURCE}\"; {sum(written.values())} records: {counts}); "
            f"catalog: {sum(imported.kinds.values())} entities, {imported.services} services; "
            f"scorecards: {', '.join(card.id for card in cards)} ({len(evaluation.results)} results) "
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

    The previous sample organisation and the catalog are replaced; other data stays. Deterministic per date.
    """
    if not no_serve and not port_is_free(port):
        raise UserError(f"port {port} on {HOST} is already in use; choose another with --port")
    anchor = today.date() if today is not None else datetime.now(UTC).date()
    click.echo(load_demo(app, anchor))
    if not no_serve:
        serve_dashboard(app.db, port)
