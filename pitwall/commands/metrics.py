"""`pitwall metrics ...`: DORA figures, developer-experience figures and scores per group over a
window, and the rows behind one group's figures (`--explain`)."""
from __future__ import annotations

from datetime import date

import click
import duckdb
import pandas as pd

from metrics.benchmarks import BENCHMARKS
from metrics.devex import Scope, ci_table, devex_table, devex_weekly_series, new_hires_table
from metrics.dora import GROUPINGS, dora_table, known_groups
from metrics.explain import DEVEX_SECTIONS, DORA_SECTIONS, devex_explain, dora_explain
from metrics.scores import score_table
from metrics.settings import MetricsSettings
from metrics.window import Window, default_window
from pitwall.context import AppContext, pass_app
from pitwall.errors import UserError
from pitwall.output import format_option, records, write_csv, write_json, write_table
from pitwall.settings import settings_in_force

DATE = click.DateTime(formats=["%Y-%m-%d"])
DEVEX_REPORT_SECTIONS = ("figures", "new_hires", "ci", "weekly")
ALL_SECTIONS = sorted({*DORA_SECTIONS, *DEVEX_SECTIONS, *DEVEX_REPORT_SECTIONS})


def window_options(command):
    """--since / --until: dates, until exclusive; default the 90 days ending today."""
    command = click.option("--until", type=DATE, help="End date, exclusive (default: tomorrow).")(command)
    return click.option("--since", type=DATE, help="Start date, inclusive (default: 90 days before --until).")(command)


def group_option(command):
    return click.option("--by", "group_by", type=click.Choice(GROUPINGS), default="org", show_default=True,
                        help="One row per organisation, team, service or repository.")(command)


def explain_options(command):
    """--explain GROUP and --section (which table --format csv prints)."""
    command = click.option("--section", type=click.Choice(ALL_SECTIONS),
                           help="With --format csv: the table to print (default: the first).")(command)
    return click.option("--explain", "explain", metavar="GROUP",
                        help="List the rows behind GROUP's figures (a team, service or repo of --by; "
                             "'all' for --by org).")(command)


def benchmark_option(command):
    return click.option("--benchmark", type=click.Choice(sorted(BENCHMARKS)), default="2023", show_default=True,
                        help="The DORA report whose tiers to use.")(command)


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


def _check_group(con: duckdb.DuckDBPyConnection, group_by: str, group: str, found: bool) -> None:
    """Refuse --explain of a group the warehouse does not know (a typo), unless rows were found."""
    known = {*known_groups(con, group_by), "unassigned"}
    if not found and group not in known:
        names = ", ".join(sorted(known)[:12]) + (", ..." if len(known) > 12 else "")
        raise UserError(f"--explain {group}: no {group_by} group of that name (known: {names})")


def _pick_section(sections: dict[str, pd.DataFrame], section: str | None) -> pd.DataFrame:
    if section is None:
        return next(iter(sections.values()))
    if section not in sections:
        raise UserError(f"--section {section}: this report has {', '.join(sections)}")
    return sections[section]


def write_report(head: dict, sections: dict[str, pd.DataFrame], output_format: str, section: str | None,
                 title: str) -> None:
    """JSON: `head` plus one list of rows per section; CSV: the one chosen section; table: each
    section under a heading."""
    if output_format == "json":
        write_json(head | {name: records(frame) for name, frame in sections.items()})
    elif output_format == "csv":
        write_csv(_pick_section(sections, section))
    else:
        click.echo(title)
        for name, frame in sections.items():
            click.echo(f"\n{name.replace('_', ' ')}:")
            write_table(frame)


def _window_head(since: date, until: date, group_by: str) -> dict:
    return {"since": since.isoformat(), "until": until.isoformat(), "group_by": group_by}


@click.group("metrics")
def metrics_group() -> None:
    """Delivery metrics over a window."""


@metrics_group.command("dora")
@group_option
@window_options
@benchmark_option
@click.option("--all-groups", is_flag=True, help="Also list known groups without deployments.")
@explain_options
@format_option
@pass_app
def dora_command(app: AppContext, group_by: str, since, until, benchmark: str, all_groups: bool,
                 explain: str | None, section: str | None, output_format: str) -> None:
    """The five DORA metrics per group (docs/metrics.md)."""
    since_day, until_day = resolve_window(since, until)
    if explain is not None:
        _explain_dora(app, group_by, since_day, until_day, explain, section, output_format)
        return
    if section is not None:
        raise UserError("--section applies to --explain (and to metrics devex)")
    with app.open(read_only=True) as con:
        frame = dora_table(con, since_day, until_day, group_by, benchmark, all_groups=all_groups)
    if output_format == "json":
        write_json(_window_head(since_day, until_day, group_by) | {"benchmark": benchmark,
                                                                   "rows": records(frame)})
    elif output_format == "csv":
        write_csv(frame)
    else:
        click.echo(f"DORA metrics by {group_by}, {since_day} to {until_day} (exclusive), benchmark {benchmark}")
        write_table(frame)


def _explain_dora(app: AppContext, group_by: str, since: date, until: date, group: str, section: str | None,
                  output_format: str) -> None:
    with app.open(read_only=True) as con:
        sections = dora_explain(con, since, until, group_by, group)
        _check_group(con, group_by, group, any(not frame.empty for frame in sections.values()))
    write_report(_window_head(since, until, group_by) | {"group": group}, sections, output_format, section,
                 f"Behind the DORA figures of {group_by} {group}, {since} to {until} (exclusive)")


def _devex_head(scope: Scope, settings: MetricsSettings) -> dict:
    before = Window(scope.since, scope.until).previous()
    return _window_head(scope.since, scope.until, scope.group_by) | {
        "previous_since": before.since.isoformat(), "previous_until": before.until.isoformat(),
        "timezone": settings.timezone, "bots": list(settings.bots)}


def _devex_report(con: duckdb.DuckDBPyConnection, scope: Scope, settings: MetricsSettings) -> dict[str, pd.DataFrame]:
    """The sections of `metrics devex` (DEVEX_REPORT_SECTIONS)."""
    return {"figures": devex_table(con, scope, settings), "new_hires": new_hires_table(con, scope, settings),
            "ci": ci_table(con, scope, settings), "weekly": devex_weekly_series(con, scope, settings)}


@metrics_group.command("devex")
@group_option
@window_options
@explain_options
@format_option
@pass_app
def devex_command(app: AppContext, group_by: str, since, until, explain: str | None, section: str | None,
                  output_format: str) -> None:
    """Developer-experience figures per group, each against the previous period (docs/metrics.md)."""
    since_day, until_day = resolve_window(since, until)
    scope = Scope(since_day, until_day, group_by)
    settings = settings_in_force().metrics
    with app.open(read_only=True) as con:
        if explain is not None:
            sections = devex_explain(con, scope, explain, settings)
            _check_group(con, group_by, explain, any(not frame.empty for frame in sections.values()))
            head = _devex_head(scope, settings) | {"group": explain}
            title = f"Behind the developer-experience figures of {group_by} {explain}, {since_day} to {until_day}"
        else:
            sections = _devex_report(con, scope, settings)
            head = _devex_head(scope, settings)
            title = (f"Developer experience by {group_by}, {since_day} to {until_day} (exclusive), "
                     f"against {head['previous_since']} to {head['previous_until']}")
    write_report(head, sections, output_format, section, title)


@metrics_group.command("score")
@group_option
@window_options
@benchmark_option
@format_option
@pass_app
def score_command(app: AppContext, group_by: str, since, until, benchmark: str, output_format: str) -> None:
    """A 0-10 score per DORA metric and overall, in the manner of DORA's Quick Check (docs/metrics.md)."""
    since_day, until_day = resolve_window(since, until)
    with app.open(read_only=True) as con:
        frame = score_table(dora_table(con, since_day, until_day, group_by, benchmark), benchmark)
    if output_format == "json":
        write_json(_window_head(since_day, until_day, group_by) | {"benchmark": benchmark, "rows": records(frame)})
    elif output_format == "csv":
        write_csv(frame)
    else:
        click.echo(f"DORA scores (0-10) by {group_by}, {since_day} to {until_day} (exclusive), benchmark {benchmark}")
        write_table(frame)
