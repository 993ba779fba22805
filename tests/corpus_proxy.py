"""A real HTTP proxy in front of a fake provider (tests/fakes/) that serves one bad page.

Every request goes through to the fake, except those whose path and query match `pattern`:
they get the bytes of a corpus file instead (status 200, JSON content type), as a provider
answering nonsense would send them. Links the fake builds from the `Host` header point back at
the proxy, so paging goes through it too.
"""
from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import httpx

__all__ = ["BadPageProxy"]

# Headers that describe one hop or one encoding of the body, not the answer itself.
_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "host"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        proxy = self.server.proxy
        if proxy.claims(self.path):
            return self._reply(200, {"Content-Type": "application/json; charset=utf-8"}, proxy.body)
        headers = {name: value for name, value in self.headers.items() if name.lower() not in _HOP}
        headers["Host"] = self.headers.get("Host", "")
        answer = proxy.client.get(proxy.upstream + self.path, headers=headers)
        kept = {name: value for name, value in answer.headers.items() if name.lower() not in _HOP}
        self._reply(answer.status_code, kept, answer.content)

    def _reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    proxy: BadPageProxy

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up is expected here."""


class BadPageProxy:
    """Serve `body` for requests matching `pattern`, forward the rest to the fake at `upstream`
    (its origin, e.g. http://127.0.0.1:PORT), while the `with` block runs."""

    def __init__(self, upstream: str, pattern: str, body: bytes):
        split = urlsplit(upstream)
        self.upstream = f"{split.scheme}://{split.netloc}"
        self.prefix = split.path.rstrip("/")
        self.pattern = re.compile(pattern)
        self.body = body
        self.served: list[str] = []
        self.client = httpx.Client(timeout=30, follow_redirects=False)
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.proxy = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def url(self) -> str:
        """The API root to give `--api-url` (the fake's, on the proxy's port)."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{self.prefix}"

    def claims(self, target: str) -> bool:
        """Whether the request for `target` (path and query) gets the bad page."""
        if not self.pattern.search(target):
            return False
        with self._lock:
            self.served.append(target)
        return True

    def __enter__(self) -> BadPageProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self.client.close()
