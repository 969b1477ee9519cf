"""The fallback the storage tests use where no PostgreSQL answers: a throwaway cluster."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from cawarn.config import Settings
from cawarn.store.engine import create_engine_for, head_revision, migrate
from tests import pg


@pytest.mark.slow
@pytest.mark.postgres
def test_temporary_cluster_starts_migrates_and_goes_away(tmp_path: Path) -> None:
    bindir = pg._binaries()
    if bindir is None:
        pytest.skip("no PostgreSQL binaries are installed here")
    cluster = pg.TempCluster(bindir)
    cluster.start()
    try:
        assert pg.answers(cluster.url)
        engine = create_engine_for(Settings(home=tmp_path, database_url=cluster.url))
        assert migrate(engine) == head_revision()
        with engine.connect() as conn:
            assert "events" in sa.inspect(conn).get_table_names()
        engine.dispose()
    finally:
        cluster.stop()
    assert not cluster.dir.exists()
    assert not pg.answers(cluster.url)
