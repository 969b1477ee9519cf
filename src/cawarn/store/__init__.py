"""The event store: tables, the engine factory, migrations and queries."""

from cawarn.store import schema_listing  # noqa: F401 - its indexes complete the metadata
from cawarn.store import schema_reports  # noqa: F401  (its tables join the metadata)
from cawarn.store.engine import create_engine_for, migrate, schema_revision
from cawarn.store.tables import metadata

__all__ = ["create_engine_for", "metadata", "migrate", "schema_revision"]
