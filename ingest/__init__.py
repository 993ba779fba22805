"""Ingesters: each source validates its records into warehouse.models and upserts them."""
