"""The one HTTP client every provider ingester shares.

It follows `Link` pagination, sends conditional requests (`If-None-Match`), waits out primary and
secondary rate limits with a visible message, retries server errors, timeouts, dropped
connections and malformed JSON with bounded exponential backoff and jitter, and bounds the
number of requests in flight across threads. The token travels in a header only, and only to
the API's own origin (a redirect elsewhere loses it): it never appears in a URL, a message, an
error or a stored answer. Whatever a server echoes back is scrubbed of it (ingest.scrub): bodies
before they are parsed, headers, reason phrases; a next-page link that carries it is refused.
"""
from __future__ import annotations

import email.utils
import json
import random
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from ingest.scrub import Scrubber

__all__ = [
    "HttpClient", "Response", "ListResult", "RetryPolicy", "RequestStats", "parse_link_header",
    "rate_limit_delay", "HttpError", "AuthRejected", "PermissionDenied", "NotFound", "RequestFailed",
    "MalformedResponse", "Cancelled",
]

Params = Mapping[str, str | int] | None


class HttpError(Exception):
    """A request failed for good; the message names the method and URL, never the token."""

    def __init__(self, message: str, *, url: str, status: int | None = None):
        super().__init__(message)
        self.url = url
        self.status = status


class AuthRejected(HttpError):
    """401: the token is missing, wrong or expired."""


class PermissionDenied(HttpError):
    """403 that is not a rate limit: the token lacks a permission."""


class NotFound(HttpError):
    """404: no such resource, or the token may not see it."""


class RequestFailed(HttpError):
    """Another 4xx, or a server/connection failure that outlasted every retry."""


class MalformedResponse(HttpError):
    """The body was not valid JSON, every time it was asked for."""


class Cancelled(Exception):
    """The client was cancelled (another part of the sync failed or the user interrupted)."""


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts and backoff for failures, waits for rate limits."""

    attempts: int = 6               # tries per request for 5xx, timeouts, dropped connections, bad JSON
    base_delay: float = 1.0         # first backoff (seconds), doubled each retry ...
    max_delay: float = 60.0         # ... up to this; the jitter takes a random 50-100 % of it
    secondary_wait: float = 60.0    # a secondary rate limit that names no time to wait
    max_rate_limit_waits: int = 20  # per request, then give up


@dataclass
class RequestStats:
    """Counters over the client's life (shared by every thread)."""

    requests: int = 0          # HTTP requests sent, retries included
    not_modified: int = 0      # answered 304 (free against the rate limit)
    rate_limit_waits: int = 0  # pauses for a rate limit
    retries: int = 0           # backoffs after failures


@dataclass(frozen=True)
class Response:
    """One answered request: its status, headers and parsed JSON (None for a 304)."""

    url: str
    status: int
    headers: httpx.Headers
    data: Any = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def next_url(self) -> str | None:
        return parse_link_header(self.headers.get("link", "")).get("next")


@dataclass(frozen=True)
class ListResult:
    """Every item of a paginated list; `etag` only when it fit on one page (else a 304 proves nothing)."""

    items: list[Any] | None    # None when the conditional request was answered 304
    etag: str | None
    pages: int

    @property
    def not_modified(self) -> bool:
        return self.items is None


_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="([^"]+)"')


def parse_link_header(header: str) -> dict[str, str]:
    """`Link: <url>; rel="next", <url>; rel="last"` -> {"next": url, "last": url}."""
    links: dict[str, str] = {}
    for url, rels in _LINK.findall(header or ""):
        for rel in rels.split():
            links.setdefault(rel, url)
    return links


def _retry_after_seconds(value: str, now: float) -> float | None:
    """A Retry-After header: seconds, or an HTTP date."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - now)


def _reset_seconds(value: str, now: float) -> float | None:
    """A rate-limit reset header: epoch seconds (GitHub, GitLab) or seconds from now (PagerDuty)."""
    try:
        number = float(value)
    except ValueError:
        return None
    return max(0.0, number - now) if number > 1_000_000_000 else number


def _looks_like_rate_limit(text: str) -> bool:
    lowered = text.lower()
    return "rate limit" in lowered or "abuse" in lowered


def rate_limit_delay(status: int, headers: httpx.Headers, body: str, now: float,
                     policy: RetryPolicy) -> tuple[float, str] | None:
    """(seconds to wait, reason) when a 403/429 answer is a rate limit; None when it is not.

    Primary limit: remaining 0, wait until the reset. Secondary: honour retry-after, else
    wait `policy.secondary_wait`. A 403 with none of these signals is a missing permission.
    """
    if status not in (403, 429):
        return None
    retry_after = headers.get("retry-after")
    if retry_after is not None:
        seconds = _retry_after_seconds(retry_after, now)
        if seconds is not None:
            return seconds, "rate limited (retry-after)"
    remaining = headers.get("x-ratelimit-remaining", headers.get("ratelimit-remaining"))
    if remaining is not None and remaining.strip() == "0":
        reset = headers.get("x-ratelimit-reset", headers.get("ratelimit-reset"))
        seconds = _reset_seconds(reset, now) if reset is not None else None
        if seconds is not None:
            return seconds + 1.0, "rate limit exhausted"
        return policy.secondary_wait, "rate limit exhausted"
    if status == 429 or _looks_like_rate_limit(body):
        return policy.secondary_wait, "secondary rate limit"
    return None


def _message_of(response: httpx.Response) -> str:
    """The provider's own error message (JSON `message`), else the reason phrase."""
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return data["message"]
    return response.reason_phrase or "error"


def _stderr_notice(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class _Pause:
    """The instant (client clock) before which no request may be sent: a rate limit in force."""

    until: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


class HttpClient:
    """GET-only JSON client for one API base URL, safe to share between threads.

    `sleep` and `clock` are injectable so tests can wait out rate limits without waiting.
    Every message goes through `on_notice` (stderr by default): rate-limit waits and retries.
    """

    def __init__(self, base_url: str, *, token: str | None = None, token_name: str = "the token",
                 auth_scheme: str = "Bearer", headers: Mapping[str, str] | None = None,
                 token_header: str = "Authorization", token_prefix: str | None = None,
                 max_in_flight: int = 8, timeout: float = 30.0, policy: RetryPolicy = RetryPolicy(),
                 sleep: Callable[[float], None] | None = None, clock: Callable[[], float] = time.time,
                 jitter: Callable[[], float] = random.random,
                 on_notice: Callable[[str], None] = _stderr_notice):
        self.base_url = base_url.rstrip("/")
        self._origin = httpx.URL(self.base_url)
        self._scrub = Scrubber(token)
        self._token_name = token_name
        self._token_header = token_header if token else None
        self.policy = policy
        self._clock = clock
        self._jitter = jitter
        self._on_notice = on_notice
        self._cancel = threading.Event()
        self._sleep = sleep or self._cancellable_sleep
        self._slots = threading.BoundedSemaphore(max_in_flight)
        self._pause = _Pause()
        self._stats_lock = threading.Lock()
        self.stats = RequestStats()
        default_headers = {"User-Agent": "pitwall", **(headers or {})}
        if token:
            # `token_header`/`token_prefix` serve providers that do not use `Authorization: Bearer`
            # (GitLab: `PRIVATE-TOKEN: KEY`; PagerDuty: `Authorization: Token token=KEY`).
            prefix = f"{auth_scheme} " if token_prefix is None else token_prefix
            default_headers[token_header] = f"{prefix}{token}"
        # Redirects (a renamed repository answers 301) are followed; one that leads to another
        # origin loses the token header (httpx itself only drops `Authorization`, not GitLab's).
        self._http = httpx.Client(
            headers=default_headers, timeout=timeout, follow_redirects=True,
            event_hooks={"request": [self._keep_token_home]},
            limits=httpx.Limits(max_connections=max_in_flight, max_keepalive_connections=max_in_flight))

    # --- life cycle -------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def cancel(self) -> None:
        """Make every waiting or future request raise Cancelled."""
        self._cancel.set()

    # --- URLs -------------------------------------------------------------------------------

    def url(self, path_or_url: str, params: Params = None) -> str:
        """The absolute URL of an API path (or an absolute URL on the API's own origin)."""
        if path_or_url.startswith(("http://", "https://")):
            url = httpx.URL(path_or_url)
            if (url.scheme, url.host, url.port) != (self._origin.scheme, self._origin.host, self._origin.port):
                raise self._error(RequestFailed, f"refusing to follow {url.copy_with(query=None)}: outside "
                                  f"the API at {self.base_url}", str(url))
        else:
            url = httpx.URL(self.base_url + "/" + path_or_url.lstrip("/"))
        if params:
            url = url.copy_merge_params({key: str(value) for key, value in params.items()})
        return str(url)

    # --- requests ---------------------------------------------------------------------------

    def get(self, path_or_url: str, *, params: Params = None, etag: str | None = None,
            allow: tuple[int, ...] = ()) -> Response:
        """GET one resource. A 304 comes back as a Response without data; statuses in `allow`
        come back instead of raising. Rate limits are waited out, failures retried."""
        url = self.url(path_or_url, params)
        failures = 0
        rate_limit_waits = 0
        while True:
            self._wait_out_pause()
            if self._cancel.is_set():
                raise Cancelled()
            response = self._send(url, etag)
            if isinstance(response, str):
                failures += 1
                self._back_off(failures, url, response)
                continue
            wait = None
            if response.status_code in (403, 429):
                wait = rate_limit_delay(response.status_code, response.headers, response.text,
                                        self._clock(), self.policy)
            if wait is not None:
                rate_limit_waits += 1
                if rate_limit_waits > self.policy.max_rate_limit_waits:
                    raise self._error(RequestFailed, f"GET {url}: still rate limited after "
                                      f"{rate_limit_waits - 1} waits", url, response.status_code)
                self._start_pause(wait[0], url, wait[1])
                continue
            self._note_remaining(response)
            headers = self._safe_headers(url, response.headers)
            if response.status_code == 304:
                self._count("not_modified")
                return Response(url, 304, headers)
            if response.status_code >= 500:
                failures += 1
                self._back_off(failures, url, f"{response.status_code} {response.reason_phrase}")
                continue
            if response.status_code >= 400 and response.status_code not in allow:
                raise self._client_error(url, response)
            data = _json_or_malformed(self._scrub(response.text))
            if data is _MALFORMED:
                failures += 1
                self._back_off(failures, url, "the response is not valid JSON", malformed=True)
                continue
            return Response(url, response.status_code, headers, data)

    def pages(self, path_or_url: str, *, params: Params = None, etag: str | None = None,
              allow: tuple[int, ...] = ()) -> Iterator[Response]:
        """Every page of a list, following `Link: rel="next"`; only the first is conditional.

        A first page answered 304 is yielded alone (nothing changed since `etag`), and so is
        a first page answered with a status in `allow`.
        """
        response = self.get(path_or_url, params=params, etag=etag, allow=allow)
        yield response
        while response.status == 200 and response.next_url:
            response = self.get(response.next_url)
            yield response

    def get_all(self, path_or_url: str, *, params: Params = None, etag: str | None = None,
                items: Callable[[Response], list[Any]] = lambda page: page.data) -> ListResult:
        """All items of a (small) paginated list; `items` picks the list out of each page."""
        collected: list[Any] = []
        count = 0
        first_etag = None
        for page in self.pages(path_or_url, params=params, etag=etag):
            if page.not_modified:
                return ListResult(None, etag, 1)
            count += 1
            if count == 1:
                first_etag = page.etag
            collected.extend(items(page))
        return ListResult(collected, first_etag if count == 1 else None, count)

    # --- internals --------------------------------------------------------------------------

    def _count(self, name: str, amount: int = 1) -> None:
        with self._stats_lock:
            setattr(self.stats, name, getattr(self.stats, name) + amount)

    def _send(self, url: str, etag: str | None) -> httpx.Response | str:
        """One GET; a connection failure comes back as a short phrase (no exception to chain)."""
        headers = {"If-None-Match": etag} if etag else {}
        try:
            with self._slots:
                self._count("requests")
                return self._http.get(url, headers=headers)
        except httpx.RequestError as error:
            return _describe_transport_error(error)

    def _keep_token_home(self, request: httpx.Request) -> None:
        """Drop the token header from a request (a redirect) to another origin than the API's."""
        if self._token_header and (request.url.scheme, request.url.host, request.url.port) != (
                self._origin.scheme, self._origin.host, self._origin.port):
            request.headers.pop(self._token_header, None)

    def _safe_headers(self, url: str, headers: httpx.Headers) -> httpx.Headers:
        """`headers` scrubbed of the token; a next-page link carrying it is refused, not followed."""
        if self._scrub.finds(headers.get("link", "")):
            raise self._error(RequestFailed, f"GET {url}: the answer's next-page link carries "
                                             f"{self._token_name}; refusing to follow it", url)
        return httpx.Headers([(name, self._scrub(value)) for name, value in headers.multi_items()])

    def _error(self, kind: type[HttpError], message: str, url: str, status: int | None = None) -> HttpError:
        """An error of `kind` whose message and URL are scrubbed of the token."""
        return kind(self._scrub(message), url=self._scrub(url), status=status)

    def _notice(self, message: str) -> None:
        self._on_notice(self._scrub(message))

    def _cancellable_sleep(self, seconds: float) -> None:
        if self._cancel.wait(seconds):
            raise Cancelled()

    def _start_pause(self, seconds: float, url: str, reason: str) -> None:
        """Hold every thread's requests for `seconds`; announce it once."""
        with self._pause.lock:
            until = self._clock() + seconds
            fresh = until > self._pause.until + 0.5
            self._pause.until = max(self._pause.until, until)
        if fresh:
            self._count("rate_limit_waits")
            clock_time = time.strftime("%H:%M:%S", time.gmtime(until)) if until > 1_000_000_000 else None
            when = f" (until {clock_time} UTC)" if clock_time else ""
            self._notice(f"{reason} on GET {url}: waiting {seconds:.0f} s{when}")

    def _wait_out_pause(self) -> None:
        delay = self._pause.until - self._clock()
        if delay > 0:
            self._sleep(delay)

    def _note_remaining(self, response: httpx.Response) -> None:
        """A success that used the last request of the budget: pause until the reset, quietly
        ahead of the 403 that would follow."""
        if response.headers.get("x-ratelimit-remaining", "").strip() != "0":
            return
        reset = response.headers.get("x-ratelimit-reset")
        seconds = _reset_seconds(reset, self._clock()) if reset else None
        if seconds:
            self._start_pause(seconds + 1.0, str(response.url), "rate limit used up")

    def _back_off(self, failures: int, url: str, what: str, *, malformed: bool = False) -> None:
        """Sleep before retry number `failures`, or raise once the attempts are spent."""
        if failures >= self.policy.attempts:
            error = MalformedResponse if malformed else RequestFailed
            raise self._error(error, f"GET {url}: {what} (gave up after {failures} attempts)", url)
        ceiling = min(self.policy.max_delay, self.policy.base_delay * 2 ** (failures - 1))
        delay = ceiling / 2 + self._jitter() * ceiling / 2
        self._count("retries")
        self._notice(f"GET {url}: {what}; retrying in {delay:.1f} s "
                     f"(attempt {failures + 1} of {self.policy.attempts})")
        self._sleep(delay)

    def _client_error(self, url: str, response: httpx.Response) -> HttpError:
        status = response.status_code
        message = _message_of(response)
        head = f"GET {url}: {status} {message}"
        if status == 401:
            return self._error(AuthRejected, f"{head}: {self._token_name} was rejected", url, status)
        if status == 403:
            return self._error(PermissionDenied, f"{head}: {self._token_name} lacks a permission", url, status)
        if status == 404:
            return self._error(NotFound, head, url, status)
        return self._error(RequestFailed, head, url, status)


_MALFORMED = object()


def _json_or_malformed(text: str) -> Any:
    """The JSON value of `text`, or `_MALFORMED` (no exception to chain: it would carry the text)."""
    try:
        return json.loads(text)
    except ValueError:
        return _MALFORMED


def _describe_transport_error(error: httpx.RequestError) -> str:
    """A short phrase for a connection-level failure (never the request headers)."""
    if isinstance(error, httpx.TimeoutException):
        return "timed out"
    if isinstance(error, httpx.RemoteProtocolError):
        return "connection dropped"
    if isinstance(error, httpx.TooManyRedirects):
        return "too many redirects"
    return f"connection failed ({type(error).__name__})"
