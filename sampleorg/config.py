"""Loading sampleorg/organisation.toml into typed, checked settings."""
from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_CONFIG",
    "ConfigError",
    "Defaults",
    "Library",
    "OrgConfig",
    "Profile",
    "ServiceConfig",
    "ServiceRepo",
    "SkewedClock",
    "TeamConfig",
    "load_config",
    "parse_config",
]

MERGE_STYLES = ("squash", "merge", "mixed")
DEPLOY_MODES = ("continuous", "scheduled")
TIERS = ("elite", "high", "medium", "low")


class ConfigError(ValueError):
    """The organisation file is inconsistent (unknown team or profile, bad value)."""


@dataclass(frozen=True)
class Profile:
    """How a service is built and shipped; see the comments in organisation.toml."""

    name: str
    description: str
    expected_tier: str
    prs_per_weekday: float
    pr_hours: tuple[float, float]
    deploy: str
    failure_rate: float
    rollback_share: float
    recovery_hours: tuple[float, float]
    attempt_rate: float
    deploy_delay_minutes: tuple[float, float] = (15.0, 45.0)
    deploy_every_days: tuple[float, float] = (1.0, 3.0)


@dataclass(frozen=True)
class TeamConfig:
    id: str
    name: str
    utc_offset: timezone
    size: int
    new_hires: int


@dataclass(frozen=True)
class ServiceRepo:
    """A repository a service lists; `path` is its monorepo prefix (None: the whole repo)."""

    repo: str
    path: str | None = None


@dataclass(frozen=True)
class ServiceConfig:
    id: str
    team: str
    profile: Profile
    repos: tuple[ServiceRepo, ...]
    environment: str
    merge_style: str
    lifecycle: str = "production"
    tier: str | None = None
    launched_days_ago: int | None = None

    @property
    def name(self) -> str:
        """A display name: the id in words, acronyms in capitals."""
        acronyms = {"api", "bff", "sso", "ldap", "ml", "sdk"}
        return " ".join(w.upper() if w in acronyms else w.capitalize() for w in self.id.split("-"))

    @property
    def deploy_repo(self) -> str:
        """The repository the service deploys from (its first)."""
        return self.repos[0].repo


@dataclass(frozen=True)
class Library:
    """A repository without a service: pull requests and CI, no deployments."""

    repo: str
    team: str
    merge_style: str


@dataclass(frozen=True)
class Defaults:
    environment: str
    merge_style: str
    library_prs_per_weekday: float
    library_pr_hours: tuple[float, float]
    cross_team_authors: float
    cross_team_reviews: float
    direct_commit_share: float
    ci_failure_rate: float


@dataclass(frozen=True)
class SkewedClock:
    """One engineer of `team` whose commit author dates run `hours` ahead between `days_ago`
    days before the anchor (a [nearer, farther] pair)."""

    team: str
    hours: float
    days_ago: tuple[float, float]


@dataclass(frozen=True)
class OrgConfig:
    """The whole organisation: who works where, what they own, how it ships."""

    name: str
    github_org: str
    seed: int
    days: int
    defaults: Defaults
    profiles: dict[str, Profile]
    teams: tuple[TeamConfig, ...]
    services: tuple[ServiceConfig, ...]
    libraries: tuple[Library, ...]
    skewed_clock: SkewedClock | None = None
    small_services: tuple[str, ...] = field(default=())
    small_days: int = 30

    def repo_ids(self) -> list[str]:
        """Every repository id, services' first, in configuration order, without duplicates."""
        ids = [link.repo for s in self.services for link in s.repos] + [lib.repo for lib in self.libraries]
        return list(dict.fromkeys(ids))

    def small(self) -> OrgConfig:
        """The snapshot's organisation: the [small] services, their teams, no libraries."""
        services = tuple(s for s in self.services if s.id in self.small_services)
        teams = {s.team for s in services}
        skew = self.skewed_clock if self.skewed_clock and self.skewed_clock.team in teams else None
        return replace(self, services=services, libraries=(), days=self.small_days, skewed_clock=skew,
                       teams=tuple(t for t in self.teams if t.id in teams))


def _pair(value: Any, where: str) -> tuple[float, float]:
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, (int, float)) for v in value)
            and 0 <= value[0] <= value[1]):
        raise ConfigError(f"{where}: expected [min, max] with 0 <= min <= max, got {value!r}")
    return float(value[0]), float(value[1])


def _offset(text: str, where: str) -> timezone:
    try:
        sign = -1 if text[0] == "-" else 1
        hours, minutes = text.lstrip("+-").split(":")
        return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))
    except (ValueError, IndexError):
        raise ConfigError(f"{where}: utc_offset must look like +01:00, got {text!r}") from None


SERVICE_FIELDS = ("id", "team", "profile", "repos", "environment", "merge_style", "lifecycle", "tier",
                  "launched_days_ago")


def _known_fields(raw: dict[str, Any], allowed: Iterable[str], where: str) -> None:
    """A misspelt field must not vanish silently."""
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise ConfigError(f"{where}: unknown field(s) {', '.join(unknown)}")


def _profile(name: str, raw: dict[str, Any]) -> Profile:
    where = f"profiles.{name}"
    _known_fields(raw, (f.name for f in fields(Profile) if f.name != "name"), where)
    if raw.get("deploy") not in DEPLOY_MODES:
        raise ConfigError(f"{where}.deploy: expected one of {DEPLOY_MODES}")
    if raw.get("expected_tier") not in TIERS:
        raise ConfigError(f"{where}.expected_tier: expected one of {TIERS}")
    pairs = {key: _pair(raw[key], f"{where}.{key}") for key in
             ("pr_hours", "recovery_hours", "deploy_delay_minutes", "deploy_every_days") if key in raw}
    return Profile(name=name, **{**raw, **pairs})


def _service(raw: dict[str, Any], profiles: dict[str, Profile], teams: set[str], defaults: Defaults,
             org: str) -> ServiceConfig:
    where = f"services.{raw.get('id')}"
    _known_fields(raw, SERVICE_FIELDS, where)
    if raw.get("team") not in teams:
        raise ConfigError(f"{where}.team: unknown team {raw.get('team')!r}")
    if raw.get("profile") not in profiles:
        raise ConfigError(f"{where}.profile: unknown profile {raw.get('profile')!r}")
    links = []
    for link in raw.get("repos") or []:
        if isinstance(link, str):
            links.append(ServiceRepo(f"{org}/{link}"))
        else:
            links.append(ServiceRepo(f"{org}/{link['repo']}", link.get("path")))
    if not links:
        raise ConfigError(f"{where}.repos: a service needs at least one repository")
    merge_style = raw.get("merge_style", defaults.merge_style)
    if merge_style not in MERGE_STYLES:
        raise ConfigError(f"{where}.merge_style: expected one of {MERGE_STYLES}")
    return ServiceConfig(
        id=raw["id"], team=raw["team"], profile=profiles[raw["profile"]], repos=tuple(links),
        environment=raw.get("environment", defaults.environment), merge_style=merge_style,
        lifecycle=raw.get("lifecycle", "production"), tier=raw.get("tier"),
        launched_days_ago=raw.get("launched_days_ago"),
    )


def parse_config(raw: dict[str, Any]) -> OrgConfig:
    """Check and type a parsed organisation file."""
    org = raw["organisation"]
    d = raw["defaults"]
    _known_fields(d, (f.name for f in fields(Defaults)), "defaults")
    defaults = Defaults(**{**d, "library_pr_hours": _pair(d["library_pr_hours"], "defaults.library_pr_hours")})
    profiles = {name: _profile(name, body) for name, body in raw["profiles"].items()}
    teams = tuple(
        TeamConfig(id=t["id"], name=t["name"], utc_offset=_offset(t["utc_offset"], f"teams.{t['id']}"),
                   size=t["size"], new_hires=t.get("new_hires", 0))
        for t in raw["teams"]
    )
    team_ids = {t.id for t in teams}
    services = tuple(_service(s, profiles, team_ids, defaults, org["github_org"]) for s in raw["services"])
    libraries = []
    for lib in raw.get("libraries", []):
        if lib["team"] not in team_ids:
            raise ConfigError(f"libraries.{lib['repo']}.team: unknown team {lib['team']!r}")
        libraries.append(Library(f"{org['github_org']}/{lib['repo']}", lib["team"],
                                 lib.get("merge_style", defaults.merge_style)))
    skew = raw.get("skewed_clock")
    if skew is not None:
        if skew["team"] not in team_ids:
            raise ConfigError(f"skewed_clock.team: unknown team {skew['team']!r}")
        skew = SkewedClock(skew["team"], float(skew["hours"]),
                           _pair(sorted(skew["days_ago"]), "skewed_clock.days_ago"))
    small = raw.get("small", {})
    unknown = set(small.get("services", [])) - {s.id for s in services}
    if unknown:
        raise ConfigError(f"small.services: unknown service(s) {sorted(unknown)}")
    return OrgConfig(
        name=org["name"], github_org=org["github_org"], seed=org["seed"], days=org["days"],
        defaults=defaults, profiles=profiles, teams=teams, services=services,
        libraries=tuple(libraries), skewed_clock=skew, small_services=tuple(small.get("services", [])),
        small_days=small.get("days", 30),
    )


DEFAULT_CONFIG = Path(__file__).with_name("organisation.toml")


def load_config(path: Path = DEFAULT_CONFIG) -> OrgConfig:
    """The organisation file at `path`, by default the one shipped in this package."""
    return parse_config(tomllib.loads(Path(path).read_text(encoding="utf-8")))
