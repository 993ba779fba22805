"""Timings of the developer-experience figures on a warehouse (by default the demo organisation).

    .venv/bin/pitwall --db /tmp/devex-demo.duckdb demo --no-serve
    .venv/bin/python bench/devex_timings.py /tmp/devex-demo.duckdb [--config pitwall.toml]

Prints the median of five runs of every figure function per grouping, over the default 90-day
window (each devex_table / ci_table run computes the window and the previous period).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from metrics.devex import Scope, ci_table, devex_table, devex_weekly_series, new_hires_table  # noqa: E402
from metrics.dora import dora_table  # noqa: E402
from metrics.explain import devex_explain, dora_explain  # noqa: E402
from metrics.settings import MetricsSettings, load_metrics_settings  # noqa: E402
from metrics.window import GROUPINGS, default_window  # noqa: E402
from warehouse import connect  # noqa: E402

RUNS = 5


def median_seconds(work) -> float:
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def time_grouping(con, settings: MetricsSettings, since, until, group_by: str) -> dict[str, float]:
    """Median seconds of every figure function for one grouping."""
    scope = Scope(since, until, group_by)
    group = "all" if group_by == "org" else dora_table(con, since, until, group_by).loc[0, "group"]
    return {
        "dora_table": median_seconds(lambda: dora_table(con, since, until, group_by)),
        "devex_table": median_seconds(lambda: devex_table(con, scope, settings)),
        "new_hires_table": median_seconds(lambda: new_hires_table(con, scope, settings)),
        "ci_table": median_seconds(lambda: ci_table(con, scope, settings)),
        "devex_weekly_series": median_seconds(lambda: devex_weekly_series(con, scope, settings)),
        "dora_explain": median_seconds(lambda: dora_explain(con, since, until, group_by, group)),
        "devex_explain": median_seconds(lambda: devex_explain(con, scope, group, settings)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--config", type=Path, help="a pitwall.toml whose [metrics] table to use")
    options = parser.parse_args()
    settings = load_metrics_settings(options.config) if options.config else MetricsSettings()
    since, until = default_window()
    con = connect(options.db, read_only=True)
    print(f"window {since} .. {until}, median of {RUNS} runs, seconds")
    for group_by in GROUPINGS:
        timings = time_grouping(con, settings, since, until, group_by)
        print(f"--by {group_by:8}" + "  ".join(f"{name} {seconds:.3f}" for name, seconds in timings.items()))


if __name__ == "__main__":
    main()
