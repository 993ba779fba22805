"""pitwall.toml: finding, validating and handing down the settings in force.

The file is the one given with `--config` (or PITWALL_CONFIG), else ./pitwall.toml when it
exists; without one every setting has its default. Each package defines the small settings
model it needs (metrics.settings.MetricsSettings); this module assembles them into one file
model, validates it with pydantic (unknown keys refused), and reports each mistake as one line
naming the file, the key and what is wrong.
"""
from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from metrics.settings import CONFIG_FILE, MetricsSettings, Name
from pitwall.errors import UserError

__all__ = ["IngestSettings", "PagerdutySettings", "LoadedSettings", "PitwallSettings", "SettingsError", "find_config",
           "load_settings", "settings_in_force", "use_settings"]

SETTINGS_KEY = "pitwall.settings"
"""Where the CLI keeps the LoadedSettings of the running command (click's Context.meta)."""


class PagerdutySettings(BaseModel):
    """`[ingest.pagerduty]`: `services` maps a PagerDuty service id to a Pitwall service id
    (`{PXXXXXX = "payments"}`); it wins over the catalog's pagerduty.com/service-id annotation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    services: dict[Name, Name] = {}


class IngestSettings(BaseModel):
    """What the ingesters read from the file: the labels that make an issue an incident."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    incident_labels: tuple[Name, ...] = Field(default=("incident",), min_length=1)
    pagerduty: PagerdutySettings = PagerdutySettings()


class PitwallSettings(BaseModel):
    """The whole of pitwall.toml: one table per package that needs settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    metrics: MetricsSettings = MetricsSettings()
    ingest: IngestSettings = IngestSettings()


@dataclass(frozen=True)
class LoadedSettings:
    """The settings in force and the file they came from (None: the defaults)."""

    settings: PitwallSettings
    path: Path | None


class SettingsError(UserError):
    """An unreadable or invalid settings file: one line per mistake (exit 2)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def find_config(explicit: Path | None, folder: Path | None = None) -> Path | None:
    """The settings file to read: `explicit` (which must exist), else pitwall.toml in `folder`
    (default: the working directory) when it is there, else None."""
    if explicit is not None:
        if not explicit.is_file():
            reason = "is a folder, not a file" if explicit.is_dir() else "no such settings file"
            raise SettingsError([f"{explicit}: {reason}"])
        return explicit
    local = Path(CONFIG_FILE) if folder is None else folder / CONFIG_FILE
    return local if local.is_file() else None


# pydantic error type -> what the line says (the rest use pydantic's own words)
MESSAGES = {
    "extra_forbidden": "unknown key",
    "missing": "missing",
    "tuple_type": "must be a list",
    "list_type": "must be a list",
    "dict_type": "must be a table",
    "model_type": "must be a table",
    "string_type": "must be a string",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "string_too_short": "must not be empty",
    "too_short": "must not be empty",
}


def _key(location: tuple[Any, ...]) -> str:
    """A dotted key as written in the file: metrics.teams.payments[0]."""
    key = ""
    for part in location:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
    return key


def _known_keys(model: type[BaseModel], location: tuple[Any, ...]) -> list[str]:
    """The keys the table at `location` (the parent of an unknown key) accepts."""
    for part in location:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        annotation = getattr(field, "annotation", None)
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)


def _message(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        name = str(error["loc"][-1])
        close = difflib.get_close_matches(name, _known_keys(PitwallSettings, error["loc"][:-1]), n=1)
        return "unknown key" + (f" (did you mean {close[0]}?)" if close else "")
    if kind in MESSAGES:
        return MESSAGES[kind]
    text = error["msg"].removeprefix("Value error, ")
    return re.sub(r"^Input should be", "must be", text)


def _validation_lines(path: Path, error: ValidationError) -> list[str]:
    return [f"{path}: {_key(item['loc'])}: {_message(item)}" for item in error.errors()]


def _syntax_line(path: Path, error: tomllib.TOMLDecodeError) -> str:
    """`path:line:column: invalid TOML: reason` from tomllib's message."""
    text = str(error)
    where = re.search(r"\(at line (\d+), column (\d+)\)$", text)
    if not where:
        return f"{path}: invalid TOML: {text}"
    reason = text[:where.start()].strip()
    return f"{path}:{where.group(1)}:{where.group(2)}: invalid TOML: {reason}"


def load_settings(path: Path | None) -> PitwallSettings:
    """The settings of the file at `path` (the defaults for None); SettingsError when it cannot
    be read or is not valid, one line per mistake."""
    if path is None:
        return PitwallSettings()
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise SettingsError([_syntax_line(path, error)]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsError([f"{path}: cannot read the settings file: {error}"]) from None
    except RecursionError:
        raise SettingsError([f"{path}: invalid TOML: nested too deeply"]) from None
    try:
        return PitwallSettings.model_validate(document)
    except ValidationError as error:
        raise SettingsError(_validation_lines(path, error)) from None


def use_settings(ctx: click.Context, explicit: Path | None) -> LoadedSettings:
    """Find, load and keep the settings for the running command (see `settings_in_force`)."""
    path = find_config(explicit)
    loaded = LoadedSettings(load_settings(path), path)
    ctx.meta[SETTINGS_KEY] = loaded
    return loaded


def loaded_settings() -> LoadedSettings:
    """The settings the running command loaded (the defaults outside a command)."""
    ctx = click.get_current_context(silent=True)
    loaded = ctx.meta.get(SETTINGS_KEY) if ctx is not None else None
    return loaded or LoadedSettings(PitwallSettings(), None)


def settings_in_force() -> PitwallSettings:
    """The settings of the running command: its pitwall.toml, else the defaults."""
    return loaded_settings().settings
