"""What every page does first and last: find the warehouse, read the URL, draw the filters,
and write the view back into the URL so the address bar reproduces it."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from dashboard.data import WarehouseUnavailable, warehouse_path, warehouse_stamp
from dashboard.filters import Filters, from_query, to_query
from dashboard.sidebar import filter_sidebar
from metrics.settings import MetricsSettings, metrics_settings_from_environment

__all__ = ["View", "run_page"]


@dataclass(frozen=True)
class View:
    """One page's view: the warehouse file and its stamp, the filters, and the settings in force."""

    db: str
    stamp: str
    filters: Filters
    by: str
    settings: MetricsSettings

    @property
    def timezone(self) -> str:
        """The time zone weeks and months are counted in (pitwall.toml's `timezone`)."""
        return self.settings.timezone


def run_page(title: str, body: Callable[[View], dict[str, str] | None]) -> None:
    """Draw a page: title, filters from the URL, then `body(view)`; the view goes back into the URL.

    `body` may return extra URL parameters of its own (e.g. the overview's grouping).
    """
    st.title(title)
    path = warehouse_path()
    if not path.exists():
        st.error("No warehouse found: run `pitwall import` or `pitwall demo` first, or set PITWALL_DB.")
        st.text(str(path))
        return
    wanted, by, ignored = from_query(st.query_params.to_dict())
    for message in ignored:
        st.warning(message)
    try:
        settings = metrics_settings_from_environment()
        db, stamp = str(path), warehouse_stamp(path)
        filters = filter_sidebar(db, stamp, wanted)
        extra = body(View(db, stamp, filters, by, settings)) or {}
    except WarehouseUnavailable as error:
        st.error("The warehouse cannot be read right now.")
        st.text(str(error))
        return
    st.query_params.from_dict(to_query(filters, by) | extra)
