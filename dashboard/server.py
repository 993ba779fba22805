"""Running the dashboard as a local Streamlit server, and knowing when it answers."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

__all__ = ["HOST", "app_path", "port_is_free", "start_server", "streamlit_command", "wait_until_serving"]

HOST = "127.0.0.1"
"""The dashboard listens on loopback only."""


def app_path() -> Path:
    """The Streamlit script of the dashboard (dashboard/app.py)."""
    return Path(__file__).with_name("app.py")


def streamlit_command(port: int) -> list[str]:
    """The command that serves the dashboard headless on HOST:`port`, without usage statistics.

    The toolbar is minimal: Streamlit's "Deploy" button means nothing for a local dashboard.
    """
    return [
        sys.executable, "-m", "streamlit", "run", str(app_path()),
        "--server.headless", "true",
        "--server.address", HOST,
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "minimal",
    ]


def start_server(db_path: Path, port: int) -> subprocess.Popen:
    """Start Streamlit serving the dashboard over `db_path` (as PITWALL_DB) on HOST:`port`."""
    env = {**os.environ, "PITWALL_DB": str(Path(db_path).absolute())}
    return subprocess.Popen(streamlit_command(port), env=env)


def port_is_free(port: int) -> bool:
    """Whether a server could listen on HOST:`port` now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def wait_until_serving(port: int, timeout: float = 60.0, server: subprocess.Popen | None = None) -> None:
    """Return once Streamlit's health check on HOST:`port` answers ok.

    TimeoutError after `timeout` seconds; RuntimeError as soon as `server` (when given) exits.
    """
    url = f"http://{HOST}:{port}/_stcore/health"
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never a proxy
    deadline = time.monotonic() + timeout
    while True:
        try:
            with direct.open(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if server is not None and server.poll() is not None:
            raise RuntimeError(f"the server exited with code {server.returncode} before {url} answered")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url}: no answer within {timeout:.0f} s")
        time.sleep(0.1)
