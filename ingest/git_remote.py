"""A repository's id from its `origin` remote URL, and that URL without credentials.

Understood forms (`.git` and trailing slashes optional):
    https://host/owner/name        http(s), with a port or credentials too
    ssh://git@host[:port]/owner/name
    git@host:owner/name            scp-like syntax
The id is the URL's path: `owner/name`, or `group/subgroup/name` on GitLab. A local path or a
path of one segment gives no id (the caller falls back to the folder's name).
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = ["repo_id_from_url", "url_without_credentials"]

SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# What follows the scheme up to the host: `user:password@` (the password may hold an unescaped
# `/` or `@`: up to the last `@`, unless the colon is a port's), else `user@`.
USERINFO = re.compile(r"[^/:@]*:(?!\d+(?:/|$)).*@|[^/@]*@")
SCP_LIKE = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>[^/].*)$")


def _path_of(url: str) -> str | None:
    """The repository path a remote URL names on its host, or None for a local path."""
    if SCHEME.match(url):
        parts = urlsplit(url_without_credentials(url))
        return parts.path if parts.hostname else None
    match = SCP_LIKE.match(url)
    if match and len(match["host"]) > 1:  # `C:/repos/x` is a Windows drive, not a host
        return match["path"]
    return None


def repo_id_from_url(url: str) -> str | None:
    """`owner/name` from a remote URL (None when the URL names no owner and name)."""
    path = _path_of(url.strip())
    if path is None:
        return None
    path = path.strip("/").removesuffix(".git").strip("/")
    segments = [segment for segment in path.split("/") if segment]
    return "/".join(segments) if len(segments) >= 2 else None


def url_without_credentials(url: str) -> str:
    """The URL with any `user:password@` removed (a token in a clone URL must not be stored)."""
    url = url.strip()
    scheme = SCHEME.match(url)
    if not scheme:
        return url
    credentials = USERINFO.match(url, scheme.end())
    return url[:scheme.end()] + url[credentials.end() if credentials else scheme.end():]
