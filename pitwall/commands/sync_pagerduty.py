"""`pitwall sync pagerduty`: PagerDuty incidents into the warehouse (registered on the `sync` group)."""
from __future__ import annotations

import os
import re
from datetime import UTC, datetime

import click

from ingest.http import AuthRejected, MalformedResponse, NotFound, PermissionDenied, RequestFailed
from ingest.page_errors import BadPage
from ingest.pagerduty import (
    DEFAULT_API_URL,
    TOKEN_VARIABLE,
    PagerdutySettings,
    TooManyIncidents,
    make_client,
    sync_pagerduty,
)
from pitwall.commands.sync_gitlab import check_api_url
from pitwall.context import AppContext, pass_app
from pitwall.errors import UserError
from pitwall.refresh import refresh_derived
from pitwall.settings import settings_in_force

DATE = click.DateTime(formats=["%Y-%m-%d"])
SERVICE_ID = re.compile(r"^[A-Z0-9]+$")


class PagerdutySyncFailed(UserError):
    """PagerDuty kept failing (server errors, timeouts, rate limits): one line, exit 1."""

    exit_code = 1


@click.command("pagerduty")
@click.option("--service", "services", multiple=True, metavar="ID",
              help="Only this PagerDuty service (repeatable; default: every service the key sees).")
@click.option("--api-url", default=DEFAULT_API_URL, show_default=True, help="The REST API root.")
@click.option("--since", type=DATE, help="First sync only: start here (default: a year back).")
@pass_app
def pagerduty_command(app: AppContext, services: tuple[str, ...], api_url: str, since: datetime | None) -> None:
    """Sync incidents from PagerDuty; each PagerDuty service maps to a Pitwall service through
    [ingest.pagerduty] services in pitwall.toml or the catalog annotation pagerduty.com/service-id.

    The key is read from PAGERDUTY_TOKEN (a read-only REST API key).
    """
    for service in services:
        if not SERVICE_ID.match(service):
            raise UserError(f"--service {service}: expected a PagerDuty service id such as PXXXXXX")
    check_api_url(api_url, "https://api.pagerduty.com", TOKEN_VARIABLE)
    token = os.environ.get(TOKEN_VARIABLE)
    if not token:
        raise UserError(f"{TOKEN_VARIABLE} is not set: create a read-only REST API key "
                        f"(see docs/providers.md) and export it")
    settings = PagerdutySettings(service_ids=services, since=since.replace(tzinfo=UTC) if since else None)
    configured = dict(settings_in_force().ingest.pagerduty.services)
    with app.open() as con, make_client(api_url, token) as client:
        try:
            summary = sync_pagerduty(con, settings, client, configured_services=configured)
        except (AuthRejected, PermissionDenied, NotFound) as error:
            raise UserError(str(error)) from None
        except (MalformedResponse, BadPage) as error:  # a page it cannot understand: bad input (exit 2)
            raise UserError(str(error)) from None
        except (RequestFailed, TooManyIncidents) as error:
            raise PagerdutySyncFailed(str(error)) from None
        refresh_derived(con)
    click.echo(summary.line())
