"""The truth files: consistent with the draws, with each other, and with the process design."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from cawarn.scenario import ScenarioParams, ScenarioResult, best_pmf, generate, mean_deaths
from tests.scenario.conftest import PARAMS, SEED, Units, read_csv


def _floats(rows: list[dict[str, str]], column: str) -> np.ndarray:
    return np.array([float(r[column]) for r in rows])


def test_expected_counts_match_the_draws(admin1: list[dict[str, str]]) -> None:
    lam = _floats(admin1, "expected_violent")
    y = _floats(admin1, "observed_violent")
    # Given the past, each count is Poisson(lambda): the sum of y - lambda has variance sum(lambda).
    z = (y.sum() - lam.sum()) / math.sqrt(lam.sum())
    assert abs(z) < 4
    np.testing.assert_allclose(
        lam,
        _floats(admin1, "background") + _floats(admin1, "excitation") + _floats(admin1, "campaign"),
        rtol=2e-5,
        atol=1e-6,
    )


def test_probability_of_any_violence_is_calibrated(admin1: list[dict[str, str]]) -> None:
    p = _floats(admin1, "p_violent")
    np.testing.assert_allclose(p, -np.expm1(-_floats(admin1, "expected_violent")), rtol=1e-5)
    hit = _floats(admin1, "observed_violent") > 0
    edges = np.quantile(p, np.linspace(0, 1, 11))
    bins = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, 9)
    chi2 = 0.0
    for b in range(10):
        members = bins == b
        expected = p[members].sum()
        variance = (p[members] * (1 - p[members])).sum()
        if variance > 1:
            chi2 += (hit[members].sum() - expected) ** 2 / variance
    assert chi2 < 35  # chi-square, about 10 degrees of freedom; p < 1e-4 beyond


def test_grid_truth_sums_to_the_admin1_truth_each_month(
    scenario: ScenarioResult, admin1: list[dict[str, str]]
) -> None:
    pgm = read_csv(scenario.paths["truth_pgm.csv"])
    by_month: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    for row in admin1:
        s = by_month[row["month_id"]]
        s[0] += float(row["expected_violent"])
        s[1] += int(row["observed_violent"])
    for row in pgm:
        s = by_month[row["month_id"]]
        s[2] += float(row["expected_violent"])
        s[3] += int(row["observed_violent"])
    for month, (unit_lam, unit_y, cell_lam, cell_y) in by_month.items():
        assert cell_lam == pytest.approx(unit_lam, rel=1e-4), month
        assert cell_y == unit_y, month
    cells = {row["priogrid_gid"] for row in pgm}
    assert len(pgm) == len(cells) * scenario.months
    p = _floats(pgm, "p_violent")
    np.testing.assert_allclose(p, -np.expm1(-_floats(pgm, "expected_violent")), rtol=1e-5)


def test_grid_truth_is_calibrated_where_events_fall(
    scenario: ScenarioResult, events: list[dict[str, str]]
) -> None:
    pgm = read_csv(scenario.paths["truth_pgm.csv"])
    lam = _floats(pgm, "expected_violent")
    y = _floats(pgm, "observed_violent")
    assert lam[y > 0].min() > 0  # no event in a cell the truth says is impossible
    # Cells by expected count: each third of the expected mass holds about its share of events.
    order = np.argsort(lam)
    thirds = np.array_split(order, 3)
    for part in thirds:
        z = (y[part].sum() - lam[part].sum()) / math.sqrt(lam[part].sum() + 1)
        assert abs(z) < 5
    reported = sum(r["cawarn_category"] != "protest" for r in events)
    assert _floats(pgm, "observed_reported").sum() == reported


def test_fatalities_truth_and_rows(
    admin1: list[dict[str, str]], events: list[dict[str, str]]
) -> None:
    params = PARAMS
    pmf = best_pmf(params)
    assert pmf.sum() == pytest.approx(1.0)
    mean = mean_deaths(params)
    assert 1.5 < mean < 4
    lam = _floats(admin1, "expected_violent")
    np.testing.assert_allclose(_floats(admin1, "expected_fatalities"), lam * mean, rtol=1e-5)
    parts = ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown")
    for row in events:
        best = int(row["best"])
        assert sum(int(row[c]) for c in parts) == best
        assert int(row["low"]) <= best <= int(row["high"])
        if row["cawarn_category"] == "attack_on_civilians":
            assert row["type_of_violence"] == "3" and int(row["deaths_civilians"]) == best
    bests = [int(r["best"]) for r in events if r["cawarn_category"] != "protest"]
    assert max(bests) >= 20  # a heavy tail
    assert 0.01 < sum(b == 0 for b in bests) / len(bests) < 0.1


def test_onsets_are_listed_and_raise_the_rate(
    scenario: ScenarioResult, admin1: list[dict[str, str]]
) -> None:
    onsets = read_csv(scenario.paths["onsets.csv"])
    assert onsets, "the test scenario should hold campaigns"
    rows = {(r["unit"], int(r["month_id"])): r for r in admin1}
    for onset in onsets:
        unit, month = onset["unit"], int(onset["month_id"])
        assert onset["country"] != "AFG"
        assert onset["onset_date"][:7] == f"{(month - 1) // 12 + 1980}-{(month - 1) % 12 + 1:02d}"
        at = rows[unit, month]
        assert float(at["campaign"]) > 0
        before = rows.get((unit, month - 1))
        if before is not None and float(before["campaign"]) == 0:
            assert float(at["expected_violent"]) > float(before["expected_violent"])
        after = rows.get((unit, month + 1))
        if after is not None and int(onset["duration_months"]) > 1:
            assert float(after["campaign"]) > 0
    campaign_units = {o["unit"] for o in onsets}
    quiet = [r for r in admin1 if r["unit"] not in campaign_units]
    assert all(float(r["campaign"]) == 0 for r in quiet)


def _truth(units: Units, out: Path, params: ScenarioParams) -> list[dict[str, str]]:
    result = generate(units, seed=SEED, start="2019-01", end="2020-12", out_dir=out, params=params)
    return read_csv(result.paths["truth_admin1.csv"])


def test_protests_never_feed_violence(units: Units, tmp_path: Path) -> None:
    base = _truth(units, tmp_path / "a", PARAMS)
    louder = {k: 10 * v for k, v in PARAMS.protest_per_month.items()}
    loud = _truth(units, tmp_path / "b", replace(PARAMS, protest_per_month=louder))
    violent = ("expected_violent", "p_violent", "observed_violent", "campaign", "excitation")
    for a, b in zip(base, loud, strict=True):
        assert [a[c] for c in violent] == [b[c] for c in violent]
    assert sum(float(r["expected_protest"]) for r in loud) == pytest.approx(
        10 * sum(float(r["expected_protest"]) for r in base), rel=1e-4
    )


def test_afghan_violence_spills_into_the_bordering_provinces(units: Units, tmp_path: Path) -> None:
    quiet = replace(PARAMS, campaign_rate_per_year=0.0)
    on = _truth(units, tmp_path / "on", quiet)
    off = _truth(units, tmp_path / "off", replace(quiet, alpha_afg_to_central_asia=0.0))
    border = {"TJ-KT", "TJ-GB", "UZ-SU", "TM-L", "TM-M", "TM-A"}

    def total(rows: list[dict[str, str]], units_: set[str]) -> float:
        return sum(float(r["expected_violent"]) for r in rows if r["unit"] in units_)

    assert total(on, border) > 3 * total(off, border)
    # Switching the spillover off changes nothing but the spillover: the backgrounds are the same.
    assert [r["background"] for r in on] == [r["background"] for r in off]
