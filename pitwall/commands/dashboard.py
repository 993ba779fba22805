"""`pitwall dashboard`: serve the Streamlit dashboard over a warehouse file on 127.0.0.1."""
from __future__ import annotations

import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from dashboard.server import HOST, port_is_free, start_server
from pitwall.context import AppContext, pass_app
from pitwall.errors import UserError

__all__ = ["dashboard_command", "serve_dashboard"]

STOP_GRACE_SECONDS = 10


class _Stop(Exception):
    """SIGTERM arrived: stop the server as Ctrl-C would."""


@contextmanager
def _sigterm_stops() -> Iterator[None]:
    """While inside, SIGTERM raises _Stop (so the Streamlit child is never orphaned)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise _Stop()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _shut_down(process: subprocess.Popen) -> None:
    """Stop the server: SIGTERM, then SIGKILL when it does not exit within the grace period."""
    process.terminate()
    try:
        process.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def serve_dashboard(db_path: Path, port: int) -> None:
    """Serve the dashboard over `db_path` at http://127.0.0.1:`port` until Ctrl-C or SIGTERM.

    UserError when the port is taken; RuntimeError when Streamlit stops on its own with a failure.
    """
    if not port_is_free(port):
        raise UserError(f"port {port} on {HOST} is already in use; choose another with --port")
    process = start_server(db_path, port)
    click.echo(f"Pitwall dashboard: http://{HOST}:{port} (Ctrl-C to stop)")
    try:
        with _sigterm_stops():
            code = process.wait()
    except (KeyboardInterrupt, _Stop):
        _shut_down(process)
        click.echo("Dashboard stopped.")
        return
    if code != 0:
        raise RuntimeError(f"the dashboard server stopped with exit code {code}")


@click.command("dashboard")
@click.option("--port", type=click.IntRange(1, 65535), default=8501, show_default=True,
              help="Port on 127.0.0.1 to serve the dashboard on.")
@pass_app
def dashboard_command(app: AppContext, port: int) -> None:
    """Serve the Streamlit dashboard over the warehouse (read-only) at http://127.0.0.1:PORT."""
    if not app.db.is_file():
        raise UserError(f"{app.db}: no warehouse here (run `pitwall import` or `pitwall demo` first)")
    serve_dashboard(app.db, port)
