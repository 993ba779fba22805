"""Running the hostile-input corpus (tests/corpus/) through the real CLI.

Each case runs `pitwall` in a subprocess against its own copy of one warehouse built beforehand,
and must be refused the way every user error is: exit code 2, nothing on stdout, no traceback,
exactly one stderr line naming the input and what is wrong (commands that list problems add
their fixed closing line, `error: 1 problem(s); nothing was imported`), and the warehouse
exactly as it was (every table's rows, by `warehouse_fingerprint`).
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

from helpers import ROOT, run_pitwall, small_org_events, warehouse_file, warehouse_fingerprint, write_ndjson

CORPUS = ROOT / "tests" / "corpus"
# The closing line of commands that list problems before they give up (import, catalog, scorecards).
CLOSING = re.compile(r"^error: 1 (bad line|problem)\(s\); (nothing was imported|no scorecard was evaluated)$")
# A sync's notice of a retry (tests/corpus/providers/*-truncated.json): progress, not the error.
RETRY_NOTICE = re.compile(r"^GET \S+: .*; retrying in [0-9.]+ s \(attempt \d+ of \d+\)$")

SPEC = """id: readiness
levels: [Bronze]
rules:
  - id: has-owner
    level: Bronze
    check: {fact: owner, op: exists}
"""
CATALOG = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
spec:
  type: service
  owner: group:payments
  lifecycle: production
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: payments
spec:
  type: team
"""


@dataclass(frozen=True)
class Case:
    """One corpus case: its file (if any) and the fragment its error line must hold."""

    name: str
    expect: str
    path: Path | None = None


def cases(entry: str) -> list[Case]:
    """The cases of `tests/corpus/<entry>/` as its expected.toml lists them; every file is listed."""
    folder = CORPUS / entry
    expected = tomllib.loads((folder / "expected.toml").read_text(encoding="utf-8"))
    files = sorted(p.name for p in folder.iterdir() if p.name not in ("expected.toml", "README.md"))
    assert sorted(expected) == files, f"{folder}/expected.toml must list exactly the files of the folder"
    return [Case(name, fragment, folder / name) for name, fragment in expected.items()]


def build_base(folder: Path) -> Path:
    """A warehouse holding a small organisation, its catalog and one scorecard evaluation."""
    db = warehouse_file(folder, small_org_events())
    (folder / "catalog-info.yaml").write_text(CATALOG, encoding="utf-8")
    (folder / "spec.yaml").write_text(SPEC, encoding="utf-8")
    for args in (["catalog", "import", "catalog-info.yaml"],
                 ["scorecards", "evaluate", "--spec", "spec.yaml", "--date", "2024-03-28"]):
        done = run_pitwall("--db", str(db), *args, cwd=folder)
        assert done.returncode == 0, done.stderr
    return db


def copy_of(base: Path, folder: Path) -> Path:
    """A copy of the warehouse file `base` in `folder`, for one case to run against."""
    db = folder / "warehouse.duckdb"
    shutil.copyfile(base, db)
    return db


def good_events(folder: Path) -> Path:
    """A valid event file: a command that fails on other input would have written it."""
    return write_ndjson(folder / "good.ndjson", [{"type": "team", "id": "sre", "name": "SRE"}])


def refused_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one line a refused command printed (its closing line and retry notices aside); fails
    unless the command exited 2 with nothing on stdout, no traceback, and exactly one such line."""
    assert "Traceback" not in result.stderr + result.stdout, result.stderr[-2000:]
    assert (result.returncode, result.stdout) == (2, ""), (result.returncode, result.stdout[-500:],
                                                          result.stderr[-2000:])
    lines = [line for line in result.stderr.splitlines() if not (CLOSING.match(line) or RETRY_NOTICE.match(line))]
    assert len(lines) == 1, f"expected one error line, got {lines!r}"[:3000]
    return lines[0]


def assert_refused(result: subprocess.CompletedProcess[str], names: str, fragment: str) -> None:
    """Refused with one line that names the input (`names`) and holds `fragment`."""
    line = refused_line(result)
    assert names in line, f"{names!r} not named in {line!r}"
    assert fragment in line, f"{fragment!r} not in {line!r}"
    assert len(line) < 1000, f"an error line of {len(line)} characters"


def run_case(base: Path, folder: Path, *args: str,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `pitwall --db COPY ARGS` in `folder` against a copy of `base`; assert the warehouse
    is left exactly as it was, and return the result."""
    db = copy_of(base, folder)
    before = warehouse_fingerprint(db)
    result = run_pitwall("--db", str(db), *args, cwd=folder, env=env)
    assert warehouse_fingerprint(db) == before, "the warehouse changed"
    return result
