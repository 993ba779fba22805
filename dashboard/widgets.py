"""Small display helpers the pages share: a table with an empty-state message and a safe CSV download."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.safe_csv import to_safe_csv

__all__ = ["download", "literal", "table"]

MARKDOWN_SPECIALS = set("\\`*_{}[]()<>#+-.!|~:$&")
"""Characters Streamlit's markdown could read as formatting, links, images or HTML."""


def literal(text: str) -> str:
    """`text` with every markdown special character escaped: names from the warehouse show as
    they are in headings and captions, never as links, images or HTML."""
    return "".join("\\" + char if char in MARKDOWN_SPECIALS else char for char in text)


def table(frame: pd.DataFrame, empty: str, *, key: str | None = None, **options) -> None:
    """`frame` as an interactive table (text cells are never rendered as HTML), or `empty` when it has no rows."""
    if frame.empty:
        st.info(empty)
    else:
        st.dataframe(frame, hide_index=True, placeholder="—", key=key, **options)


def download(frame: pd.DataFrame, label: str, file_name: str) -> None:
    """A button downloading `frame` as formula-safe CSV."""
    st.download_button(label, data=to_safe_csv(frame), mime="text/csv", file_name=file_name, key=f"csv-{file_name}")
