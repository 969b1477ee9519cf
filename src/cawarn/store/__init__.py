"""The event store: tables, the engine factory, migrations and queries."""

from cawarn.store import schema_taxii  # noqa: F401  (its tables complete the metadata)
from cawarn.store.engine import create_engine_for, migrate, schema_revision
from cawarn.store.tables import metadata

__all__ = ["create_engine_for", "metadata", "migrate", "schema_revision"]
