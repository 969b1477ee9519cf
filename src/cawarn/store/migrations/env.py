"""Alembic environment: migrations run on the engine cawarn passes in, never from a .ini."""

from alembic import context

from cawarn.store.tables import metadata

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
