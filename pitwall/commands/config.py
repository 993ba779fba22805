"""`pitwall config show` prints the settings in force (TOML or JSON); `pitwall config apply`
re-derives the warehouse with them."""
from __future__ import annotations

import json
import re
from typing import Any

import click

from pitwall.context import AppContext, pass_app
from pitwall.refresh import refresh_derived
from pitwall.settings import PitwallSettings, loaded_settings
from warehouse.transaction import transaction

__all__ = ["config_group", "to_toml"]

BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(name: str) -> str:
    return name if BARE_KEY.match(name) else json.dumps(name)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def _table(name: str, values: dict[str, Any], lines: list[str]) -> None:
    """`[name]` with its plain keys, then its sub-tables."""
    lines.append(f"[{name}]")
    lines.extend(f"{_key(k)} = {_value(v)}" for k, v in values.items() if not isinstance(v, dict))
    for key, value in values.items():
        if isinstance(value, dict):
            lines.append("")
            _table(f"{name}.{_key(key)}", value, lines)


def to_toml(settings: PitwallSettings) -> str:
    """Every setting, defaults included, as the text of a pitwall.toml that reads back the same."""
    lines: list[str] = []
    for name, values in settings.model_dump(mode="json").items():
        if lines:
            lines.append("")
        _table(_key(name), values, lines)
    return "\n".join(lines) + "\n"


@click.group("config")
def config_group() -> None:
    """The settings file, pitwall.toml."""


@config_group.command("show")
@click.option("--format", "output_format", type=click.Choice(["toml", "json"]), default="toml", show_default=True,
              help="Output format.")
def show_command(output_format: str) -> None:
    """Print the settings in force: the file's values, and the default of everything it leaves out."""
    loaded = loaded_settings()
    if output_format == "json":
        document = {"path": str(loaded.path) if loaded.path else None,
                    "settings": loaded.settings.model_dump(mode="json")}
        click.echo(json.dumps(document, indent=2))
        return
    origin = f"from {loaded.path}" if loaded.path else "the defaults (no pitwall.toml here, no --config)"
    click.echo(f"# Settings in force: {origin}\n")
    click.echo(to_toml(loaded.settings), nl=False)


@config_group.command("apply")
@pass_app
def apply_command(app: AppContext) -> None:
    """Re-derive the warehouse's tables with the settings in force (after editing pitwall.toml), in one
    transaction."""
    origin = str(loaded_settings().path or "the defaults")
    with app.open() as con, transaction(con):
        refresh_derived(con)
    click.echo(f"config: derived tables of {app.db} rebuilt with the settings of {origin}")
