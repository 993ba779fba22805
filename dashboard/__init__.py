"""The Streamlit dashboard (app.py): reads the warehouse read-only, and only through metrics/."""
