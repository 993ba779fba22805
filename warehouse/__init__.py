"""The DuckDB warehouse: connection, migrations, canonical models and idempotent writes."""
from warehouse.db import WarehouseError, schema_version
from warehouse.models import EVENT_MODELS, Event
from warehouse.pending import mark_derive_pending
from warehouse.session import connect, writing
from warehouse.store import TABLES, upsert_records

__all__ = ["connect", "writing", "schema_version", "WarehouseError", "mark_derive_pending", "EVENT_MODELS",
           "Event", "TABLES", "upsert_records"]
