"""Streamlit entry point: `streamlit run dashboard/app.py` (or `pitwall dashboard`).

The warehouse is the file named by PITWALL_DB (default ./pitwall.duckdb), opened read-only.
Six pages share the filters in the URL query (dashboard.filters), so a link reproduces a view.
"""
import streamlit as st

from dashboard import export_page, flow_page, health_page, overview, services_page, teams_page

st.set_page_config(page_title="Pitwall", layout="wide")
PAGES = [
    st.Page(overview.render, title="Overview", url_path="overview", default=True),
    st.Page(teams_page.render, title="Teams", url_path="teams"),
    st.Page(services_page.render, title="Services & scorecards", url_path="services"),
    st.Page(flow_page.render, title="Delivery flow", url_path="flow"),
    st.Page(health_page.render, title="Data health", url_path="health"),
    st.Page(export_page.render, title="Export", url_path="export"),
]
st.navigation(PAGES).run()
