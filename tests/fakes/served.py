"""Serving a fake JSON API over real HTTP on 127.0.0.1, with injected faults and a request log.

A fake implements `Served`: `authorized(headers)`, `answer(path, query, host)` -> (status,
body, headers), `rate_limited(seconds)` -> the headers of its rate-limit answer; it may change
the answers of the canned faults (`refusal`), stamp every answer (`respond`: GitHub's ETags, 304s
and rate-limit headers) and refuse paths outside its API root (`outside`). `FakeServer` serves it
from a ThreadingHTTPServer in a background thread.

Fault kinds (`Served.fault`): status (5xx), retry_after (429 + Retry-After), reset (429 with the
provider's reset headers), forbidden (403), redirect (307 to `location`), drop, truncate, delay
(then the normal answer), block (held until released), and a hostile server echoing the
credentials (fakes.hostile): in an error (`echo`, with `status`), in the ETag of a normal answer
(`echo_etag`) or in its next-page link (`echo_link`). A fake may add kinds of its own to `refusal`.
"""
from __future__ import annotations

import json
import re
import socket
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from fakes import hostile

__all__ = ["Answer", "Fault", "Logged", "Served", "FakeServer"]

Answer = tuple[int, Any, dict[str, str]]            # status, JSON body, headers


@dataclass
class Fault:
    """An injected misbehaviour for requests whose path and query match `pattern`.

    `kind` is one of the module's fault kinds, or one the fake adds. `skip` matching requests pass
    first; then `times` of them misbehave (None: all of them). `seconds` is the reset/retry-after/
    delay; `status` the code for `status` and `echo`; `location` where `redirect` sends the client.
    """

    pattern: str
    kind: str
    times: int | None = 1
    skip: int = 0
    status: int = 500
    seconds: float = 1.0
    location: str = ""
    hits: int = 0
    seen: int = 0
    released: threading.Event = field(default_factory=threading.Event)

    def claims(self, target: str) -> bool:
        if not re.search(self.pattern, target):
            return False
        self.seen += 1
        if self.seen <= self.skip or (self.times is not None and self.hits >= self.times):
            return False
        self.hits += 1
        return True

    def release(self) -> None:
        """Let a held (`block`) request answer."""
        self.released.set()


@dataclass
class Logged:
    """One request the server answered: its path (API prefix removed) with query, its status (0: the
    connection was dropped, -1: held), and whether it carried `If-None-Match`."""

    path: str
    status: int
    conditional: bool


class Served(ABC):
    """The request log and faults every served fake shares; subclasses answer the requests."""

    prefix = ""                                      # the API root's path, e.g. /api/v4
    content_type = "application/json"
    unauthorized: Any = {"message": "401 Unauthorized"}
    outside: Any = None      # the 404 body for a path outside `prefix` (None: such paths are answered)

    def __init__(self) -> None:
        self.faults: list[Fault] = []
        self.log: list[Logged] = []
        self.in_flight = 0                           # requests being answered now
        self.max_in_flight = 0                       # the most answered at once
        self._lock = threading.Condition()

    @abstractmethod
    def authorized(self, headers: Any) -> bool:
        """Whether the request's credentials are the fake's token."""

    @abstractmethod
    def answer(self, path: str, query: list[tuple[str, str]], host: str) -> Answer:
        """(status, body, headers) for a request the faults let through; `host` is the API root URL."""

    @abstractmethod
    def rate_limited(self, seconds: float) -> dict[str, str]:
        """The headers of a rate-limited answer that resets in `seconds`."""

    def refusal(self, fault: Fault) -> Answer | None:
        """The answer of a canned fault; None for the kinds the server acts out."""
        canned = {
            "status": (fault.status, {"message": "Internal Server Error"}, {}),
            "retry_after": (429, {"message": "Retry later"}, {"Retry-After": str(int(fault.seconds))}),
            "forbidden": (403, {"message": "403 Forbidden"}, {}),
            "redirect": (307, {"message": "Moved"}, {"Location": fault.location}),
        }
        if fault.kind == "reset":
            return 429, {"message": "Rate limit exceeded"}, self.rate_limited(fault.seconds)
        return canned.get(fault.kind)

    def respond(self, status: int, raw: bytes, request: Any) -> tuple[int, dict[str, str]]:
        """The status to send for an answer of `status` whose body is `raw`, to a request with
        headers `request`, and the headers the fake puts on it first (304: sent without a body)."""
        return status, {}

    def fault(self, pattern: str, kind: str, **options: Any) -> Fault:
        """Inject a fault for requests matching `pattern` (a regular expression over path?query)."""
        fault = Fault(pattern, kind, **options)
        self.faults.append(fault)
        return fault

    def requests(self, pattern: str = "", status: int | None = None) -> list[Logged]:
        """The logged requests whose path matches `pattern` (and answered `status`, when given)."""
        with self._lock:
            return [entry for entry in self.log
                    if re.search(pattern, entry.path) and (status is None or entry.status == status)]

    def wait_for_requests(self, count: int, timeout: float = 30.0) -> bool:
        """Block until at least `count` requests arrived (or the timeout passed)."""
        with self._lock:
            return self._lock.wait_for(lambda: len(self.log) >= count, timeout=timeout)

    def clear_log(self) -> None:
        with self._lock:
            self.log.clear()

    def record(self, target: str, status: int, conditional: bool = False) -> None:
        with self._lock:
            self.log.append(Logged(target, status, conditional))
            self._lock.notify_all()

    def claim_fault(self, target: str) -> Fault | None:
        with self._lock:
            return next((fault for fault in self.faults if fault.claims(target)), None)

    @contextmanager
    def answering(self) -> Iterator[None]:
        """Count a request in flight while it is answered."""
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            yield
        finally:
            with self._lock:
                self.in_flight -= 1


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True   # headers and body go out in two writes: no 40 ms delayed ACK
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        with self.server.fake.answering():
            self._get()

    def _get(self) -> None:
        fake = self.server.fake
        split = urlsplit(self.path)
        if fake.outside is not None and not split.path.startswith(fake.prefix + "/"):
            return self._send(404, fake.outside, split.path)
        target = split.path.removeprefix(fake.prefix) + (f"?{split.query}" if split.query else "")
        if not fake.authorized(self.headers):
            return self._send(401, fake.unauthorized, target)
        fault = fake.claim_fault(target)
        if fault is not None and self._misbehave(fault, target):
            return
        self._answer(target)

    def _answer(self, target: str, truncate: bool = False, overrides: dict[str, str] | None = None) -> None:
        fake = self.server.fake
        split = urlsplit(self.path)
        status, body, headers = fake.answer(split.path.removeprefix(fake.prefix), parse_qsl(split.query),
                                            f"http://{self.headers.get('Host')}{fake.prefix}")
        self._send(status, body, target, {**headers, **(overrides or {})}, truncate)

    def _send(self, status: int, body: Any, target: str, headers: dict[str, str] | None = None,
              truncate: bool = False, reason: str | None = None) -> None:
        fake = self.server.fake
        raw = json.dumps(body).encode()
        status, stamped = fake.respond(status, raw, self.headers)
        fake.record(target, status, bool(self.headers.get("If-None-Match")))
        if status == 304:
            return self._write(304, None, stamped, b"")
        if truncate:
            raw = raw[: max(1, len(raw) // 2)]
        self._write(status, reason, {"Content-Type": fake.content_type, **stamped, **(headers or {})}, raw)

    def _write(self, status: int, reason: str | None, headers: dict[str, str], raw: bytes) -> None:
        self.send_response(status, reason)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _hang_up(self) -> None:
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def _misbehave(self, fault: Fault, target: str) -> bool:
        """Act out `fault`; False when the request should then be answered normally."""
        fake = self.server.fake
        refused = fake.refusal(fault)
        if refused is not None:
            status, body, headers = refused
            self._send(status, body, target, headers)
        elif fault.kind == "drop":
            fake.record(target, 0)
            self._hang_up()
        elif fault.kind == "truncate":
            self._answer(target, truncate=True)
        elif fault.kind == "echo":
            self._send(fault.status, hostile.echo_body(self.headers), target,
                       reason=hostile.echo_reason(self.headers))
        elif fault.kind == "echo_etag":
            self._answer(target, overrides={"ETag": hostile.echo_etag(self.headers)})
        elif fault.kind == "echo_link":
            here = f"http://{self.headers.get('Host')}{self.path}"
            self._answer(target, overrides={"Link": hostile.echo_link(here, self.headers)})
        elif fault.kind == "delay":
            threading.Event().wait(fault.seconds)
            return False
        elif fault.kind == "block":
            fake.record(target, -1)
            fault.released.wait(timeout=60)
            self._hang_up()
        else:
            raise ValueError(f"unknown fault kind {fault.kind}")
        return True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: Served

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (killed, timed out) is expected here, not worth a traceback."""


class FakeServer:
    """Serve a fake on 127.0.0.1 (a free port) while the `with` block runs."""

    def __init__(self, fake: Served):
        self.fake = fake
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = fake
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def url(self) -> str:
        """The API root to give `--api-url`."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{self.fake.prefix}"

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for fault in self.fake.faults:
            fault.release()
        self._server.shutdown()
        self._server.server_close()
