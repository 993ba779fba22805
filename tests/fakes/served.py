"""Serving a fake JSON API over real HTTP on 127.0.0.1, with injected faults (GitLab, PagerDuty).

A fake implements `Served`: `authorized(headers)`, `answer(path, query, host)` -> (status,
body, headers), `rate_limited(seconds)` -> the headers of its rate-limit 429, and keeps the
faults (fakes.github.Fault) and the request log. Fault kinds: status (5xx), retry_after (429 +
Retry-After), reset (429 with the provider's reset headers), forbidden (403), drop, truncate,
block (held until released), and a hostile server echoing the credentials (fakes.hostile): in an
error (`echo`, with `status`), in the ETag of a normal answer (`echo_etag`) or in its next-page
link (`echo_link`); `redirect` sends the client to `location` (307).
"""
from __future__ import annotations

import json
import re
import socket
import threading
from abc import ABC, abstractmethod
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from fakes import hostile
from fakes.github import Fault, Logged

__all__ = ["Served", "FakeServer"]


class Served(ABC):
    """The request log and faults every served fake shares; subclasses answer the requests."""

    prefix = ""                                      # the API root's path, e.g. /api/v4
    unauthorized: Any = {"message": "401 Unauthorized"}

    def __init__(self) -> None:
        self.faults: list[Fault] = []
        self.log: list[Logged] = []
        self._lock = threading.Condition()

    @abstractmethod
    def authorized(self, headers: Any) -> bool:
        """Whether the request's credentials are the fake's token."""

    @abstractmethod
    def answer(self, path: str, query: list[tuple[str, str]], host: str) -> tuple[int, Any, dict[str, str]]:
        """(status, body, headers) for a request the faults let through."""

    @abstractmethod
    def rate_limited(self, seconds: float) -> dict[str, str]:
        """The headers of a rate-limited answer that resets in `seconds`."""

    def fault(self, pattern: str, kind: str, **options: Any) -> Fault:
        fault = Fault(pattern, kind, **options)
        self.faults.append(fault)
        return fault

    def requests(self, pattern: str = "") -> list[Logged]:
        with self._lock:
            return [entry for entry in self.log if re.search(pattern, entry.path)]

    def wait_for_requests(self, count: int, timeout: float = 30.0) -> bool:
        with self._lock:
            return self._lock.wait_for(lambda: len(self.log) >= count, timeout=timeout)

    def record(self, target: str, status: int) -> None:
        with self._lock:
            self.log.append(Logged(target, status, False))
            self._lock.notify_all()

    def claim_fault(self, target: str) -> Fault | None:
        with self._lock:
            return next((fault for fault in self.faults if fault.claims(target)), None)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        fake = self.server.fake
        split = urlsplit(self.path)
        target = split.path.removeprefix(fake.prefix) + (f"?{split.query}" if split.query else "")
        if not fake.authorized(self.headers):
            return self._send(401, fake.unauthorized, target)
        fault = fake.claim_fault(target)
        if fault is not None and self._misbehave(fault, target):
            return
        self._answer(split, target)

    def _answer(self, split: Any, target: str, truncate: bool = False,
                overrides: dict[str, str] | None = None) -> None:
        fake = self.server.fake
        status, body, headers = fake.answer(split.path.removeprefix(fake.prefix), parse_qsl(split.query),
                                            f"http://{self.headers.get('Host')}{fake.prefix}")
        self._send(status, body, target, {**headers, **(overrides or {})}, truncate)

    def _send(self, status: int, body: Any, target: str, headers: dict[str, str] | None = None,
              truncate: bool = False, reason: str | None = None) -> None:
        self.server.fake.record(target, status)
        raw = json.dumps(body).encode()
        if truncate:
            raw = raw[: max(1, len(raw) // 2)]
        self.send_response(status, reason)
        for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _hang_up(self) -> None:
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def _misbehave(self, fault: Fault, target: str) -> bool:
        fake = self.server.fake
        if fault.kind == "status":
            self._send(fault.status, {"message": "Internal Server Error"}, target)
        elif fault.kind == "retry_after":
            self._send(429, {"message": "Retry later"}, target, {"Retry-After": str(int(fault.seconds))})
        elif fault.kind == "reset":
            self._send(429, {"message": "Rate limit exceeded"}, target, fake.rate_limited(fault.seconds))
        elif fault.kind == "forbidden":
            self._send(403, {"message": "403 Forbidden"}, target)
        elif fault.kind == "drop":
            fake.record(target, 0)
            self._hang_up()
        elif fault.kind == "truncate":
            self._answer(urlsplit(self.path), target, truncate=True)
        elif fault.kind == "echo":
            self._send(fault.status, hostile.echo_body(self.headers), target,
                       reason=hostile.echo_reason(self.headers))
        elif fault.kind == "redirect":
            self._send(307, {"message": "Moved"}, target, {"Location": fault.location})
        elif fault.kind == "echo_etag":
            self._answer(urlsplit(self.path), target, overrides={"ETag": hostile.echo_etag(self.headers)})
        elif fault.kind == "echo_link":
            here = f"http://{self.headers.get('Host')}{self.path}"
            self._answer(urlsplit(self.path), target, overrides={"Link": hostile.echo_link(here, self.headers)})
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
        """A client that hung up is expected here."""


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
