"""Secrets: every provider synced with a known token, through faults and a hostile server that
echoes the token back, and then every output searched for it (and its URL and base64 encodings).

Searched: stdout and stderr of every run, every file the runs left in their folder and in HOME
(the warehouse, its WAL, any snapshot or log, the export's CSV files and the members of its zip),
the text of every row of every table of every DuckDB file there (the raw JSON included: DuckDB
compresses strings, so the file bytes alone prove little), the client's notices, and the text of
the errors it raises in-process (str, repr, arguments, attributes, chained exceptions).
"""
from __future__ import annotations

import base64
import os
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import duckdb
import pytest
from fakes import hostile
from fakes.common import VirtualClock
from fakes.github import FakeGitHub, FakeGitHubServer, delivery_history
from fakes.gitlab import FakeGitLab, FakeGitLabServer
from fakes.gitlab import delivery_history as gitlab_history
from fakes.pagerduty import FakePagerDuty
from fakes.served import FakeServer

from helpers import run_pitwall
from ingest.github import GithubSettings
from ingest.github import make_client as github_client
from ingest.gitlab import make_client as gitlab_client
from ingest.http import AuthRejected, HttpClient, HttpError, RequestFailed, RetryPolicy
from ingest.pagerduty import make_client as pagerduty_client

# Distinctive tokens; `+`, `/` and `=` make the URL-encoded forms differ from the raw one.
GITHUB_TOKEN = "ghp_PitwallCanary0GitHub0Secret0000000001"
GITLAB_TOKEN = "glpat-Pitwall+Canary/GitLab=Secret02"
PAGERDUTY_TOKEN = "u+Pitwall/Canary=PagerDuty0Secret03"
REMOTE_SECRET = "RemotePassw0rd+Canary/04"
ALL_TOKENS = {"GITHUB_TOKEN": GITHUB_TOKEN, "GITLAB_TOKEN": GITLAB_TOKEN, "PAGERDUTY_TOKEN": PAGERDUTY_TOKEN}
QUICK = RetryPolicy(attempts=3, base_delay=0.5, max_delay=2.0, secondary_wait=5.0)


# --- the search --------------------------------------------------------------------------------

def leak_forms(secret: str) -> set[bytes]:
    """`secret` as is, URL-encoded both ways, and base64 (both alphabets) wherever it sits in a
    longer encoded string: the groups of four characters that depend on it alone."""
    raw = secret.encode()
    forms = {raw, quote(secret, safe="").encode(), quote_plus(secret).encode()}
    for shift in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            encoded = encode(b"A" * shift + raw)
            forms.add(encoded[4 if shift else 0:-4])
    return forms


def leaks(secret: str, outputs: dict[str, bytes]) -> list[str]:
    """Where any form of `secret` shows up in `outputs` (name -> bytes)."""
    return [f"{name}: {form!r}" for name, data in outputs.items() for form in leak_forms(secret) if form in data]


def is_duckdb(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(12)[8:12] == b"DUCK"


def tables_text(path: Path, scratch: Path) -> bytes:
    """Every row of every table of the DuckDB file `path` (opened as a copy, its WAL with it)."""
    scratch.mkdir(parents=True, exist_ok=True)
    copy = scratch / path.name
    shutil.copyfile(path, copy)
    if path.with_name(path.name + ".wal").exists():
        shutil.copyfile(path.with_name(path.name + ".wal"), copy.with_name(copy.name + ".wal"))
    con = duckdb.connect(str(copy))
    try:
        tables = con.execute("SELECT schema_name, table_name FROM duckdb_tables() ORDER BY ALL").fetchall()
        assert tables, f"{path}: no tables"
        parts = [repr(con.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall()) for schema, table in tables]
    finally:
        con.close()
    return "\n".join(parts).encode()


def outputs_of(folder: Path, runs: list[subprocess.CompletedProcess[str]]) -> dict[str, bytes]:
    """Everything the runs printed and left in `folder`, DuckDB tables and zip members included."""
    found = {}
    for number, run in enumerate(runs):
        found[f"run {number} {run.args[1:]} stdout"] = run.stdout.encode()
        found[f"run {number} {run.args[1:]} stderr"] = run.stderr.encode()
    scratch = folder.parent / f"{folder.name}-scratch"
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        found[str(path)] = path.read_bytes()
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    found[f"{path}!{member}"] = archive.read(member)
        elif is_duckdb(path):
            found[f"{path} (rows)"] = tables_text(path, scratch / str(len(found)))
    return found


def error_texts(error: BaseException) -> str:
    """str, repr, args and attributes of `error` and of every exception chained to it."""
    texts = []
    seen: BaseException | None = error
    while seen is not None:
        texts += [str(seen), repr(seen), repr(seen.args), repr(vars(seen))]
        seen = seen.__cause__ or seen.__context__
    return "\n".join(texts)


# --- the providers -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Provider:
    """How to serve, sync and misbehave for one provider (patterns match request paths)."""

    name: str
    variable: str
    token: str
    build: Callable[[str], Any]                # token -> the fake, its data echoing the token
    serve: Callable[[Any], Any]                # fake -> a server (context manager with .url)
    args: tuple[str, ...]
    transient: tuple[tuple[str, str, dict[str, Any]], ...]   # (pattern, kind, options), all absorbed
    etag_echo: str                             # a request whose answer's ETag echoes the token
    link_echo: str                             # a request whose next-page link carries the token
    probe: str                                 # a path to GET in-process
    client: Callable[..., HttpClient]          # (api_url, token, **options) -> the provider's client


def github_fake(token: str) -> FakeGitHub:
    github = FakeGitHub(token=token)
    repo = delivery_history(github, "acme/app")
    repo.pulls[1]["title"] = f"Leaked {hostile.echo_text(token)}"
    repo.issues[1000]["title"] = f"Leaked {hostile.echo_text(token)}"
    return github


def gitlab_fake(token: str) -> FakeGitLab:
    gitlab = FakeGitLab(token=token, page_size=2)
    project = gitlab_history(gitlab, "acme/app")
    project.mrs[1]["title"] = f"Leaked {hostile.echo_text(token)}"
    return gitlab


def pagerduty_fake(token: str) -> FakePagerDuty:
    pagerduty = FakePagerDuty(token=token)
    for day in range(1, 4):
        incident = pagerduty.incident(f"P{day}", "PPAY", datetime(2024, 3, day, 9, tzinfo=UTC),
                                      resolved=datetime(2024, 3, day, 11, tzinfo=UTC) if day < 3 else None)
        incident["title"] = incident["summary"] = f"Leaked {hostile.echo_text(token)}"
    return pagerduty


PROVIDERS = [
    Provider("github", "GITHUB_TOKEN", GITHUB_TOKEN, github_fake, FakeGitHubServer, ("--repo", "acme/app"),
             ((r"/pulls/1/commits", "echo", {"status": 502, "times": 2}),
              (r"/deployments\?", "retry_after", {"seconds": 1}),
              (r"/actions/runs", "primary_limit", {"seconds": 1}),
              (r"/compare/", "drop", {})),
             r"/issues\?", r"/pulls\?", "/repos/acme/app",
             lambda url, token, **options: github_client(GithubSettings(api_url=url), token, **options)),
    Provider("gitlab", "GITLAB_TOKEN", GITLAB_TOKEN, gitlab_fake, FakeGitLabServer, ("--project", "acme/app"),
             ((r"/merge_requests/1/commits", "echo", {"status": 502, "times": 2}),
              (r"/deployments\?", "reset", {"seconds": 1}),
              (r"/pipelines\?", "retry_after", {"seconds": 1}),
              (r"/repository/compare", "drop", {})),
             r"/issues\?", r"/merge_requests\?", "/projects/acme%2Fapp", gitlab_client),
    Provider("pagerduty", "PAGERDUTY_TOKEN", PAGERDUTY_TOKEN, pagerduty_fake, FakeServer, ("--since", "2024-03-01"),
             ((r"^/incidents\?", "echo", {"status": 502, "times": 2}),
              (r"^/incidents\?", "reset", {"seconds": 1}),
              (r"^/incidents\?", "drop", {})),
             r"^/incidents/P3", r"^/incidents\?", "/incidents/P1", pagerduty_client),
]
IDS = [provider.name for provider in PROVIDERS]


def sync(provider: Provider, folder: Path, url: str, db: str = "w.duckdb") -> subprocess.CompletedProcess[str]:
    return run_pitwall("--db", str(folder / db), "sync", provider.name, "--api-url", url, *provider.args,
                       cwd=folder, env={**ALL_TOKENS, "HOME": str(folder / "home")})


# --- full syncs over real HTTP, as real processes ----------------------------------------------

@pytest.mark.parametrize("provider", PROVIDERS, ids=IDS)
def test_a_sync_through_faults_and_echoes_leaves_the_token_nowhere(tmp_path, provider):
    folder = tmp_path / "run"
    (folder / "home").mkdir(parents=True)
    fake = provider.build(provider.token)
    faults = [fake.fault(pattern, kind, **options) for pattern, kind, options in provider.transient]
    etag = fake.fault(provider.etag_echo, "echo_etag")
    runs = []
    with provider.serve(fake) as server:
        runs.append(sync(provider, folder, server.url))
        assert runs[-1].returncode == 0, runs[-1].stderr
        assert [fault.hits for fault in faults] == [fault.times for fault in faults]
        assert etag.hits == 1
        assert runs[-1].stderr.count("retrying in") == 3      # two echoed 5xx, one dropped connection
        assert f"502 Rejected {client_credential(provider)}; retrying" in runs[-1].stderr  # echoed, scrubbed
        first_rows = tables_text(folder / "w.duckdb", tmp_path / "after-first")
        assert b"Leaked [token]" in first_rows                   # the echoed data is kept, scrubbed
        if provider.name == "github":                            # the only provider storing ETags
            assert b"""'W/"Bearer [token]"'""" in first_rows
        runs.append(sync(provider, folder, server.url))          # again: conditional requests, ETags sent back
        assert runs[-1].returncode == 0, runs[-1].stderr
        fake.fault("", "echo", status=401)                       # a 401 whose message echoes the token
        runs.append(sync(provider, folder, server.url))
        assert runs[-1].returncode == 2
        assert runs[-1].stderr.startswith("error: GET ") and runs[-1].stderr.count("\n") == 1
        assert f": 401 Bad request; you sent {client_credential(provider)} (base64 " in runs[-1].stderr
        assert runs[-1].stderr.endswith(f"{provider.variable} was rejected\n")
        link = fake.fault(provider.link_echo, "echo_link")
        runs.append(sync(provider, folder, server.url, "fresh.duckdb"))   # no ETag: the first page is sent
        assert link.hits == 1
        assert runs[-1].returncode == 1
        assert runs[-1].stderr.endswith(f"the answer's next-page link carries {provider.variable}; "
                                        f"refusing to follow it\n")
    runs.append(run_pitwall("--db", str(folder / "w.duckdb"), "export", "--out", str(folder / "export"),
                            "--since", "2024-01-01", "--until", "2024-06-01", cwd=folder,
                            env={**ALL_TOKENS, "HOME": str(folder / "home")}))
    assert runs[-1].returncode == 0, runs[-1].stderr
    outputs = outputs_of(folder, runs)
    assert any(name.endswith(".zip!manifest.json") for name in outputs)
    outputs["rows after the first run"] = first_rows
    for token in ALL_TOKENS.values():
        assert leaks(token, outputs) == []


# --- in-process: notices and the errors the client raises ---------------------------------------

@pytest.mark.parametrize("provider", PROVIDERS, ids=IDS)
def test_errors_and_notices_of_the_client_carry_no_token(provider):
    fake = provider.build(provider.token)
    clock = VirtualClock()
    notices: list[str] = []
    failures: list[HttpError] = []
    with provider.serve(fake) as server, provider.client(server.url, provider.token, sleep=clock.sleep,
                                                         clock=clock.time, policy=QUICK,
                                                         on_notice=notices.append) as client:
        for kind, options in (("echo", {"status": 401}), ("echo", {"status": 403}), ("echo", {"status": 404}),
                              ("echo", {"status": 422}), ("echo", {"status": 503, "times": None}),
                              ("drop", {"times": None}), ("truncate", {"times": None}), ("echo_link", {})):
            fake.faults.clear()
            fake.fault("", kind, **options)
            with pytest.raises(HttpError) as raised:
                next(iter(client.pages(provider.probe)))
            failures.append(raised.value)
        fake.faults.clear()
        fake.fault("", "echo_etag")
        assert client.get(provider.probe).etag == f'W/"{client_credential(provider)}"'
    assert [type(error).__name__ for error in failures] == [
        "AuthRejected", "PermissionDenied", "NotFound", "RequestFailed", "RequestFailed", "RequestFailed",
        "MalformedResponse", "RequestFailed"]
    assert "[token]" in str(failures[0]) and "[token]" in notices[0]      # echoed, then scrubbed
    assert "(gave up after 3 attempts)" in str(failures[4]) and "connection dropped" in str(failures[5])
    texts = {f"error {number}": error_texts(error).encode() for number, error in enumerate(failures)}
    texts["notices"] = "\n".join(notices).encode()
    assert len(notices) == 6                                   # two retries each for the 503, drop, truncate
    assert leaks(provider.token, texts) == []


def client_credential(provider: Provider) -> str:
    """The credential header value as the client sends it, with the token blanked."""
    return {"github": "Bearer [token]", "gitlab": "[token]", "pagerduty": "Token token=[token]"}[provider.name]


@pytest.mark.parametrize("provider", PROVIDERS[1:], ids=IDS[1:])
def test_a_redirect_to_another_origin_loses_the_token(provider):
    """GitLab's PRIVATE-TOKEN is no Authorization header: httpx alone would forward it."""
    home, elsewhere = provider.build(provider.token), provider.build(provider.token)
    with provider.serve(home) as server, provider.serve(elsewhere) as other:
        home.fault("", "redirect", location=f"{other.url}{provider.probe}")
        with provider.client(server.url, provider.token, policy=QUICK) as client:
            with pytest.raises(AuthRejected) as raised:
                client.get(provider.probe)
            assert client.get(provider.probe).status == 200      # no fault left: the token works at home
    assert [entry.status for entry in elsewhere.requests()] == [401]   # it arrived without the token
    assert leaks(provider.token, {"error": error_texts(raised.value).encode()}) == []


def test_a_redirect_within_the_api_keeps_the_token():
    fake = gitlab_fake(GITLAB_TOKEN)
    with FakeGitLabServer(fake) as server:
        fake.fault("", "redirect", location=f"{server.url}/projects/acme%2Fapp")
        with gitlab_client(server.url, GITLAB_TOKEN, policy=QUICK) as client:
            assert client.get("/projects/acme%2Fapp/anything").data["path_with_namespace"] == "acme/app"
    assert [entry.status for entry in fake.requests()] == [307, 200]


# --- no provider token at all: a git remote with credentials, and the settings -------------------

def git(folder: Path, *args: str) -> None:
    who = {f"GIT_{role}_{field}": value for role in ("AUTHOR", "COMMITTER")
           for field, value in (("NAME", "Dev"), ("EMAIL", "dev@example.com"), ("DATE", "2024-03-01T10:00:00Z"))}
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True,
                   env={"PATH": os.environ["PATH"], "HOME": str(folder), **who})


def test_sync_git_keeps_the_remote_credentials_secret(tmp_path):
    clone, folder = tmp_path / "clone", tmp_path / "run"
    clone.mkdir()
    (folder / "home").mkdir(parents=True)
    git(clone, "init", "-q", "-b", "main")
    git(clone, "commit", "-q", "--allow-empty", "-m", "First")
    git(clone, "tag", "v1")
    git(clone, "remote", "add", "origin", f"https://user:{REMOTE_SECRET}@git.example/acme/app.git")
    env = {"HOME": str(folder / "home")}
    runs = [run_pitwall("--db", str(folder / "w.duckdb"), "sync", "git", str(clone), cwd=folder, env=env),
            run_pitwall("--db", str(folder / "w.duckdb"), "sync", "git", str(clone), "--branch", "nope",
                        cwd=folder, env=env),
            run_pitwall("--db", str(folder / "w.duckdb"), "export", "--out", str(folder / "export"),
                        "--since", "2024-01-01", "--until", "2024-06-01", cwd=folder, env=env)]
    assert [run.returncode for run in runs] == [0, 2, 0], [run.stderr for run in runs]
    con = duckdb.connect(str(folder / "w.duckdb"), read_only=True)
    assert con.execute("SELECT id, url FROM repos").fetchall() == [("acme/app", "https://git.example/acme/app.git")]
    con.close()
    assert leaks(REMOTE_SECRET, outputs_of(folder, runs)) == []


def test_config_show_prints_no_token(tmp_path):
    (tmp_path / "pitwall.toml").write_text('[ingest.pagerduty]\nservices = {PPAY = "payments"}\n')
    runs = [run_pitwall("config", "show", *options, cwd=tmp_path, env=ALL_TOKENS)
            for options in ((), ("--format", "json"))]
    assert [run.returncode for run in runs] == [0, 0]
    assert 'PPAY = "payments"' in runs[0].stdout and '"PPAY": "payments"' in runs[1].stdout
    outputs = {f"{number} {stream}": getattr(run, stream).encode() for number, run in enumerate(runs)
               for stream in ("stdout", "stderr")}
    for token in ALL_TOKENS.values():
        assert leaks(token, outputs) == []


def test_a_redirect_loop_is_retried_then_named_without_the_token():
    fake = gitlab_fake(GITLAB_TOKEN)
    notices: list[str] = []
    with FakeGitLabServer(fake) as server:
        fake.fault("", "redirect", times=None, location=f"{server.url}/projects/acme%2Fapp")
        clock = VirtualClock()
        with gitlab_client(server.url, GITLAB_TOKEN, policy=QUICK, sleep=clock.sleep, clock=clock.time,
                           on_notice=notices.append) as client:
            with pytest.raises(RequestFailed) as raised:
                client.get("/projects/acme%2Fapp")
    assert str(raised.value) == (f"GET {server.url}/projects/acme%2Fapp: too many redirects "
                                 f"(gave up after 3 attempts)")
    assert raised.value.__context__ is None and len(notices) == 2
    assert leaks(GITLAB_TOKEN, {"error": error_texts(raised.value).encode()}) == []
