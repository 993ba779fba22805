"""What a hostile (or careless) API server does with the credentials it was sent: echo them back.

The fakes' `echo*` faults use these: an error body and a reason phrase repeating the credential
header as is, base64-encoded and URL-encoded; an ETag made of it; a next-page link (same origin)
carrying it in its query. A client that keeps secrets must print and store none of it.
"""
from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

__all__ = ["CREDENTIAL_HEADERS", "credential", "echo_text", "echo_body", "echo_reason", "echo_etag", "echo_link"]

CREDENTIAL_HEADERS = ("Authorization", "PRIVATE-TOKEN")


def credential(headers: Any) -> str:
    """The credential header's value the request carried ('' without one)."""
    return next((headers[name] for name in CREDENTIAL_HEADERS if headers.get(name)), "")


def echo_text(value: str) -> str:
    """`value` as is, base64-encoded (alone and inside `Basic user:value`) and URL-encoded."""
    encoded = base64.b64encode(value.encode()).decode()
    return f"{value} (base64 {encoded}, Basic {base64.b64encode(f'x:{value}'.encode()).decode()}, " \
           f"url {quote(value, safe='')})"


def echo_body(headers: Any) -> dict[str, Any]:
    """An error body that repeats the credential, GitHub/GitLab style (`message`) and PagerDuty
    style (`error.message`)."""
    text = f"Bad request; you sent {echo_text(credential(headers))}"
    return {"message": text, "error": {"message": text, "errors": [text]}}


def echo_reason(headers: Any) -> str:
    """A reason phrase repeating the credential."""
    return f"Rejected {credential(headers)}"


def echo_etag(headers: Any) -> str:
    """An ETag made of the credential."""
    return f'W/"{credential(headers)}"'


def echo_link(url: str, headers: Any) -> str:
    """A `Link` header whose next page (on `url`, the same origin) carries the credential."""
    separator = "&" if "?" in url else "?"
    return f'<{url}{separator}access_token={quote(credential(headers), safe="")}&page=2>; rel="next"'
