"""The GitHub ingester: REST streams -> raw JSON store -> canonical warehouse records.

streams      the REST resources read (path, parameters, replication key)
repo_sync    walking one repository's streams down to their bookmarks (worker threads)
batches      what one transaction writes: raw documents, their entities, stream states
materialize  raw documents -> canonical rows (mapping holds the pure JSON -> record rules)
series       each deployment's commits from the compare with its predecessor
sync         the whole run: repositories, workers, the single writer, the summary
rebuild      canonical rows again from the raw store, offline
"""
from ingest.github.rebuild import RebuildSummary, rebuild_github
from ingest.github.settings import DEFAULT_API_URL, SOURCE, GithubSettings
from ingest.github.sync import RepositoryNotFound, SyncSummary, make_client, sync_github

__all__ = ["GithubSettings", "DEFAULT_API_URL", "SOURCE", "sync_github", "make_client", "SyncSummary",
           "RepositoryNotFound", "rebuild_github", "RebuildSummary"]
