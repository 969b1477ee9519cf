"""Fixtures for the geo tests: the real boundaries and GED rows beside the repository."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from shapely.geometry.base import BaseGeometry

from cawarn.domain import AdminUnit
from cawarn.geo.assign import AdminIndex
from cawarn.geo.boundaries import CountryBoundaries, read_boundary_folder

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data"
BOUNDARY_DIR = DATA / "boundaries"
GED_SAMPLE = DATA / "ucdp-ged-sample" / "ged231_sample_1000.csv"
GED_CANDIDATE = DATA / "ucdp-candidate" / "GEDEvent_v23_0_10.csv"
ALL_COUNTRIES = ["AFG", "KAZ", "KGZ", "TJK", "TKM", "UZB", "PAK", "IRN"]
GW_TO_ISO3 = {
    "700": "AFG",
    "701": "TKM",
    "702": "TJK",
    "703": "KGZ",
    "704": "UZB",
    "705": "KAZ",
    "770": "PAK",
    "630": "IRN",
}


def read_ged(path: Path) -> list[dict[str, str]]:
    """Rows of a UCDP GED CSV file."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def all_boundaries() -> dict[str, CountryBoundaries]:
    """The real boundaries of the default region and its neighbours, by country."""
    if not BOUNDARY_DIR.is_dir():
        pytest.fail(f"the shared test data is missing: expected {BOUNDARY_DIR}")
    return {b.country: b for b in read_boundary_folder(BOUNDARY_DIR, ALL_COUNTRIES)}


@pytest.fixture(scope="session")
def all_units(
    all_boundaries: dict[str, CountryBoundaries],
) -> list[tuple[AdminUnit, BaseGeometry]]:
    """Every unit of every country, with its geometry."""
    return [unit for b in all_boundaries.values() for unit in b.units]


@pytest.fixture(scope="session")
def admin_index(all_units: list[tuple[AdminUnit, BaseGeometry]]) -> AdminIndex:
    """An index over all real units with the default 10 km tolerance."""
    return AdminIndex.build(all_units)
