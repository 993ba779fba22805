"""`pitwall dashboard` end to end: the real console script, a real Streamlit server, real Chromium.

The warehouse is small_org_events (figures explained in tests/test_dashboard_app.py); the window
is fixed through the URL, so nothing depends on today's date.
"""
from __future__ import annotations

import csv
import io
import os
import signal
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from dashboard.server import port_is_free, wait_until_serving
from helpers import (
    free_port,
    run_pitwall,
    small_org_events,
    start_pitwall,
    warehouse_file,
)
from metrics.dora import DORA_COLUMNS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WINDOW = "since=2024-03-01&until=2024-03-29"
WAIT_MS = 60_000


@dataclass
class Server:
    """A running `pitwall dashboard`."""

    process: subprocess.Popen
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _stop(server: Server) -> int:
    """SIGTERM to `pitwall` (which stops its Streamlit child); its exit code. Kills the group if stuck."""
    server.process.send_signal(signal.SIGTERM)
    try:
        return server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()
        raise


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    db = warehouse_file(tmp_path, small_org_events())
    port = free_port()
    process = start_pitwall("--db", str(db), "dashboard", "--port", str(port), cwd=tmp_path,
                            log=tmp_path / "server.log")
    running = Server(process, port, tmp_path / "server.log")
    try:
        wait_until_serving(port, timeout=60, server=process)
        yield running
    finally:
        if process.poll() is None:
            _stop(running)


@pytest.fixture
def page() -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser: Browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(accept_downloads=True, viewport={"width": 1600, "height": 1200})
        finally:
            browser.close()


def tile(page: Page, label: str):
    """The metric element labelled `label`."""
    return page.get_by_test_id("stMetric").filter(has_text=label)


def test_the_dashboard_shows_every_page_in_chromium_and_stops_cleanly(server, page):
    page.goto(f"{server.url}/?{WINDOW}")
    expect(tile(page, "Deployment frequency")).to_contain_text("1.00/wk", timeout=WAIT_MS)
    expect(tile(page, "Deployment frequency")).to_contain_text("+0.50/wk")
    expect(tile(page, "Change lead time (p50)")).to_contain_text("45.0 h")
    expect(tile(page, "Change failure rate")).to_contain_text("25.0%")
    expect(tile(page, "Recovery time (p50)")).to_contain_text("7.0 h")
    expect(tile(page, "Rework rate")).to_contain_text("25.0%")
    expect(page.get_by_text("Overall tier: low")).to_be_visible()
    expect(page.get_by_text("no tier")).to_be_visible()
    expect(page.get_by_text("Tier: high")).to_have_count(3)
    expect(page.get_by_text("Tier: low", exact=True)).to_have_count(1)
    # The app writes the whole view into the URL, so the address bar reproduces it.
    expect(page).to_have_url(f"{server.url}/?{WINDOW}&by=team")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download this table as CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert rows[0] == DORA_COLUMNS
    assert [(row[0], row[1], float(row[4])) for row in rows[1:]] == [("payments", "2", 42.0), ("search", "2", 51.0)]

    page.goto(f"{server.url}/?{WINDOW}&team=payments")
    expect(tile(page, "Deployment frequency")).to_contain_text("0.50/wk", timeout=WAIT_MS)
    expect(tile(page, "Change failure rate")).to_contain_text("50.0%")

    _change_the_team_filter(page, server)
    _walk_every_page(page, server)

    assert _stop(server) == 0
    assert port_is_free(server.port), "the Streamlit server outlived `pitwall dashboard`"
    assert "Dashboard stopped." in server.log.read_text()


def _change_the_team_filter(page: Page, server: Server) -> None:
    """Choosing a team in the sidebar changes the tiles and the URL."""
    page.goto(f"{server.url}/?{WINDOW}")
    expect(tile(page, "Deployment frequency")).to_contain_text("1.00/wk", timeout=WAIT_MS)
    page.get_by_test_id("stSelectbox").filter(has_text="Team").click()
    page.get_by_role("option", name="search").click()
    expect(tile(page, "Change lead time (p50)")).to_contain_text("51.0 h", timeout=WAIT_MS)
    expect(tile(page, "Change failure rate")).to_contain_text("0.0%")
    expect(page).to_have_url(f"{server.url}/?{WINDOW}&by=team&team=search")


def _walk_every_page(page: Page, server: Server) -> None:
    """The sidebar leads to every page; each shows its figures for the window in the URL."""
    nav = page.get_by_test_id("stSidebarNav")
    for title in ("Teams", "Services & scorecards", "Delivery flow", "Data health", "Export", "Overview"):
        nav.get_by_role("link", name=title).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(
            "Delivery overview" if title == "Overview" else title, timeout=WAIT_MS)

    page.goto(f"{server.url}/teams?{WINDOW}&team=payments")
    expect(page.get_by_text("Team payments")).to_be_visible(timeout=WAIT_MS)
    page.goto(f"{server.url}/services?{WINDOW}&service=checkout")
    expect(page.get_by_text("Service checkout")).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_text("No scorecard results for this service", exact=False)).to_be_visible()
    page.goto(f"{server.url}/flow?{WINDOW}")
    expect(page.get_by_text("Pull-request size distribution (merged in the window)")).to_be_visible(timeout=WAIT_MS)
    page.goto(f"{server.url}/health?{WINDOW}")
    expect(tile(page, "Failed deployment attempts")).to_contain_text("1", timeout=WAIT_MS)
    expect(tile(page, "Unattributed incidents")).to_contain_text("1")

    page.goto(f"{server.url}/export?{WINDOW}")
    button = page.get_by_role("button", name="Download dora_by_team.csv")
    expect(button).to_be_visible(timeout=WAIT_MS)
    with page.expect_download() as download:
        button.click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert rows[0] == DORA_COLUMNS
    assert [(row[0], row[1], float(row[4])) for row in rows[1:]] == [("payments", "2", 42.0), ("search", "2", 51.0)]


def test_dashboard_refuses_a_missing_warehouse(tmp_path):
    result = run_pitwall("--db", str(tmp_path / "missing.duckdb"), "dashboard", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"error: {tmp_path / 'missing.duckdb'}: no warehouse here (run `pitwall import` or `pitwall demo` first)"]


def test_dashboard_refuses_a_port_in_use(tmp_path):
    db = warehouse_file(tmp_path, [])
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_pitwall("--db", str(db), "dashboard", "--port", str(port), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"error: port {port} on 127.0.0.1 is already in use; choose another with --port"]
