"""Provider pages the client cannot understand (tests/corpus/providers/) through the real
`pitwall sync github|gitlab|pagerduty`, over real HTTP to the fakes of tests/fakes/.

A proxy in front of the fake serves the corpus file as the first answer of one resource, so
nothing valid of that resource precedes it. The sync stops with one line `GET <url>: <what is
wrong>`, exit 2, the token appears nowhere, and nothing of the bad page is written: besides the
failed run in sync_runs and the derive_pending mark, the only tables changed are exactly those
the manifest says the valid answers before it wrote (streams synced earlier), and no raw document
of the bad page's stream or a later one is stored.
"""
from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from corpus_proxy import BadPageProxy
from corpus_support import CORPUS, build_base, copy_of, refused_line
from fakes import gitlab as fake_gitlab
from fakes import pagerduty as fake_pagerduty
from fakes.github import TOKEN as GITHUB_TOKEN
from fakes.github import FakeGitHub, FakeGitHubServer, delivery_history
from fakes.served import FakeServer

from helpers import run_pitwall, warehouse_fingerprint

PAGES = CORPUS / "providers"
EXPECTED: dict[str, dict[str, str]] = tomllib.loads((PAGES / "expected.toml").read_text(encoding="utf-8"))


def _github() -> tuple[Any, list[str], dict[str, str], str]:
    github = FakeGitHub()
    delivery_history(github, "acme/app")
    # One request in flight: the batches committed before the bad page are always the same ones.
    args = ["sync", "github", "--repo", "acme/app", "--concurrency", "1"]
    return FakeGitHubServer(github), args, {"GITHUB_TOKEN": GITHUB_TOKEN}, GITHUB_TOKEN


def _gitlab() -> tuple[Any, list[str], dict[str, str], str]:
    gitlab = fake_gitlab.FakeGitLab()
    fake_gitlab.delivery_history(gitlab, "acme/app")
    return fake_gitlab.FakeGitLabServer(gitlab), ["sync", "gitlab", "--project", "acme/app"], \
        {"GITLAB_TOKEN": fake_gitlab.TOKEN}, fake_gitlab.TOKEN


def _pagerduty() -> tuple[Any, list[str], dict[str, str], str]:
    pagerduty = fake_pagerduty.FakePagerDuty()
    pagerduty.incident("Q1", "PSVC001", datetime(2026, 3, 1, tzinfo=UTC), resolved=datetime(2026, 3, 1, 2, tzinfo=UTC))
    return FakeServer(pagerduty), ["sync", "pagerduty", "--since", "2026-01-01"], \
        {"PAGERDUTY_TOKEN": fake_pagerduty.TOKEN}, fake_pagerduty.TOKEN


PROVIDERS = {"github": _github, "gitlab": _gitlab, "pagerduty": _pagerduty}


def test_every_page_of_the_corpus_is_listed() -> None:
    assert sorted(EXPECTED) == sorted(p.name for p in PAGES.iterdir() if p.suffix == ".json")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_base(tmp_path_factory.mktemp("base"))


# A failed sync's bookkeeping: its run logged as failed, and the mark that the derived tables
# are to be refreshed (warehouse/pending.py). Every other table must keep its rows.
BOOKKEEPING = ("sync_runs", "derive_pending")


def _data(db: Path) -> dict[str, tuple[int, int]]:
    return {table: state for table, state in warehouse_fingerprint(db).items() if table not in BOOKKEEPING}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_page_the_client_cannot_understand_stops_the_sync_with_one_line(base: Path, tmp_path: Path,
                                                                          name: str) -> None:
    case = EXPECTED[name]
    server, args, env, token = PROVIDERS[name.split("-", 1)[0]]()
    db = copy_of(base, tmp_path)
    before = _data(db)
    with server, BadPageProxy(server.url, case["serve"], (PAGES / name).read_bytes()) as proxy:
        result = run_pitwall("--db", str(db), *args, "--api-url", proxy.url, cwd=tmp_path, env=env)
    assert proxy.served, "the bad page was never asked for"
    line = refused_line(result)
    origin = proxy.url.removesuffix(proxy.prefix)
    assert line.startswith(f"error: GET {origin}{proxy.served[0]}: "), line
    assert case["expect"] in line, line
    assert token not in result.stdout + result.stderr
    after = _data(db)
    changed = {table for table in before.keys() | after.keys() if before.get(table) != after.get(table)}
    # The writer thread may or may not have committed the batches before the bad page when the
    # sync stops, so only the tables those answers write may have changed: never one of the bad page's.
    assert changed <= set(case.get("earlier", [])), "tables written other than by the answers before the bad page"
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT status FROM sync_runs").fetchall() == [("failed",)]
        stored = {kind for (kind,) in con.execute("SELECT DISTINCT kind FROM raw_documents").fetchall()}
    kept = {"repo", "project", *case.get("kinds", [])}   # the documents of the streams synced before
    assert stored <= kept, f"answers of the bad page's stream or after it were stored: {stored - kept}"
