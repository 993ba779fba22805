"""The settings the metrics need; pitwall passes them down (defaults: METRICS.md).

Pitwall reads them from the `[metrics]` table of pitwall.toml (pitwall.settings validates the
whole file). The dashboard runs in its own process and may not import pitwall, so it reads the
same table with `metrics_settings_from_environment()`: the file named by PITWALL_CONFIG (which
`pitwall dashboard` sets), else ./pitwall.toml, else the defaults.
"""
from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

__all__ = ["CONFIG_FILE", "CONFIG_VARIABLE", "MetricsSettings", "Name", "bot_name", "load_metrics_settings",
           "metrics_settings_from_environment"]

CONFIG_FILE = "pitwall.toml"
"""The settings file looked for in the working directory."""

CONFIG_VARIABLE = "PITWALL_CONFIG"
"""The environment variable naming the settings file (set by `pitwall --config` for the dashboard)."""

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
BOT_SUFFIX = re.compile(r"\[bot\]$", re.IGNORECASE)


def bot_name(login: str) -> str:
    """The name a login is compared under: lower case, a trailing `[bot]` removed.

    `Dependabot[bot]`, `dependabot[bot]` and `dependabot` all give `dependabot`.
    """
    return BOT_SUFFIX.sub("", login.strip()).lower()


class MetricsSettings(BaseModel):
    """What counts as production, how far incidents reach back, what marks rework, who is a bot,
    where weekly buckets start, and which team each person belongs to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    production_environments: tuple[Name, ...] = Field(default=("production", "prod", "prd"), min_length=1)
    attribution_window_days: float = Field(default=7, gt=0, allow_inf_nan=False, strict=True)
    rework_labels: tuple[Name, ...] = ("hotfix", "revert")
    bots: tuple[Name, ...] = ("dependabot", "renovate")
    timezone: str = "UTC"
    # team id -> the logins of its members
    teams: dict[Name, tuple[Name, ...]] = Field(default_factory=dict)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {name!r} (expected an IANA name such as Europe/Berlin)") from None
        return name

    @field_validator("teams")
    @classmethod
    def _one_team_per_person(cls, teams: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        seen: dict[str, str] = {}
        for team, members in teams.items():
            for login in members:
                other = seen.setdefault(login.lower(), team)
                if other != team:
                    raise ValueError(f"{login} is a member of both {other} and {team}")
        return teams

    @property
    def bot_names(self) -> list[str]:
        """The bot names as logins are compared (see `bot_name`)."""
        return sorted({bot_name(name) for name in self.bots})

    def is_bot(self, login: str | None) -> bool:
        """Whether `login` is one of the configured bots (case-insensitive, `[bot]` suffix optional)."""
        return login is not None and bot_name(login) in self.bot_names

    @property
    def membership(self) -> list[tuple[str, str]]:
        """(lower-case login, team) for every configured member, sorted."""
        return sorted((login.lower(), team) for team, members in self.teams.items() for login in members)


def load_metrics_settings(path: Path) -> MetricsSettings:
    """The `[metrics]` table of the settings file at `path` (ValueError when it is not valid)."""
    with Path(path).open("rb") as handle:
        document = tomllib.load(handle)
    return MetricsSettings.model_validate(document.get("metrics", {}))


def metrics_settings_from_environment() -> MetricsSettings:
    """The settings in force for a process started by pitwall (the dashboard).

    The file named by PITWALL_CONFIG, else ./pitwall.toml when it exists, else the defaults.
    """
    named = os.environ.get(CONFIG_VARIABLE)
    if named:
        return load_metrics_settings(Path(named))
    local = Path(CONFIG_FILE)
    return load_metrics_settings(local) if local.is_file() else MetricsSettings()
