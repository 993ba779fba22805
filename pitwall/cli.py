"""The `pitwall` command line: global options, error reporting and the command groups."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from pitwall.commands import ALL_COMMANDS
from pitwall.context import AppContext
from pitwall.errors import UserError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), envvar="PITWALL_DB",
              default="pitwall.duckdb", show_default=True, help="The warehouse file (env PITWALL_DB).")
@click.version_option(package_name="pitwall")
@click.pass_context
def cli(ctx: click.Context, db: Path) -> None:
    """Pitwall: DORA metrics, developer experience and service scorecards for platform teams."""
    ctx.obj = AppContext(db=db)


for command in ALL_COMMANDS:
    cli.add_command(command)


def main() -> None:
    """Console entry point: user errors are one line on stderr and exit 2, never a traceback."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except UserError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(1)
    except Exception as error:  # a runtime failure: one line, exit 1
        click.echo(f"error: {type(error).__name__}: {error}", err=True)
        sys.exit(1)
