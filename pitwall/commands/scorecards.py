"""`pitwall scorecards ...`: evaluate service scorecards, their history, golden-path analytics."""
from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import click
import duckdb
import pandas as pd

from metrics.benchmarks import BENCHMARKS
from pitwall.commands.metrics import resolve_window, window_options
from pitwall.context import AppContext, pass_app
from pitwall.errors import UserError
from pitwall.output import format_option, records, write_csv, write_json, write_table
from pitwall.settings import settings_in_force
from scorecards.evaluate import evaluate
from scorecards.facts import DEFAULT_REGISTRY
from scorecards.golden_paths import golden_paths
from scorecards.history import HISTORY_GROUPINGS, rollups, service_trends
from scorecards.model import Scorecard
from scorecards.report import results_document, results_frame, summary_frame
from scorecards.spec import SpecError, load_specs, read_spec_files
from scorecards.store import save_evaluation, save_specs, saved_specs
from warehouse.transaction import transaction

DATE = click.DateTime(formats=["%Y-%m-%d"])


def _load(sources: list[tuple[str, str]]) -> list[Scorecard]:
    """Scorecards from (file, text) pairs; bad specs are printed and refused (exit 2)."""
    try:
        return load_specs(sources, DEFAULT_REGISTRY)
    except SpecError as error:
        from pitwall.commands.catalog import report_problems  # only on errors: it loads the catalog importer
        raise report_problems(error.messages, len(error.messages), "no scorecard was evaluated") from None


def _read(paths: list[Path]) -> list[tuple[str, str]]:
    try:
        return read_spec_files(paths)
    except SpecError as error:
        raise UserError(error.messages[0]) from None


def _remembered(con: duckdb.DuckDBPyConnection) -> list[Scorecard]:
    """The specs the warehouse remembers from the last evaluation that named --spec files."""
    sources = saved_specs(con)
    if not sources:
        raise UserError("no scorecards yet: name spec files with --spec FILE (e.g. data-samples/scorecards/*.yaml)")
    return _load(sources)


@click.group("scorecards")
def scorecards_group() -> None:
    """Service maturity scorecards (YAML specs, docs/scorecards.md)."""


@scorecards_group.command("evaluate")
@click.option("--spec", "specs", multiple=True, type=click.Path(path_type=Path), metavar="FILE",
              help="A scorecard spec (repeatable). Default: the specs of the last evaluation that named some.")
@format_option
@click.option("--date", "day", type=DATE, help="The evaluation day (UTC); default today.")
@click.option("--no-store", is_flag=True, help="Print only: store neither the results nor the specs.")
@pass_app
def evaluate_command(app: AppContext, specs: tuple[Path, ...], output_format: str, day: datetime | None,
                     no_store: bool) -> None:
    """Evaluate scorecards over the catalog's services: level, score and every rule's status."""
    cards = _load(_read(list(specs))) if specs else None
    today = day.date() if day else datetime.now(UTC).date()
    with app.open(read_only=no_store) as con:
        cards = cards if cards is not None else _remembered(con)
        evaluation = evaluate(con, cards, today, metrics=settings_in_force().metrics)
        if not no_store:
            with transaction(con):
                save_evaluation(con, evaluation)
                if specs:
                    save_specs(con, cards)
    for warning in evaluation.warnings:
        click.echo(f"warning: {warning}", err=True)
    if not evaluation.results:
        click.echo("note: no catalog service is covered by these scorecards (run `pitwall catalog import`)", err=True)
    if output_format == "json":
        write_json(results_document(evaluation))
    elif output_format == "csv":
        write_csv(results_frame(evaluation))
    else:
        click.echo(f"Scorecards on {today.isoformat()}: {len(evaluation.results)} result(s) "
                   f"({', '.join(card.id for card in cards)})")
        write_table(summary_frame(evaluation))


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


@scorecards_group.command("history")
@click.option("--by", "by", type=click.Choice(HISTORY_GROUPINGS),
              help="Trends per service, or rollups per team or for the whole org "
                   "(default: service with --service, else team).")
@click.option("--service", help="Only this service.")
@click.option("--team", help="Only this team's services ('unassigned': those without a team).")
@click.option("--scorecard", help="Only this scorecard id.")
@click.option("--since", type=DATE, help="First evaluation day, inclusive.")
@click.option("--until", type=DATE, help="Last evaluation day, exclusive.")
@format_option
@pass_app
def history_command(app: AppContext, by: str | None, service: str | None, team: str | None, scorecard: str | None,
                    since: datetime | None, until: datetime | None, output_format: str) -> None:
    """Stored results over time: levels and scores per service, or per team / org rollups."""
    by = by or ("service" if service else "team")
    filters = {"scorecard": scorecard, "service": service, "team": team, "since": _day(since), "until": _day(until)}
    with app.open(read_only=True) as con:
        frame = service_trends(con, **filters) if by == "service" else rollups(con, by, **filters)
    if output_format == "json":
        write_json({"by": by, "rows": records(frame)})
    elif output_format == "csv":
        write_csv(frame)
    else:
        click.echo("Scorecard levels per service and day" if by == "service"
                   else f"Share of services at each level, per {by} and day")
        write_table(frame)


@scorecards_group.command("golden-paths")
@window_options
@click.option("--benchmark", type=click.Choice(sorted(BENCHMARKS)), default="2023", show_default=True,
              help="The DORA report whose tiers to use.")
@format_option
@pass_app
def golden_paths_command(app: AppContext, since, until, benchmark: str, output_format: str) -> None:
    """DORA figures of the services created from each golden-path template, against the others."""
    since_day, until_day = resolve_window(since, until)
    with app.open(read_only=True) as con:
        frame = golden_paths(con, since_day, until_day, benchmark)
    if output_format == "json":
        write_json({"since": since_day.isoformat(), "until": until_day.isoformat(), "benchmark": benchmark,
                    "rows": records(frame)})
    elif output_format == "csv":
        write_csv(frame)
    else:
        click.echo(f"Golden paths: medians per service, {since_day} to {until_day} (exclusive), benchmark {benchmark}")
        write_table(frame)


@scorecards_group.command("facts")
@format_option
def facts_command(output_format: str) -> None:
    """Every fact a scorecard rule can check (name, kind, description)."""
    frame = pd.DataFrame([[f.name, f.kind, f.description] for f in DEFAULT_REGISTRY.facts()],
                         columns=["fact", "kind", "description"])
    if output_format == "json":
        write_json({"facts": records(frame)})
    elif output_format == "csv":
        write_csv(frame)
    else:
        write_table(frame)
