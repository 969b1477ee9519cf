"""Fixtures shared by every test: real data, node homes, and both storage backends."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from cawarn.config import Settings
from cawarn.store.engine import create_engine_for, migrate
from tests import pg

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
GED_SAMPLE = SHARED_DATA / "ucdp-ged-sample" / "ged231_sample_1000.csv"
GED_CANDIDATE = SHARED_DATA / "ucdp-candidate" / "GEDEvent_v23_0_10.csv"
BOUNDARIES = SHARED_DATA / "boundaries"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real data beside the repository (../shared/data)."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"the shared test data is missing: expected {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server: the machine's, or a temporary cluster; in CI a missing one fails."""
    url, cluster, what = pg.find_or_start()
    if url is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is required in CI: {what}")
        pytest.skip(what)
    try:
        yield url
    finally:
        if cluster is not None:
            cluster.stop()


def _settings(home: Path, **overrides: object) -> Settings:
    return Settings(home=home, **overrides)  # type: ignore[arg-type]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Settings of a fresh node on SQLite, or on PostgreSQL in a throwaway schema."""
    home = tmp_path / "home"
    home.mkdir()
    if request.param == "sqlite":
        yield _settings(home)
        return
    url = request.getfixturevalue("postgres_url")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _settings(home, database_url=url, database_schema=schema)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(backend: Settings) -> Iterator[sa.Engine]:
    """A migrated store on the backend under test."""
    eng = create_engine_for(backend)
    migrate(eng)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture(scope="session")
def region_boundaries() -> list:  # type: ignore[type-arg]
    """The default region's boundaries, read once."""
    from cawarn.geo.boundaries import read_boundary_folder

    return read_boundary_folder(BOUNDARIES, list(Settings().region))


@pytest.fixture
def store(engine: sa.Engine, region_boundaries: list) -> sa.Engine:  # type: ignore[type-arg]
    """A migrated store with the region's admin-1 units loaded."""
    from cawarn.store.geography import replace_country_boundaries

    with engine.begin() as conn:
        for item in region_boundaries:
            replace_country_boundaries(
                conn, item.source, item.units, item.outline, location="test", warnings=item.warnings
            )
    return engine
