"""The GitLab ingester: REST v4 lists -> raw JSON store -> canonical warehouse records.

client   the shared HTTP client set up for GitLab, and offset pagination (x-next-page)
mapping  pure rules from GitLab JSON to canonical records
store    one transaction per page: raw documents, canonical records, the stream's bookmark
series   the commits each production deployment shipped (compare with its predecessor)
sync     the whole run: projects, streams, bookmarks, the summary
"""
from ingest.gitlab.client import DEFAULT_API_URL, make_client
from ingest.gitlab.sync import SOURCE, GitlabSettings, ProjectNotFound, SyncSummary, sync_gitlab

__all__ = ["DEFAULT_API_URL", "SOURCE", "GitlabSettings", "ProjectNotFound", "SyncSummary", "make_client",
           "sync_gitlab"]
