"""Take the README's screenshots of every page: `python -m dashboard.screenshot [--db ...] [--out-dir ...]`.

Serves the dashboard over the warehouse on a free local port (one server for all pages), opens
each page in Chromium (Playwright, a dev dependency), waits until its last section shows, saves
a PNG per page and prints how long each page took to render.
"""
from __future__ import annotations

import argparse
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from dashboard.server import HOST, start_server, wait_until_serving

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WAIT_MS = 120_000


@dataclass(frozen=True)
class Shot:
    """One page to capture: its URL path and extra query, the PNG's name, the text its last section shows."""

    path: str
    query: str
    file: str
    last_text: str
    height: int


SHOTS = (
    Shot("", "", "overview.png", "Biggest movers", 3000),
    Shot("teams", "team=payments", "teams.png", "Services and scorecard levels", 1700),
    Shot("services", "", "services.png", "Services by scorecard", 1500),
    Shot("services", "service=referral-service", "service.png", "Incidents attributed to them", 2600),
    Shot("flow", "", "flow.png", "CI health", 2200),
    Shot("health", "", "health.png", "Unmapped repos", 1900),
    Shot("export", "", "export.png", "One table at a time", 1500),
)


def _free_port() -> int:
    """A port on HOST nothing listens on."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def capture(db: Path, out_dir: Path, query: str = "", width: int = 1600) -> dict[str, float]:
    """Save a screenshot of every page over `db` into `out_dir`; seconds each page took to render."""
    from playwright.sync_api import expect, sync_playwright

    port = _free_port()
    server = start_server(db, port)
    timings = {}
    try:
        wait_until_serving(port, server=server)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for shot in SHOTS:
                page = browser.new_page(viewport={"width": width, "height": shot.height})
                started = time.perf_counter()
                page.goto(f"http://{HOST}:{port}/{shot.path}?{'&'.join(q for q in (query, shot.query) if q)}")
                expect(page.get_by_text(shot.last_text, exact=True)).to_be_visible(timeout=WAIT_MS)
                expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=WAIT_MS)  # run finished
                expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=WAIT_MS)      # nothing pending
                tables = page.get_by_test_id("stDataFrame")
                for index in range(tables.count()):   # the grids draw on a canvas once they are laid out
                    expect(tables.nth(index).locator("canvas").first).to_be_visible(timeout=WAIT_MS)
                    expect(tables.nth(index).locator("table td").first).to_be_attached(timeout=WAIT_MS)
                timings[shot.file] = time.perf_counter() - started
                out_dir.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(out_dir / shot.file), full_page=True)
                page.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return timings


def main() -> None:
    """Command line: --db (default ./pitwall.duckdb), --out-dir (default docs/img), --query."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("pitwall.duckdb"), help="the warehouse file")
    parser.add_argument("--out-dir", type=Path, default=Path("docs/img"), help="the folder to write the PNGs into")
    parser.add_argument("--query", default="", help="URL query for every page, e.g. since=2024-01-01&until=2024-04-01")
    arguments = parser.parse_args()
    if not arguments.db.is_file():
        parser.error(f"{arguments.db}: no warehouse here (run `pitwall demo --no-serve` first)")
    for name, seconds in capture(arguments.db, arguments.out_dir, arguments.query).items():
        print(f"wrote {arguments.out_dir / name}: rendered after {seconds:.2f} s")


if __name__ == "__main__":
    main()
