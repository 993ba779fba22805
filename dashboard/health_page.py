"""The Data health page: how far the figures can be trusted and how fresh the warehouse is."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.overview import HEALTH_ITEMS
from dashboard.page import View, run_page
from dashboard.page_data import load_health
from dashboard.widgets import download, table

__all__ = ["render"]


def _body(view: View) -> None:
    health = load_health(view.db, view.stamp, view.filters)
    st.subheader("What the figures leave out")
    items = [*HEALTH_ITEMS, ("unmapped_repos", "Unmapped repos",
                             "Repositories no service lists: their deployments count for no service or team.")]
    counts = health.counts | {"unmapped_repos": len(health.unmapped)}
    for column, (key, label, explanation) in zip(st.columns(len(items)), items):
        with column:
            st.metric(label, str(counts[key]), help=explanation, border=True)
    st.subheader("Last sync per source and target")
    st.caption("Ages in hours before now; the overview warns when the newest sync is over 2 days old.")
    table(health.syncs, "Nothing was ever imported or synced.", key="syncs")
    st.subheader("Bookmark ages")
    table(health.bookmarks, "No provider sync has stored a bookmark yet.", key="bookmarks")
    st.subheader("Record counts")
    table(health.records, "No tables.", key="records")
    st.subheader("Unmapped repos")
    unmapped = pd.DataFrame({"repo": health.unmapped})
    table(unmapped, "Every repository belongs to a service.", key="unmapped")
    download(unmapped, "Download unmapped repos as CSV", "pitwall-unmapped-repos.csv")


def render() -> None:
    """Draw the Data health page."""
    run_page("Data health", _body)
