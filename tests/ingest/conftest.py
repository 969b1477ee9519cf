"""Fixtures for pipeline tests: a migrated store with the real boundaries loaded."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from cawarn.config import Settings
from cawarn.geo.boundaries import read_boundary_folder
from cawarn.store.geography import replace_country_boundaries
from tests.conftest import BOUNDARIES


@pytest.fixture(scope="session")
def region_boundaries() -> list:  # type: ignore[type-arg]
    """The default region's boundaries, read once."""
    return read_boundary_folder(BOUNDARIES, list(Settings().region))


@pytest.fixture
def store(engine: sa.Engine, region_boundaries: list) -> sa.Engine:  # type: ignore[type-arg]
    """A migrated store with the region's admin-1 units loaded."""
    with engine.begin() as conn:
        for item in region_boundaries:
            replace_country_boundaries(
                conn, item.source, item.units, item.outline, location="test", warnings=item.warnings
            )
    return engine
