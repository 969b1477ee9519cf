"""Fixtures for the scenario tests: the real boundaries and one small generated scenario."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest
from shapely.geometry.base import BaseGeometry

from cawarn.domain import AdminUnit
from cawarn.geo.boundaries import read_boundary_folder
from cawarn.scenario import ScenarioParams, ScenarioResult, generate

REPO = Path(__file__).resolve().parents[2]
BOUNDARY_DIR = REPO.parent / "shared" / "data" / "boundaries"
COUNTRIES = ["AFG", "KAZ", "KGZ", "TJK", "TKM", "UZB"]
START, END, SEED = "2019-01", "2021-12", 7
#: Many campaigns and protest waves, so a short window holds some.
PARAMS = replace(ScenarioParams(), campaign_rate_per_year=3.0, protest_wave_rate_per_year=0.5)

Units = list[tuple[AdminUnit, BaseGeometry]]


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV file as dictionaries."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def units() -> Units:
    """Every admin-1 unit of the default region with its geometry."""
    if not BOUNDARY_DIR.is_dir():
        pytest.fail(f"the shared test data is missing: expected {BOUNDARY_DIR}")
    return [u for b in read_boundary_folder(BOUNDARY_DIR, COUNTRIES) for u in b.units]


@pytest.fixture(scope="session")
def scenario(units: Units, tmp_path_factory: pytest.TempPathFactory) -> ScenarioResult:
    """A three-year scenario at scale 1 with frequent campaigns."""
    out = tmp_path_factory.mktemp("scenario")
    return generate(units, seed=SEED, start=START, end=END, out_dir=out, params=PARAMS)


@pytest.fixture(scope="session")
def events(scenario: ScenarioResult) -> list[dict[str, str]]:
    """The rows of the scenario's events.csv."""
    return read_csv(scenario.paths["events.csv"])


@pytest.fixture(scope="session")
def admin1(scenario: ScenarioResult) -> list[dict[str, str]]:
    """The rows of truth_admin1.csv."""
    return read_csv(scenario.paths["truth_admin1.csv"])
