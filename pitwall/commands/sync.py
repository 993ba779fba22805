"""`pitwall sync github` and `pitwall rebuild`: provider data into the warehouse."""
from __future__ import annotations

import os
import re
import sys
from collections import Counter
from collections.abc import Callable
from datetime import UTC

import click
import httpx

from ingest.github import (
    DEFAULT_API_URL,
    GithubSettings,
    RepositoryNotFound,
    make_client,
    rebuild_github,
    sync_github,
)
from ingest.http import AuthRejected, MalformedResponse, NotFound, PermissionDenied, RequestFailed
from ingest.page_errors import BadPage
from metrics.settings import MetricsSettings
from pitwall.context import AppContext, pass_app
from pitwall.errors import UserError
from pitwall.refresh import refresh_derived
from pitwall.settings import settings_in_force
from warehouse.transaction import transaction

TOKEN_VARIABLE = "GITHUB_TOKEN"
REPO_NAME = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
DATE = click.DateTime(formats=["%Y-%m-%d"])


class SyncFailed(UserError):
    """The provider kept failing (server errors, timeouts, rate limits): one line, exit 1."""

    exit_code = 1


def mapping_options(command: Callable) -> Callable:
    """The settings that decide how raw GitHub data maps to canonical rows (sync and rebuild)."""
    command = click.option("--deployments-from", type=click.Choice(["deployments", "releases"]),
                           default="deployments", show_default=True,
                           help="The deployment signal: the Deployments API, or published releases "
                                "(for repositories without deployments).")(command)
    command = click.option("--incident-label", "incident_labels", multiple=True, metavar="LABEL",
                           help="Issues carrying this label (any case) are incidents (repeatable; "
                                "default: ingest.incident_labels of pitwall.toml, else incident).")(command)
    return click.option("--environment", "environments", multiple=True, metavar="NAME",
                        help="A production environment name (repeatable; compared case-insensitively; "
                             "default: metrics.production_environments of pitwall.toml, else production, "
                             "prod, prd).")(command)


def _settings(environments: tuple[str, ...], incident_labels: tuple[str, ...], deployments_from: str,
              **more) -> GithubSettings:
    """The GitHub settings: the options given, else those of pitwall.toml, else the defaults."""
    in_force = settings_in_force()
    try:
        return GithubSettings(environments=environments or in_force.metrics.production_environments,
                              incident_labels=incident_labels or in_force.ingest.incident_labels,
                              deployments_from=deployments_from, **more)
    except ValueError as error:
        raise UserError(f"invalid option: {error}") from None


def _metrics_settings(settings: GithubSettings) -> MetricsSettings:
    """The metrics settings in force, with the production environments this run used."""
    return settings_in_force().metrics.model_copy(update={"production_environments": settings.environments})


def _check_api_url(url: str) -> None:
    parsed = httpx.URL(url)
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise UserError(f"--api-url {url}: expected an http(s) URL such as https://HOST/api/v3")
    if parsed.userinfo:
        raise UserError("--api-url must not carry credentials: put the token in GITHUB_TOKEN")


def _print_progress(repo: str, done: int, total: int, records: Counter) -> None:
    written = ", ".join(f"{count} {kind}" for kind, count in sorted(records.items())) or "nothing new"
    click.echo(f"[{done}/{total}] {repo}: {written}", err=True)


@click.group("sync")
def sync_group() -> None:
    """Fetch data from a provider's API into the warehouse (incremental, resumable)."""


@sync_group.command("github")
@click.option("--repo", "repos", multiple=True, metavar="OWNER/NAME", help="A repository (repeatable).")
@click.option("--org", help="Every repository of this organisation (archived ones and forks skipped).")
@click.option("--api-url", default=DEFAULT_API_URL, show_default=True,
              help="The REST API root; GitHub Enterprise Server: https://HOST/api/v3.")
@click.option("--since", type=DATE, help="First sync only: skip what changed before this date.")
@mapping_options
@click.option("--include-archived", is_flag=True, help="With --org: also archived repositories.")
@click.option("--include-forks", is_flag=True, help="With --org: also forks.")
@click.option("--concurrency", type=click.IntRange(1, 64), default=8, show_default=True,
              help="Requests in flight at most.")
@pass_app
def github_command(app: AppContext, repos: tuple[str, ...], org: str | None, api_url: str, since,
                   environments: tuple[str, ...], incident_labels: tuple[str, ...], deployments_from: str,
                   include_archived: bool, include_forks: bool, concurrency: int) -> None:
    """Sync pull requests, reviews, deployments, incidents and workflow runs from GitHub.

    The token is read from GITHUB_TOKEN (fine-grained: read access to Contents, Pull requests,
    Deployments, Issues and Actions; classic: repo).
    """
    if not repos and not org:
        raise UserError("name what to sync: --repo OWNER/NAME (repeatable) or --org ORG")
    for name in repos:
        if not REPO_NAME.match(name):
            raise UserError(f"--repo {name}: expected OWNER/NAME")
    _check_api_url(api_url)
    token = os.environ.get(TOKEN_VARIABLE)
    if not token:
        raise UserError(f"{TOKEN_VARIABLE} is not set: create a token with read access "
                        f"(see docs/providers.md) and export it")
    settings = _settings(environments, incident_labels, deployments_from, api_url=api_url,
                         since=since.replace(tzinfo=UTC) if since else None,
                         include_archived=include_archived, include_forks=include_forks,
                         concurrency=concurrency)
    progress = _print_progress if sys.stderr.isatty() else None
    with app.open() as con, make_client(settings, token) as client:
        try:
            summary = sync_github(con, settings, client, repos=list(repos), org=org, on_progress=progress)
        except (AuthRejected, PermissionDenied, NotFound, RepositoryNotFound) as error:
            raise UserError(str(error)) from None
        except (MalformedResponse, BadPage) as error:  # a page it cannot understand: bad input (exit 2)
            raise UserError(str(error)) from None
        except RequestFailed as error:
            raise SyncFailed(str(error)) from None
        refresh_derived(con, _metrics_settings(settings))
    click.echo(summary.line())


@click.command("rebuild")
@mapping_options
@pass_app
def rebuild_command(app: AppContext, environments: tuple[str, ...], incident_labels: tuple[str, ...],
                    deployments_from: str) -> None:
    """Re-derive the GitHub rows from the stored raw JSON (offline) with these settings (one transaction)."""
    settings = _settings(environments, incident_labels, deployments_from)
    with app.open() as con, transaction(con):
        summary = rebuild_github(con, settings)
        refresh_derived(con, _metrics_settings(settings))
    click.echo(summary.line())
