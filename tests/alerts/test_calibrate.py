"""Calibration reaches the chosen false-alarm rate on null data (no episode anywhere)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from cawarn.alerts.calibrate import alerts_per_100, conformal_threshold, rate_threshold
from cawarn.alerts.cusum import cusum_scores
from cawarn.alerts.episodes import episode_ids, episode_starts
from cawarn.alerts.evaluate import period_mask
from tests.alerts.conftest import weekly_series


def test_conformal_threshold_bounds_the_exceedance_rate() -> None:
    rng = np.random.default_rng(0)
    calibration = rng.gamma(2.0, size=20_000)
    fresh = rng.gamma(2.0, size=200_000)
    for alpha in (0.1, 0.01, 0.002):
        threshold = conformal_threshold(calibration, alpha)
        rate = float(np.mean(fresh > threshold))
        assert rate == pytest.approx(alpha, rel=0.25)
    assert conformal_threshold(np.arange(10.0), 0.01) == np.inf  # too few scores for 1 %
    assert conformal_threshold(np.array([1.0, np.nan, 2.0, 3.0]), 0.4) == 3.0


@pytest.mark.parametrize("target", [0.5, 2.0])
def test_rate_threshold_hits_the_target_on_null_data(target: float) -> None:
    rng = np.random.default_rng(5)
    weeks, units = 52 * 16, 60
    rates = rng.gamma(0.5, 0.2, size=units)  # calm and busier units, no episode anywhere
    counts = rng.poisson(rates, size=(weeks, units))
    scores = cusum_scores(weekly_series(counts))
    days = scores.ends
    first_half = period_mask(scores, days[52], days[52 * 8])
    second_half = period_mask(scores, days[52 * 8 + 1], days[-1])
    threshold = rate_threshold(scores, target, first_half)
    assert alerts_per_100(scores, threshold, first_half) <= target
    assert alerts_per_100(scores, threshold, first_half) == pytest.approx(target, rel=0.15)
    # Held-out null data: the same rate, within sampling error.
    assert alerts_per_100(scores, threshold, second_half) == pytest.approx(target, rel=0.35)


def test_rate_threshold_refuses_a_rate_of_zero() -> None:
    scores = cusum_scores(weekly_series(np.zeros((60, 2), dtype=np.int64)))
    with pytest.raises(ValueError, match="above 0"):
        rate_threshold(scores, 0.0, np.ones(scores.score.shape, dtype=bool))


def test_repeated_alarms_within_the_gap_are_one_episode() -> None:
    alarms = np.zeros((12, 2), dtype=bool)
    alarms[[1, 2, 4, 10], 0] = True  # weeks 1-4 one episode; week 10 is 6 weeks later
    alarms[[3], 1] = True
    start = dt.date(2020, 1, 5)
    days = np.array([start + dt.timedelta(weeks=i) for i in range(12)], dtype="datetime64[D]")
    days_i = days.astype(np.int64)
    opens = episode_starts(alarms, days_i, gap_days=35)
    assert np.flatnonzero(opens[:, 0]).tolist() == [1, 10]
    assert np.flatnonzero(opens[:, 1]).tolist() == [3]
    ids = episode_ids(alarms, days_i, gap_days=35)
    assert ids[[1, 2, 4, 10], 0].tolist() == [0, 0, 0, 1]
    assert (ids[~alarms] == -1).all()


def test_ties_are_broken_without_reordering_distinct_scores() -> None:
    counts = np.zeros((40, 3), dtype=np.int64)
    counts[30:, :] = 1
    scores = cusum_scores(weekly_series(counts))
    tied = scores.score.copy()
    tied[30:, :] = 5.0  # thirty tied alarms
    tied[35, 0] = 7.0
    from dataclasses import replace

    from cawarn.alerts.calibrate import break_ties

    broken = break_ties(replace(scores, score=tied), seed=1).score
    assert np.unique(broken[30:]).size == 30
    assert (broken[30:][tied[30:] == 5.0] < 6.0).all()  # less than half the gap to 7
    assert broken[35, 0] == broken[30:].max()
    np.testing.assert_array_equal(np.isnan(broken), np.isnan(tied))
    # With ties broken, a rate between "none" and "all" of the tied weeks can be met.
    mask = np.ones(tied.shape, dtype=bool)
    all_tied = alerts_per_100(replace(scores, score=tied), 4.9, mask)
    threshold = rate_threshold(replace(scores, score=broken), all_tied / 2, mask)
    assert 0 < alerts_per_100(replace(scores, score=broken), threshold, mask) <= all_tied / 2


def test_rate_threshold_walks_down_past_a_non_monotone_rate() -> None:
    # One busy unit alarms every week at low thresholds (one long episode, one alert), while
    # high thresholds give it many separate alerts: the rate rises, then falls, as τ drops.
    weeks = 400
    score = np.zeros((weeks, 1))
    score[::10, 0] = 10.0  # isolated strong alarms: 40 alerts
    score[score[:, 0] == 0, 0] = 1.0  # weak alarms everywhere else: they merge all into one
    counts = np.ones((weeks, 1), dtype=np.int64)
    from dataclasses import replace

    scores = replace(cusum_scores(weekly_series(counts)), score=score)
    mask = np.ones(score.shape, dtype=bool)
    assert alerts_per_100(scores, 0.5, mask) < 2  # everything alarms: one alert
    threshold = rate_threshold(scores, 2.0, mask)
    assert threshold >= 10.0  # not the low threshold where the rate falls back under 2
