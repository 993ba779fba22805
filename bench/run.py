"""Pitwall at scale: time every step on a data set of bench/generate.py (issue 9).

    python bench/run.py --size S|M|L|XS [--runs 5] [--import-runs N] [--work DIR] [--warehouse DB]

Generates the data set (cached), then measures each step in a fresh process, `--runs` times:
the import (`pitwall import`, into a new warehouse each run, derive included), the catalog
import, the derive step (`metrics.derive.derive` in process, and `pitwall config apply`), the
DORA query by org, team, service and repo and the devex query (end to end through `pitwall
metrics ... --format json`, process start included, and in process), a bare scan of the
columns each query reads (bench/probe.py SCANS: the floor), scorecard evaluation for every
service, the dashboard overview (AppTest: the first render of a fresh process without and with
a result cache entry for the snapshot, and a rerun) and `pitwall export`. Reports the median, min and
max, the peak memory of the measured process (its ru_maxrss, from wait4) and, for the metric
queries, the ratio to the bare scan. Writes bench/results/<size>.md and .json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import generate

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PROBE = ROOT / "bench" / "probe.py"
UNTIL = generate.END.date()
SINCE = UNTIL - timedelta(days=90)
GROUPINGS = ("org", "team", "service", "repo")


@dataclass(frozen=True)
class Target:
    """An issue-9 target for L: `limit` compared with the median (`at_least`: a throughput)."""

    text: str
    limit: float
    at_least: bool = False

    def met(self, value: float) -> bool:
        return value >= self.limit if self.at_least else value < self.limit


TARGETS = {
    "import": Target(">= 300,000 records/s", 300_000, at_least=True),
    "derive": Target("< 20 s", 20.0),
    "dora --by service (end to end)": Target("< 2 s", 2.0),
    "scorecards evaluate": Target("< 3 s", 3.0),
    "overview (first render)": Target("< 1.5 s", 1.5),
}
PEAK_MEMORY = Target("< 4 GB", 4096.0)


@dataclass
class Sample:
    seconds: float
    cpu: float        # user + system CPU seconds (all threads): steadier than wall time on a busy machine
    peak_mb: float
    extra: dict = field(default_factory=dict)


@dataclass
class Step:
    """A measured step: its samples, an optional throughput unit count and bare-scan step."""

    name: str
    samples: list[Sample] = field(default_factory=list)
    records: int | None = None      # records per run, for a throughput
    floor: str | None = None        # the name of the bare-scan step it is compared with
    error: str | None = None
    note: str = ""

    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    def peak_mb(self) -> float:
        return max(s.peak_mb for s in self.samples)


class ChildFailed(Exception):
    """A measured process exited with an error."""


def run_child(argv: list[str], cwd: Path) -> tuple[Sample, str]:
    """Run `argv` to completion; its wall and CPU time, its own peak RSS (wait4) and its output."""
    out_path, err_path = cwd / "child.out", cwd / "child.err"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        began = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - began
        process.returncode = os.waitstatus_to_exitcode(status)
    output = out_path.read_text(errors="replace")
    if process.returncode != 0:
        lines = err_path.read_text(errors="replace").strip().splitlines() or ["(no output)"]
        raise ChildFailed(f"exit {process.returncode} after {seconds:.0f} s, peak {usage.ru_maxrss / 1024:,.0f} MB: "
                          f"{lines[-1][:300]}")
    return Sample(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024), output


def pitwall(db: Path, *args: str) -> list[str]:
    script = Path(sys.executable).with_name("pitwall")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "pitwall"]
    return [*command, "--db", str(db), *args]


def probe(*args: str) -> list[str]:
    return [sys.executable, str(PROBE), *args]


class Bench:
    """The steps of one size, in order; each sample in a fresh process."""

    def __init__(self, size: str, data: Path, work: Path, runs: int, import_runs: int,
                 warehouse: Path | None = None):
        self.size, self.data, self.work, self.runs, self.import_runs = size, data, work, runs, import_runs
        self.db = warehouse or work / "warehouse.duckdb"
        self.manifest = json.loads((data / "manifest.json").read_text())
        self.steps: list[Step] = []

    def measure(self, step: Step, argv: Callable[[int], list[str]], runs: int,
                before: Callable[[int], None] | None = None, parse: bool = False) -> Step:
        """`runs` samples of the process `argv(run)`; a failure is recorded, not raised."""
        self.steps.append(step)
        for run in range(runs):
            if before is not None:
                before(run)
            try:
                sample, output = run_child(argv(run), self.work)
            except ChildFailed as error:
                step.error = str(error)
                break
            if parse:  # an in-process probe: its own clock, not the process's
                reported = json.loads(output.strip().splitlines()[-1])
                sample = Sample(reported.pop("seconds"), reported.pop("cpu"), sample.peak_mb, reported)
            step.samples.append(sample)
        status = f"{step.median():.3f} s median" if step.samples else f"FAILED {step.error}"
        print(f"  {step.name}: {status}", file=sys.stderr, flush=True)
        return step

    def run_all(self) -> None:
        files = [str(self.data / name) for name in self.manifest["files"]]
        window = ("--since", SINCE.isoformat(), "--until", UNTIL.isoformat())

        def fresh(run: int) -> None:
            for path in self.work.glob("import-*.duckdb*"):
                path.unlink()

        def into(run: int) -> list[str]:
            return pitwall(self.work / f"import-{run}.duckdb", "import", *files)

        if self.import_runs:
            imported = self.measure(Step("import", records=self.manifest["records"],
                                         note="pitwall import of every file, into a new warehouse; "
                                              "derive included"), into, self.import_runs, before=fresh)
            if not imported.samples:
                return
            for suffix in ("", ".wal"):
                last = self.work / f"import-{len(imported.samples) - 1}.duckdb{suffix}"
                if last.exists():
                    last.replace(Path(f"{self.db}{suffix}"))
            self.measure(Step("catalog import", note="pitwall catalog import (derive included)"),
                         lambda run: pitwall(self.db, "catalog", "import", str(self.data / "catalog")), 1)
        self.measure(Step("derive", note="metrics.derive.derive in process"),
                     lambda run: probe("derive", str(self.db)), self.runs, parse=True)
        self.measure(Step("derive: pitwall config apply", note="end to end"),
                     lambda run: pitwall(self.db, "config", "apply"), self.runs)
        self.measure(Step("bare scan: dora columns", note="bench/probe.py SCANS['dora']"),
                     lambda run: probe("scan", str(self.db), "dora", SINCE.isoformat(), UNTIL.isoformat()),
                     self.runs, parse=True)
        for by in GROUPINGS:
            self.measure(Step(f"dora --by {by} (end to end)", floor="bare scan: dora columns"),
                         lambda run, by=by: pitwall(self.db, "metrics", "dora", "--by", by, *window,
                                                    "--format", "json"), self.runs)
            self.measure(Step(f"dora --by {by} (in process)", floor="bare scan: dora columns",
                              note="metrics.dora.dora_table"),
                         lambda run, by=by: probe("dora", str(self.db), SINCE.isoformat(), UNTIL.isoformat(), by),
                         self.runs, parse=True)
        self.measure(Step("bare scan: devex columns", note="bench/probe.py SCANS['devex']"),
                     lambda run: probe("scan", str(self.db), "devex", SINCE.isoformat(), UNTIL.isoformat()),
                     self.runs, parse=True)
        self.measure(Step("devex --by org (end to end)", floor="bare scan: devex columns"),
                     lambda run: pitwall(self.db, "metrics", "devex", "--by", "org", *window, "--format", "json"),
                     self.runs)
        self.measure(Step("devex --by org (in process)", floor="bare scan: devex columns",
                          note="metrics.devex.devex_table, this and the previous period"),
                     lambda run: probe("devex", str(self.db), SINCE.isoformat(), UNTIL.isoformat(), "org"),
                     self.runs, parse=True)
        specs = [arg for spec in sorted((self.data / "scorecards").glob("*.yaml")) for arg in ("--spec", str(spec))]
        services = self.manifest["by_type"].get("service", 0)
        self.measure(Step("scorecards evaluate", note=f"3 scorecards x {services} services, results stored"),
                     lambda run: pitwall(self.db, "scorecards", "evaluate", *specs, "--date", UNTIL.isoformat(),
                                         "--format", "json"), self.runs)
        window_args = (str(self.db), SINCE.isoformat(), UNTIL.isoformat())
        overview = self.measure(Step("overview (first render)",
                                     note="AppTest, fresh process, no result cache entry (as after a new snapshot)"),
                                lambda run: probe("overview", *window_args, "cold"), self.runs, parse=True)

        def fill_result_cache(run: int) -> None:
            if run == 0:
                run_child(probe("overview", *window_args), self.work)

        self.measure(Step("overview (first render, cached)",
                          note="AppTest, fresh process, the result cache filled by an earlier process"),
                     lambda run: probe("overview", *window_args), self.runs, parse=True, before=fill_result_cache)
        rerun = Step("overview (rerun)", note="the same AppTest run again",
                     samples=[Sample(s.extra["rerun_seconds"], s.extra["rerun_cpu"], s.peak_mb)
                              for s in overview.samples],
                     error=overview.error)
        self.steps.append(rerun)
        self.measure(Step("export", note="pitwall export of the 90-day window"),
                     lambda run: pitwall(self.db, "export", "--out", str(self.work / "export"), *window),
                     self.runs, before=lambda run: shutil.rmtree(self.work / "export", ignore_errors=True))


def machine() -> dict:
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), "0")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True)
    return {
        "cores": os.cpu_count(), "memory_gb": round(int(memory) / 1024 / 1024, 1),
        "python": platform.python_version(), "duckdb": duckdb.__version__,
        "platform": platform.platform(), "commit": commit.stdout.strip() + ("+changes" if dirty.stdout else ""),
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average": round(os.getloadavg()[1], 1),
    }


def figure(step: Step) -> str:
    """The throughput of a step that has a record count (the import), else nothing."""
    if not step.samples:
        return ""
    if step.records:
        return f"{step.records / step.median():,.0f} records/s ({step.records / step.cpu():,.0f} per CPU s)"
    return ""


def target_cell(step: Step, size: str) -> tuple[str, str]:
    target = TARGETS.get(step.name)
    if target is None or not step.samples:
        return (target.text if target else ""), ""
    value = step.records / step.median() if step.records else step.median()
    if size != "L":
        return target.text, "(L target)"
    return target.text, "met" if target.met(value) else "**missed**"


def table(bench: Bench) -> str:
    floors = {s.name: s.median() for s in bench.steps if s.name.startswith("bare scan") and s.samples}
    head = ("| step | median s | min s | max s | CPU s | peak MB | throughput | / bare scan | L target | |\n"
            "|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
    rows = [head]
    for step in bench.steps:
        text, status = target_cell(step, bench.size)
        if not step.samples:
            rows.append(f"| {step.name} | failed: {step.error} | | | | | | | {text} | |")
            continue
        seconds = [s.seconds for s in step.samples]
        ratio = f"{step.median() / floors[step.floor]:.1f}x" if step.floor in floors else ""
        rows.append(f"| {step.name} | {step.median():.3f} | {min(seconds):.3f} | {max(seconds):.3f} "
                    f"| {step.cpu():.2f} | {step.peak_mb():,.0f} | {figure(step)} | {ratio} | {text} | {status} |")
    peak = max((s.peak_mb() for s in bench.steps if s.samples), default=0.0)
    met = "met" if PEAK_MEMORY.met(peak) else "**missed**"
    if any(s.error for s in bench.steps):
        met = "incomplete (a step failed)"
    rows.append(f"| peak memory, any step | | | | | {peak:,.0f} | | | {PEAK_MEMORY.text} "
                f"| {met if bench.size == 'L' else '(L target)'} |")
    return "\n".join(rows)


def report(bench: Bench, info: dict) -> str:
    manifest = bench.manifest
    kinds = ", ".join(f"{n:,} {t}" for t, n in manifest["by_type"].items())
    runs = {len(s.samples) for s in bench.steps if s.samples and s.name not in ("import", "catalog import")} or {0}
    imports = next((len(s.samples) for s in bench.steps if s.name == "import"), f"0 (warehouse {bench.db})")
    catalog = next((len(s.samples) for s in bench.steps if s.name == "catalog import"), 0)
    notes = "\n".join(f"- **{s.name}**: {s.note}" for s in bench.steps if s.note)
    return (f"## Size {bench.size}: {manifest['records']:,} records\n\n"
            f"{kinds}; window {SINCE} to {UNTIL} (90 days). Runs: import {imports}, catalog import {catalog}, "
            f"other steps {'/'.join(map(str, sorted(runs)))}. Machine: {info['cores']} cores, "
            f"{info['memory_gb']} GB, Python {info['python']}, DuckDB {info['duckdb']}; "
            f"commit {info['commit']}; {info['when']}; load average {info['start_load']} at the start, "
            f"{info['load_average']} (5 min) at the end.\n\n{table(bench)}\n\n{notes}\n")


def write_results(bench: Bench, info: dict, text: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{bench.size}.md").write_text(text)
    document = {
        "size": bench.size, "machine": info, "data": bench.manifest, "since": SINCE.isoformat(),
        "until": UNTIL.isoformat(),
        "steps": [{"name": s.name, "note": s.note, "error": s.error, "records": s.records, "floor": s.floor,
                   "seconds": [round(x.seconds, 4) for x in s.samples],
                   "cpu_seconds": [round(x.cpu, 4) for x in s.samples],
                   "peak_mb": [round(x.peak_mb, 1) for x in s.samples]} for s in bench.steps],
    }
    (RESULTS / f"{bench.size}.json").write_text(json.dumps(document, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=generate.CHOICES, required=True)
    parser.add_argument("--runs", type=int, default=5, help="samples of each step (default 5)")
    parser.add_argument("--import-runs", type=int, help="samples of the import (default: --runs)")
    parser.add_argument("--work", type=Path, help="scratch folder (default /tmp/pitwall-bench/work-<size>)")
    parser.add_argument("--warehouse", type=Path,
                        help="measure this warehouse, already holding the size's data and catalog, "
                             "instead of importing (no import steps; scorecard results are stored in it)")
    args = parser.parse_args(argv)
    began = time.monotonic()
    data = generate.default_folder(args.size, generate.DEFAULT_SEED)
    manifest = generate.ensure(args.size, data)
    print(generate.describe(manifest, data), file=sys.stderr, flush=True)
    work = args.work or generate.CACHE / f"work-{args.size}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    import_runs = 0 if args.warehouse else args.import_runs or args.runs
    bench = Bench(args.size, data, work, args.runs, import_runs, args.warehouse)
    start_load = round(os.getloadavg()[1], 1)
    bench.run_all()
    info = machine() | {"start_load": start_load}
    text = report(bench, info)
    write_results(bench, info, text)
    print(text)
    print(f"({time.monotonic() - began:.0f} s; written to {RESULTS / args.size}.md and .json)", file=sys.stderr)
    return 1 if any(s.error for s in bench.steps) else 0


if __name__ == "__main__":
    sys.exit(main())
