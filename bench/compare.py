"""How cost grows with size: the medians of bench/results/<size>.json side by side.

    python bench/compare.py [S M L]

One row per step: the median wall seconds, median CPU seconds and peak MB of each size found,
then the growth of the CPU seconds from the first size to each next one, against the growth of
the data (records). CPU seconds are the steadier figure on a shared machine.
"""
from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def load(sizes: list[str]) -> dict[str, dict]:
    found = {}
    for size in sizes:
        path = RESULTS / f"{size}.json"
        if path.exists():
            found[size] = json.loads(path.read_text())
    return found


def medians(document: dict) -> dict[str, tuple[float, float, float]]:
    """Per step: median wall seconds, median CPU seconds, peak MB."""
    return {step["name"]: (statistics.median(step["seconds"]), statistics.median(step["cpu_seconds"]),
                           max(step["peak_mb"]))
            for step in document["steps"] if step["seconds"]}


def table(found: dict[str, dict]) -> str:
    sizes = list(found)
    figures = {size: medians(document) for size, document in found.items()}
    records = {size: document["data"]["records"] for size, document in found.items()}
    base = sizes[0]
    growth = [f"x{records[s] / records[base]:,.0f} records {base}->{s}" for s in sizes[1:]]
    head = ["step", *[f"{s}: wall s / CPU s / peak MB" for s in sizes], *growth]
    rows = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|",
            "| records | " + " | ".join(f"{records[s]:,}" for s in sizes) + " |" + " |" * len(growth)]
    for name in figures[base]:
        cells = [f"{figures[s][name][0]:.2f} / {figures[s][name][1]:.2f} / {figures[s][name][2]:,.0f}"
                 if name in figures[s] else "-" for s in sizes]
        ratios = [f"CPU x{figures[s][name][1] / figures[base][name][1]:.1f}"
                  if name in figures[s] and figures[base][name][1] > 0 else "-" for s in sizes[1:]]
        rows.append("| " + " | ".join([name, *cells, *ratios]) + " |")
    return "\n".join(rows)


def main(argv: list[str]) -> int:
    found = load(argv or ["S", "M", "L"])
    if len(found) < 2:
        print(f"(no comparison: results of fewer than two sizes in {RESULTS})", file=sys.stderr)
        return 0
    print(table(found))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
