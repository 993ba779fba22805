"""The teams and services every page's filters offer, cached in the process and on disk."""
from __future__ import annotations

import streamlit as st

from dashboard.result_cache import cached_read
from metrics.dora import known_groups

__all__ = ["load_all_groups", "load_groups"]


@st.cache_data(show_spinner=False, max_entries=64)
def load_all_groups(db: str, stamp: str) -> dict[str, list[str]]:
    """The teams and the services the warehouse knows, keyed "team" and "service" (`stamp` only
    keys the cache; kept on disk for the next process too: dashboard.result_cache)."""
    return cached_read(db, "groups", (), lambda con: {group_by: list(known_groups(con, group_by))
                                                      for group_by in ("team", "service")})


def load_groups(db: str, stamp: str, group_by: str) -> list[str]:
    """The teams or services the warehouse knows (`stamp` only keys the cache)."""
    return load_all_groups(db, stamp)[group_by]
