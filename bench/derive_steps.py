"""Where derive spends its time: wall and CPU seconds per SQL statement, and peak memory.

    python bench/derive_steps.py WAREHOUSE [--keep | --in-place]

Runs metrics.derive.derive on a copy of WAREHOUSE (the file itself is never written; --keep
leaves the copy, WAREHOUSE.derived, for comparing its tables; --in-place derives WAREHOUSE
itself, for a scratch copy too big to copy again) under the memory limit of warehouse.connect
(PITWALL_MEMORY_LIMIT). Time spent between statements (Python-side reads and work) shows as
"between statements"; the commit walk runs in a thread of its own while the statements after
it run, so its time shows in theirs. CPU seconds count every thread.
"""
from __future__ import annotations

import argparse
import resource
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metrics.derive import derive  # noqa: E402
from warehouse import connect  # noqa: E402

SHOWN = 0.05  # seconds (wall or CPU) below which a statement is left out


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class TimedConnection:
    """A connection whose execute() records (wall, cpu, first words of the statement)."""

    def __init__(self, con):
        self._con = con
        self.steps: list[tuple[float, float, str]] = []
        self._since = (time.perf_counter(), cpu_seconds())

    def execute(self, query: str, *args, **kwargs):
        started = (time.perf_counter(), cpu_seconds())
        self.steps.append((started[0] - self._since[0], started[1] - self._since[1], "between statements"))
        result = self._con.execute(query, *args, **kwargs)
        self._since = (time.perf_counter(), cpu_seconds())
        words = " ".join(line.strip() for line in query.strip().splitlines() if not line.lstrip().startswith("--"))
        self.steps.append((self._since[0] - started[0], self._since[1] - started[1], words[:90]))
        return result

    def __getattr__(self, name: str):
        return getattr(self._con, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--keep", action="store_true", help="keep the derived copy WAREHOUSE.derived")
    where.add_argument("--in-place", action="store_true", help="derive WAREHOUSE itself (no copy)")
    options = parser.parse_args()
    copy = options.warehouse if options.in_place else options.warehouse.with_name(options.warehouse.name + ".derived")
    if not options.in_place:
        shutil.copyfile(options.warehouse, copy)
    try:
        con = TimedConnection(connect(copy))
        wall, cpu = time.perf_counter(), cpu_seconds()
        summary = derive(con)
        wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
        con.close()
    finally:
        if not (options.keep or options.in_place):
            copy.unlink(missing_ok=True)
            Path(f"{copy}.wal").unlink(missing_ok=True)
    print(f"{'wall s':>8} {'cpu s':>8}  statement")
    for step_wall, step_cpu, words in con.steps:
        if step_wall >= SHOWN or step_cpu >= SHOWN:
            print(f"{step_wall:8.2f} {step_cpu:8.2f}  {words}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{wall:8.2f} {cpu:8.2f}  derive: {summary.deployments:,} deployments, "
          f"{summary.shipped_commits:,} shipped commits, {summary.rollbacks:,} rollbacks; peak RSS {peak:,.0f} MB")


if __name__ == "__main__":
    main()
