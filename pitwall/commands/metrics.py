"""`pitwall metrics ...`: DORA figures per group over a window."""
from __future__ import annotations

from datetime import date

import click

from metrics.benchmarks import BENCHMARKS
from metrics.dora import GROUPINGS, dora_table
from metrics.window import default_window
from pitwall.context import AppContext, pass_app
from pitwall.errors import UserError
from pitwall.output import format_option, records, write_csv, write_json, write_table

DATE = click.DateTime(formats=["%Y-%m-%d"])


def window_options(command):
    """--since / --until: dates, until exclusive; default the 90 days ending today."""
    command = click.option("--until", type=DATE, help="End date, exclusive (default: tomorrow).")(command)
    return click.option("--since", type=DATE, help="Start date, inclusive (default: 90 days before --until).")(command)


def resolve_window(since, until) -> tuple[date, date]:
    """The window from the options, or the default; refuses an empty window."""
    default_since, default_until = default_window()
    until_day = until.date() if until else default_until
    if since:
        since_day = since.date()
    elif until:
        since_day = until_day - (default_until - default_since)
    else:
        since_day = default_since
    if until_day <= since_day:
        raise UserError(f"--until {until_day} must be after --since {since_day}")
    return since_day, until_day


@click.group("metrics")
def metrics_group() -> None:
    """Delivery metrics over a window."""


@metrics_group.command("dora")
@click.option("--by", "group_by", type=click.Choice(GROUPINGS), default="org", show_default=True,
              help="One row per organisation, team, service or repository.")
@window_options
@click.option("--benchmark", type=click.Choice(sorted(BENCHMARKS)), default="2023", show_default=True,
              help="The DORA report whose tiers to use.")
@click.option("--all-groups", is_flag=True, help="Also list known groups without deployments.")
@format_option
@pass_app
def dora_command(app: AppContext, group_by: str, since, until, benchmark: str, all_groups: bool,
                 output_format: str) -> None:
    """The five DORA metrics per group (METRICS.md)."""
    since_day, until_day = resolve_window(since, until)
    with app.open(read_only=True) as con:
        frame = dora_table(con, since_day, until_day, group_by, benchmark, all_groups=all_groups)
    if output_format == "json":
        write_json({"since": since_day.isoformat(), "until": until_day.isoformat(), "group_by": group_by,
                    "benchmark": benchmark, "rows": records(frame)})
    elif output_format == "csv":
        write_csv(frame)
    else:
        click.echo(f"DORA metrics by {group_by}, {since_day} to {until_day} (exclusive), benchmark {benchmark}")
        write_table(frame)
