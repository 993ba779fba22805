"""Streamlit entry point: `streamlit run dashboard/app.py` (or `pitwall dashboard`).

The warehouse is the file named by PITWALL_DB (default ./pitwall.duckdb), opened read-only.
"""
import streamlit as st

from dashboard.overview import render

st.set_page_config(page_title="Pitwall · Delivery overview", layout="wide")
render()
