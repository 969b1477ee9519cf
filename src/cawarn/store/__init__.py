"""The event store: tables, the engine factory, migrations and queries."""

# Each schema module adds its tables and indexes to the one metadata when imported.
from cawarn.store import schema_listing as schema_listing
from cawarn.store import schema_network as schema_network
from cawarn.store import schema_reports as schema_reports
from cawarn.store import schema_taxii as schema_taxii
from cawarn.store.engine import create_engine_for, migrate, schema_revision
from cawarn.store.tables import metadata

__all__ = ["create_engine_for", "metadata", "migrate", "schema_revision"]
