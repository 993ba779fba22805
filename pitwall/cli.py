"""The `pitwall` command line: global options, error reporting and the command groups."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from metrics.settings import CONFIG_VARIABLE
from pitwall.commands import COMMANDS, SUBCOMMANDS
from pitwall.context import AppContext
from pitwall.errors import UserError
from pitwall.lazy import LazyGroup, load_command
from pitwall.settings import use_settings


def _export_config(ctx: click.Context, path: Path | None) -> None:
    """Name the settings file in force in PITWALL_CONFIG while the command runs, so processes it
    starts (the dashboard) read the same file; the previous value comes back afterwards."""
    previous = os.environ.get(CONFIG_VARIABLE)
    if path is None:
        os.environ.pop(CONFIG_VARIABLE, None)
    else:
        os.environ[CONFIG_VARIABLE] = str(path.absolute())

    def restore() -> None:
        if previous is None:
            os.environ.pop(CONFIG_VARIABLE, None)
        else:
            os.environ[CONFIG_VARIABLE] = previous

    ctx.call_on_close(restore)


def _attach_subcommands(name: str, command: click.Command) -> None:
    """Add to a group just loaded the subcommands other modules define for it (SUBCOMMANDS)."""
    if isinstance(command, click.Group):
        for target in SUBCOMMANDS.get(name, {}).values():
            command.add_command(load_command(target))


@click.group(cls=LazyGroup, lazy_commands=COMMANDS, on_load=_attach_subcommands,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), envvar="PITWALL_DB",
              default="pitwall.duckdb", show_default=True, help="The warehouse file (env PITWALL_DB).")
@click.option("--config", "config", type=click.Path(path_type=Path), envvar=CONFIG_VARIABLE, default=None,
              help="The settings file (env PITWALL_CONFIG; default ./pitwall.toml when it exists).")
@click.version_option(package_name="pitwall")
@click.pass_context
def cli(ctx: click.Context, db: Path, config: Path | None) -> None:
    """Pitwall: DORA metrics, developer experience and service scorecards for platform teams."""
    if not db.name:  # --db "" (or "."): no file to open
        raise UserError(f"--db: expected a warehouse file name, got {str(db)!r}")
    ctx.obj = AppContext(db=db)
    loaded = use_settings(ctx, config)
    _export_config(ctx, loaded.path)


def main() -> None:
    """Console entry point: user errors are one line on stderr and exit 2, never a traceback."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.UsageError as error:  # one line, as every user error: what is wrong, where to look
        hint = f" (see '{error.ctx.command_path} --help')" if error.ctx is not None else ""
        click.echo(f"error: {error.format_message()}{hint}", err=True)
        sys.exit(error.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except UserError as error:
        for line in str(error).splitlines() or [""]:
            click.echo(f"error: {line}", err=True)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(1)
    except Exception as error:  # a runtime failure: one line, exit 1
        click.echo(f"error: {type(error).__name__}: {error}", err=True)
        sys.exit(1)
