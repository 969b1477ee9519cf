"""Protest and riot never feed the count detectors (DESIGN principle 2)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np

from cawarn.alerts.cusum import cusum_scores, onset_scores
from cawarn.alerts.forecasts import monthly_forecasts
from cawarn.alerts.risk import risk_scores
from cawarn.alerts.scenario_files import read_scenario
from cawarn.alerts.series import count_series
from cawarn.alerts.surge import surge_scores
from cawarn.domain import Category


def test_protest_waves_change_no_score(scenario_dir: Path) -> None:
    data = read_scenario(scenario_dir)
    assert len(data.protest_waves) > 0
    protests = [e for e in data.events if e.category is Category.PROTEST]
    assert protests
    # Make the decoy as loud as possible: every protest with deaths, ten times over, plus riots.
    loud = [
        dataclasses.replace(e, event_id=f"{e.event_id}-{k}", deaths=5, category=category)
        for e in protests
        for k, category in enumerate([Category.PROTEST] * 10 + [Category.RIOT] * 5)
    ]
    units = sorted(u for u, country in data.countries.items() if country != "AFG")
    first, last = data.first, dt.date(2014, 12, 31)
    assert sum(e.unit in units and first <= e.day <= last for e in loud) > 100

    def all_scores(events: list) -> list[np.ndarray]:  # type: ignore[type-arg]
        weekly = count_series(events, freq="week", first=first, last=last, units=units)
        monthly = count_series(events, freq="month", first=first, last=last, units=units)
        forecasts = monthly_forecasts(monthly, steps=2, n_samples=200, seed=1)
        return [
            weekly.counts,
            surge_scores(weekly, monthly, forecasts).score,
            cusum_scores(weekly).score,
            onset_scores(weekly).score,
            risk_scores(monthly, forecasts).score,
        ]

    quiet = all_scores(data.events)
    noisy = all_scores(data.events + loud)
    for a, b in zip(quiet, noisy, strict=True):
        np.testing.assert_array_equal(a, b)
    assert quiet[0].sum() > 0  # the series is not empty: violence is counted
