"""`pitwall sync gitlab`: GitLab projects into the warehouse (registered on the `sync` group)."""
from __future__ import annotations

import os
import sys
from collections import Counter
from datetime import UTC, datetime

import click
import httpx

from ingest.gitlab import DEFAULT_API_URL, GitlabSettings, ProjectNotFound, make_client, sync_gitlab
from ingest.gitlab.client import TOKEN_VARIABLE
from ingest.http import AuthRejected, MalformedResponse, NotFound, PermissionDenied, RequestFailed
from ingest.page_errors import BadPage
from pitwall.context import AppContext, pass_app
from pitwall.errors import UserError
from pitwall.refresh import refresh_derived

DATE = click.DateTime(formats=["%Y-%m-%d"])


class GitlabSyncFailed(UserError):
    """GitLab kept failing (server errors, timeouts, rate limits): one line, exit 1."""

    exit_code = 1


def check_api_url(url: str, example: str, variable: str) -> None:
    """An http(s) URL without credentials, else a one-line error."""
    parsed = httpx.URL(url)
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise UserError(f"--api-url {url}: expected an http(s) URL such as {example}")
    if parsed.userinfo:
        raise UserError(f"--api-url must not carry credentials: put the token in {variable}")


def _print_progress(project: str, done: int, total: int, records: Counter) -> None:
    written = ", ".join(f"{count} {kind}" for kind, count in sorted(records.items())) or "nothing new"
    click.echo(f"[{done}/{total}] {project}: {written}", err=True)


@click.command("gitlab")
@click.option("--project", "projects", multiple=True, metavar="GROUP/PROJECT", help="A project path (repeatable).")
@click.option("--group", help="Every project of this group and its subgroups (archived ones skipped).")
@click.option("--api-url", default=DEFAULT_API_URL, show_default=True,
              help="The REST v4 root; self-managed: https://HOST/api/v4.")
@click.option("--since", type=DATE, help="First sync only: skip what changed before this date.")
@click.option("--environment", "environments", multiple=True, metavar="NAME",
              help="A production environment name, exactly as in GitLab (repeatable; default: production).")
@pass_app
def gitlab_command(app: AppContext, projects: tuple[str, ...], group: str | None, api_url: str,
                   since: datetime | None, environments: tuple[str, ...]) -> None:
    """Sync merge requests, reviews, deployments, pipelines and incidents from GitLab.

    The token is read from GITLAB_TOKEN (a personal, group or project access token with the
    read_api scope).
    """
    if not projects and not group:
        raise UserError("name what to sync: --project GROUP/PROJECT (repeatable) or --group GROUP")
    for name in projects:
        if "/" not in name.strip("/"):
            raise UserError(f"--project {name}: expected a project path such as GROUP/PROJECT")
    check_api_url(api_url, "https://HOST/api/v4", TOKEN_VARIABLE)
    token = os.environ.get(TOKEN_VARIABLE)
    if not token:
        raise UserError(f"{TOKEN_VARIABLE} is not set: create a token with the read_api scope "
                        f"(see docs/providers.md) and export it")
    settings = GitlabSettings(environments=environments or ("production",),
                              since=since.replace(tzinfo=UTC) if since else None)
    progress = _print_progress if sys.stderr.isatty() else None
    with app.open() as con, make_client(api_url, token) as client:
        try:
            summary = sync_gitlab(con, settings, client, projects=[p.strip("/") for p in projects],
                                  group=group, on_progress=progress)
        except (AuthRejected, PermissionDenied, NotFound, ProjectNotFound) as error:
            raise UserError(str(error)) from None
        except (MalformedResponse, BadPage) as error:  # a page it cannot understand: bad input (exit 2)
            raise UserError(str(error)) from None
        except RequestFailed as error:
            raise GitlabSyncFailed(str(error)) from None
        refresh_derived(con)
    click.echo(summary.line())
