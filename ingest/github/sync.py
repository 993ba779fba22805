"""`pitwall sync github`: resolve the repositories, fetch them concurrently, write from one thread.

Repository workers (threads) walk the streams of one repository each and hand batches to a
queue; the calling thread is the only one writing to DuckDB and applies each batch in its own
transaction. The queue is bounded, so memory stays bounded whatever the organisation's size.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, InvalidStateError, ThreadPoolExecutor
from dataclasses import dataclass
from queue import Empty, Full, Queue

import duckdb

from ingest.github import mapping
from ingest.github.batches import Batch, apply_batch
from ingest.github.repo_sync import Reader, RepoSync, SyncContext
from ingest.github.settings import SOURCE, GithubSettings
from ingest.github.streams import ORG_REPOSITORIES, REPOSITORY
from ingest.http import Cancelled, HttpClient, NotFound, RequestStats
from ingest.page_errors import reading
from ingest.raw import RawDocument, load_documents
from ingest.sync_log import logged_run

__all__ = ["sync_github", "make_client", "SyncSummary", "RepositoryNotFound", "Progress"]

GITHUB_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
REPO_KEY = "repo"


Progress = Callable[[str, int, int, Counter], None]   # (repo, done, total, records of the repo)


class RepositoryNotFound(Exception):
    """A repository or organisation named on the command line does not exist (or is hidden)."""


@dataclass(frozen=True)
class SyncSummary:
    repos: int
    seconds: float
    stats: RequestStats
    records: Counter

    def line(self) -> str:
        """The one-line summary printed at the end of a sync."""
        s = self.stats
        records = ", ".join(f"{count} {kind}" for kind, count in sorted(self.records.items())) or "nothing new"
        noun = "repository" if self.repos == 1 else "repositories"
        return (f"synced {self.repos} {noun} from GitHub in {self.seconds:.1f} s: {s.requests} requests "
                f"({s.not_modified} answered 304), {s.rate_limit_waits} rate-limit waits, {s.retries} retries; "
                f"records: {records}")


def make_client(settings: GithubSettings, token: str | None, **options) -> HttpClient:
    """The HTTP client for the GitHub REST API at `settings.api_url` (github.com or /api/v3)."""
    return HttpClient(settings.api_url, token=token, token_name="GITHUB_TOKEN", headers=GITHUB_HEADERS,
                      max_in_flight=settings.concurrency, **options)


# --- which repositories ------------------------------------------------------------------------

def _wanted(repo: dict, settings: GithubSettings) -> bool:
    """Archived repositories and forks are skipped unless asked for."""
    if repo.get("archived") and not settings.include_archived:
        return False
    return not (repo.get("fork") and not settings.include_forks)


def _organisation(client: HttpClient, settings: GithubSettings, org: str) -> list[dict]:
    path = ORG_REPOSITORIES.path_for(org=org)
    try:
        return [repo for page in client.pages(path, params=ORG_REPOSITORIES.params)
                for repo in ORG_REPOSITORIES.records(page.data) if _wanted(repo, settings)]
    except NotFound as error:
        raise RepositoryNotFound(f"organisation {org}: not found, or GITHUB_TOKEN may not list its "
                                 f"repositories (GET {error.url} answered 404)") from None


def _repository(client: HttpClient, name: str, stored: RawDocument | None) -> tuple[dict, str | None, bool]:
    """The repository document (asked for conditionally when stored), its ETag, and whether it changed."""
    try:
        response = client.get(REPOSITORY.path_for(repo=name), etag=stored.etag if stored else None)
    except NotFound as error:
        raise RepositoryNotFound(f"{name}: no such repository, or GITHUB_TOKEN may not read it "
                                 f"(GET {error.url} answered 404)") from None
    if response.not_modified and stored is not None:
        return stored.body, stored.etag, False
    with reading(response.url):  # checked here, where its URL is known
        mapping.map_repo(response.data)
    return response.data, response.etag, True


def resolve_repositories(con: duckdb.DuckDBPyConnection, settings: GithubSettings, client: HttpClient,
                         repos: Sequence[str], org: str | None, records: Counter) -> list[str]:
    """Fetch (and store) the repository documents; the repositories' ids (`full_name`) in order.

    The records written are added to `records`.
    """
    found: dict[str, tuple[dict, str | None, bool]] = {}
    if org:
        for repo in _organisation(client, settings, org):
            stored_repo = load_documents(con, SOURCE, repo["full_name"], REPOSITORY.name, [REPO_KEY]).get(REPO_KEY)
            found.setdefault(repo["full_name"], (repo, None, stored_repo is None or stored_repo.body != repo))
    stored = {name: load_documents(con, SOURCE, name, REPOSITORY.name, [REPO_KEY]).get(REPO_KEY) for name in repos}
    with ThreadPoolExecutor(settings.concurrency, thread_name_prefix="github-repo") as pool:
        for repo, etag, changed in pool.map(lambda name: _repository(client, name, stored[name]), repos):
            found.setdefault(repo["full_name"], (repo, etag, changed))
    for full_name, (repo, etag, changed) in found.items():
        if changed:
            document = RawDocument(full_name, REPOSITORY.name, REPO_KEY, repo, etag=etag)
            records.update(apply_batch(con, settings, Batch(full_name, documents=[document],
                                                            entities={REPOSITORY.name: {REPO_KEY}})))
    return list(found)


# --- the workers and the writer ----------------------------------------------------------------

@dataclass(frozen=True)
class _RepoDone:
    repo: str


class _Writer:
    """The queue between the workers and the writing thread."""

    def __init__(self, size: int):
        self.queue: Queue[Batch | _RepoDone] = Queue(maxsize=size)
        self.stopped = threading.Event()

    def put(self, item: Batch | _RepoDone) -> None:
        while True:
            if self.stopped.is_set():
                raise Cancelled()
            try:
                self.queue.put(item, timeout=0.1)
                break
            except Full:
                continue
        if self.stopped.is_set() and isinstance(item, Batch):
            _fail(item.done, Cancelled())   # put after the writer gave up: nobody will apply it

    def submit(self, batch: Batch) -> Future:
        self.put(batch)
        return batch.done

    def stop(self) -> None:
        """Refuse new work and fail what is queued, so no worker waits for ever."""
        self.stopped.set()
        while True:
            try:
                item = self.queue.get_nowait()
            except Empty:
                return
            if isinstance(item, Batch):
                _fail(item.done, Cancelled())


def _fail(future: Future, error: BaseException) -> None:
    try:
        future.set_exception(error)
    except InvalidStateError:
        pass


def _write_loop(con: duckdb.DuckDBPyConnection, settings: GithubSettings, writer: _Writer,
                futures: Iterable[Future], records: Counter, on_progress: Progress | None, total: int) -> None:
    """Apply batches as they come until every worker has finished; a worker's failure is raised."""
    pending = set(futures)
    per_repo: dict[str, Counter] = {}
    finished = 0
    while pending or not writer.queue.empty():
        for future in [f for f in pending if f.done()]:
            future.result()
            pending.discard(future)
        try:
            item = writer.queue.get(timeout=0.05)
        except Empty:
            continue
        if isinstance(item, _RepoDone):
            finished += 1
            if on_progress:
                on_progress(item.repo, finished, total, per_repo.get(item.repo, Counter()))
            continue
        try:
            counts = apply_batch(con, settings, item)
        except BaseException as error:
            _fail(item.done, error)
            raise
        item.done.set_result(counts)
        records.update(counts)
        per_repo.setdefault(item.repo, Counter()).update(counts)


def _sync_repositories(con: duckdb.DuckDBPyConnection, settings: GithubSettings, client: HttpClient,
                       repos: list[str], on_progress: Progress | None) -> Counter:
    records: Counter = Counter()
    writer = _Writer(size=4 * settings.concurrency)
    reader = Reader(con)
    try:
        with ThreadPoolExecutor(settings.concurrency, thread_name_prefix="github-fetch") as fetch_pool, \
                ThreadPoolExecutor(settings.concurrency, thread_name_prefix="github-repo") as repo_pool:
            context = SyncContext(client, settings, reader, writer.submit, fetch_pool)

            def work(repo: str) -> None:
                RepoSync(context, repo).run()
                writer.put(_RepoDone(repo))

            futures = [repo_pool.submit(work, repo) for repo in repos]
            try:
                _write_loop(con, settings, writer, futures, records, on_progress, len(repos))
            except BaseException:
                writer.stop()
                client.cancel()
                for future in futures:
                    future.cancel()
                raise
    finally:
        reader.close()
    return records


# --- the run --------------------------------------------------------------------------------

def sync_github(con: duckdb.DuckDBPyConnection, settings: GithubSettings, client: HttpClient, *,
                repos: Sequence[str] = (), org: str | None = None,
                on_progress: Progress | None = None) -> SyncSummary:
    """Sync the repositories (and those of `org`) into the warehouse; returns the summary.

    Canonical tables hold the result on return; the derived tables are the caller's to refresh.
    """
    started = time.monotonic()
    target = ", ".join([*([f"org:{org}"] if org else []), *repos])[:500]
    records: Counter = Counter()
    with logged_run(con, SOURCE, target, client, records):
        targets = resolve_repositories(con, settings, client, repos, org, records)
        records.update(_sync_repositories(con, settings, client, targets, on_progress))
    return SyncSummary(len(targets), time.monotonic() - started, client.stats, records)
