"""The shared HTTP client (ingest.http) set up for GitLab, and GitLab's offset pagination."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

from ingest.http import HttpClient, Response
from ingest.page_errors import BadPage

__all__ = ["DEFAULT_API_URL", "TOKEN_VARIABLE", "make_client", "listed", "pages", "project_path"]

DEFAULT_API_URL = "https://gitlab.com/api/v4"
TOKEN_VARIABLE = "GITLAB_TOKEN"
PER_PAGE = 100


def make_client(api_url: str, token: str | None, *, concurrency: int = 8, **options: Any) -> HttpClient:
    """A client for the REST v4 API at `api_url`; the token travels as `PRIVATE-TOKEN`."""
    return HttpClient(api_url, token=token, token_name=TOKEN_VARIABLE, token_header="PRIVATE-TOKEN",
                      token_prefix="", max_in_flight=concurrency, **options)


def project_path(project: str, tail: str = "") -> str:
    """`/projects/group%2Fproject/tail`: the project path is one URL-encoded segment."""
    return f"/projects/{quote(project, safe='')}{tail}"


def _next_page(response: Response, path: str, params: Mapping[str, Any]) -> tuple[str, Mapping[str, Any] | None] | None:
    """Where the next page is: the `Link` header when present, else `x-next-page` (empty on the last)."""
    if response.next_url:
        return response.next_url, None
    number = response.headers.get("x-next-page", "").strip()
    if not number:
        return None
    return path, {**params, "page": number}


def listed(client: HttpClient, path: str, params: Mapping[str, Any] | None = None) -> Iterator[tuple[str, list[Any]]]:
    """(URL, items) of every page of a list, page by page; a page that is not a list is BadPage."""
    query: Mapping[str, Any] = {"per_page": PER_PAGE, **(params or {})}
    target: tuple[str, Mapping[str, Any] | None] | None = (path, query)
    while target is not None:
        response = client.get(target[0], params=target[1])
        if not isinstance(response.data or [], list):
            raise BadPage(response.url, f"expected a list, got {type(response.data).__name__}")
        yield response.url, list(response.data or [])
        target = _next_page(response, path, query)


def pages(client: HttpClient, path: str, params: Mapping[str, Any] | None = None) -> Iterator[list[Any]]:
    """The items of every page of a list, page by page."""
    for _, items in listed(client, path, params):
        yield items
