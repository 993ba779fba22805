"""A click group whose commands are imported only when one of them runs (or help lists them), so
`pitwall metrics dora` does not pay for the imports of the syncs, the catalog or the dashboard."""
from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping

import click

__all__ = ["LazyGroup", "load_command"]


def load_command(target: str) -> click.Command:
    """The click command at `target`, written "package.module:attribute"."""
    module_name, attribute = target.split(":")
    return getattr(importlib.import_module(module_name), attribute)


class LazyGroup(click.Group):
    """A group of commands given as name -> "module:attribute", imported on first use.

    `on_load` runs once on each loaded command (e.g. to attach a group's subcommands).
    """

    def __init__(self, *args, lazy_commands: Mapping[str, str] | None = None,
                 on_load: Callable[[str, click.Command], None] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})
        self.on_load = on_load

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy_commands:
            command = load_command(self.lazy_commands[cmd_name])
            if command.name != cmd_name:
                raise RuntimeError(f"{self.lazy_commands[cmd_name]} is command {command.name!r}, not {cmd_name!r}")
            if self.on_load is not None:
                self.on_load(cmd_name, command)
            self.add_command(command)
        return super().get_command(ctx, cmd_name)
