"""Fixtures for the alert tests: hand-made series, and one scenario with many onsets and waves."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from cawarn.alerts.series import CountSeries, month_grid, week_grid
from cawarn.geo.boundaries import read_boundary_folder
from cawarn.scenario import ScenarioParams, ScenarioResult, generate

REPO = Path(__file__).resolve().parents[2]
BOUNDARY_DIR = REPO.parent / "shared" / "data" / "boundaries"
COUNTRIES = ["AFG", "KAZ", "KGZ", "TJK", "TKM", "UZB"]
#: Frequent campaigns and protest waves, so ten years hold enough of both to score.
PARAMS = replace(ScenarioParams(), campaign_rate_per_year=3.0, protest_wave_rate_per_year=0.6)


def weekly_series(counts: np.ndarray, first: dt.date = dt.date(2010, 1, 4)) -> CountSeries:
    """A weekly series of the given counts (weeks × units), units u0, u1, ..."""
    starts, ends = week_grid(first, first + dt.timedelta(weeks=counts.shape[0] - 1))
    units = tuple(f"u{j}" for j in range(counts.shape[1]))
    return CountSeries(
        "week", tuple(starts), tuple(ends), units, counts.astype(np.int64), ("XXX",) * len(units)
    )


def monthly_series(counts: np.ndarray, first: dt.date = dt.date(2010, 1, 1)) -> CountSeries:
    """A monthly series of the given counts (months × units)."""
    last = dt.date(first.year + (counts.shape[0] - 1) // 12, (counts.shape[0] - 1) % 12 + 1, 1)
    starts, ends = month_grid(first, last)
    units = tuple(f"u{j}" for j in range(counts.shape[1]))
    return CountSeries(
        "month", tuple(starts), tuple(ends), units, counts.astype(np.int64), ("XXX",) * len(units)
    )


@pytest.fixture(scope="session")
def scenario_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ten-year scenario (2012-2021) with about three campaign onsets a year."""
    if not BOUNDARY_DIR.is_dir():
        pytest.fail(f"the shared test data is missing: expected {BOUNDARY_DIR}")
    units = [u for b in read_boundary_folder(BOUNDARY_DIR, COUNTRIES) for u in b.units]
    out = tmp_path_factory.mktemp("alerts-scenario")
    result: ScenarioResult = generate(
        units, seed=3, start="2012-01", end="2021-12", out_dir=out, params=PARAMS
    )
    assert result.onsets > 10
    return out
