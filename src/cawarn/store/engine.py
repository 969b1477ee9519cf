"""The engine factory (SQLite or PostgreSQL) and schema migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from cawarn.config import Settings
from cawarn.domain import StoreError

MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_engine_for(settings: Settings) -> Engine:
    """An engine for the node's store; SQLite in WAL mode unless a database URL is set."""
    url = settings.resolved_database_url
    kwargs: dict[str, Any] = {}
    if url.startswith("postgresql") and settings.database_schema:
        kwargs["connect_args"] = {"options": f"-csearch_path={settings.database_schema}"}
    try:
        engine = create_engine(url, **kwargs)
    except (ArgumentError, NoSuchModuleError) as err:
        raise StoreError(
            f"The database URL {url!r} is not usable ({err}); use sqlite:///PATH or "
            "postgresql+psycopg://USER@HOST:PORT/DB "
            "(PostgreSQL needs 'pip install cawarn[postgres]')."
        ) from None
    except ModuleNotFoundError:
        raise StoreError(
            "The PostgreSQL driver is not installed; run 'pip install cawarn[postgres]'."
        ) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> str:
    """Bring the store's schema to the newest migration; returns the revision it is at."""
    from alembic import command

    try:
        command.upgrade(_alembic_config(engine), "head")
    except OperationalError as err:
        raise StoreError(f"Cannot reach the database to migrate it: {err.orig}.") from None
    revision = schema_revision(engine)
    assert revision is not None
    return revision


def head_revision() -> str:
    """The newest migration this version of cawarn ships."""
    from alembic.script import ScriptDirectory

    config = _alembic_config(create_engine("sqlite://"))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return str(head)


def schema_revision(engine: Engine) -> str | None:
    """The migration the store is at, or None if it was never initialised."""
    from alembic.runtime.migration import MigrationContext

    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return MigrationContext.configure(conn).get_current_revision()
    except OperationalError as err:
        raise StoreError(f"Cannot reach the database: {err.orig}.") from None


def require_current_schema(engine: Engine) -> None:
    """Refuse to work on a store that is missing or older than this version of cawarn."""
    current = schema_revision(engine)
    if current is None:
        raise StoreError(
            "The node's store is not initialised; run 'cawarn init' (with the same --home)."
        )
    if current != head_revision():
        raise StoreError(
            f"The store is at schema {current} but this cawarn needs {head_revision()}; "
            "run 'cawarn init' to migrate it."
        )
