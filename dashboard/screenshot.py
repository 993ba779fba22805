"""Take the README's screenshot of the overview: `python -m dashboard.screenshot [--db ...] [--out ...]`.

Serves the dashboard over the warehouse on a free local port, opens it in Chromium (Playwright,
a dev dependency), waits for the tiles, saves a PNG and prints how long the page took to render.
"""
from __future__ import annotations

import argparse
import socket
import time
from pathlib import Path

from dashboard.server import HOST, start_server, wait_until_serving

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    """A port on HOST nothing listens on."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def capture(db: Path, out: Path, query: str = "", width: int = 1600, height: int = 1950) -> tuple[float, float]:
    """Save a screenshot of the overview over `db` to `out`.

    Returns the seconds from opening the page until the tiles showed, and until everything did.
    """
    from playwright.sync_api import expect, sync_playwright

    port = _free_port()
    server = start_server(db, port)
    try:
        wait_until_serving(port, server=server)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": width, "height": height})
            started = time.perf_counter()
            page.goto(f"http://{HOST}:{port}/?{query}")
            expect(page.get_by_test_id("stMetric").first).to_be_visible(timeout=60_000)
            tiles = time.perf_counter() - started
            expect(page.get_by_test_id("stPlotlyChart").nth(3)).to_be_visible(timeout=60_000)
            expect(page.get_by_test_id("stDataFrame").locator("canvas").first).to_be_visible(timeout=60_000)
            expect(page.get_by_test_id("stDownloadButton")).to_be_visible(timeout=60_000)
            expect(page.get_by_test_id("stMetric").nth(8)).to_be_visible(timeout=60_000)
            everything = time.perf_counter() - started
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return tiles, everything


def main() -> None:
    """Command line: --db (default ./pitwall.duckdb), --out (default docs/img/overview.png), --query."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("pitwall.duckdb"), help="the warehouse file")
    parser.add_argument("--out", type=Path, default=Path("docs/img/overview.png"), help="the PNG to write")
    parser.add_argument("--query", default="", help="URL query of the view, e.g. since=2024-01-01&until=2024-04-01")
    arguments = parser.parse_args()
    if not arguments.db.is_file():
        parser.error(f"{arguments.db}: no warehouse here (run `pitwall demo --no-serve` first)")
    tiles, everything = capture(arguments.db, arguments.out, arguments.query)
    print(f"wrote {arguments.out}: tiles shown after {tiles:.2f} s, the whole overview after {everything:.2f} s")


if __name__ == "__main__":
    main()
