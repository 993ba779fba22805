"""The shared HTTP client (ingest.http) set up for PagerDuty's REST API v2."""
from __future__ import annotations

from typing import Any

from ingest.http import HttpClient

__all__ = ["DEFAULT_API_URL", "TOKEN_VARIABLE", "make_client"]

DEFAULT_API_URL = "https://api.pagerduty.com"
TOKEN_VARIABLE = "PAGERDUTY_TOKEN"
HEADERS = {"Accept": "application/vnd.pagerduty+json;version=2"}


def make_client(api_url: str, token: str | None, **options: Any) -> HttpClient:
    """A client sending `Authorization: Token token=KEY` (a read-only REST API key)."""
    return HttpClient(api_url, token=token, token_name=TOKEN_VARIABLE, token_prefix="Token token=",
                      headers=HEADERS, **options)
