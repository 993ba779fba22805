"""The DuckDB warehouse: connection, migrations, canonical models and idempotent writes."""
from warehouse.db import WarehouseError, connect, schema_version
from warehouse.models import EVENT_MODELS, Event
from warehouse.store import TABLES, upsert_records

__all__ = ["connect", "schema_version", "WarehouseError", "EVENT_MODELS", "Event", "TABLES", "upsert_records"]
