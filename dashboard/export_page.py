"""The Export page: every table as CSV, and the zip bundle `pitwall export` writes too."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import streamlit as st

from dashboard.page import View, run_page
from dashboard.page_data import load_bundle
from dashboard.widgets import download

__all__ = ["render"]


def _body(view: View) -> None:
    filters = view.filters
    bundle = load_bundle(view.db, view.stamp, replace(filters, team=None, service=None), view.settings)
    last = filters.until - timedelta(days=1)
    st.caption(f"The whole organisation from {filters.since} to {last} "
               f"(tiers from the DORA {filters.benchmark} benchmarks; team and service filters do not apply). "
               "Every cell that a spreadsheet would run as a formula starts with a quote. "
               "`pitwall export --out DIR` writes the same files for scheduled reports.")
    st.download_button("Download everything (zip with manifest.json)", data=bundle.zip_bytes,
                        mime="application/zip", file_name=bundle.zip_name, key="zip", type="primary")
    st.subheader("One table at a time")
    for name, frame in bundle.tables.items():
        left, right = st.columns([3, 2])
        with left:
            st.text(f"{name}.csv — {len(frame)} rows")
        with right:
            download(frame, f"Download {name}.csv", f"{name}.csv")


def render() -> None:
    """Draw the Export page."""
    run_page("Export", _body)
