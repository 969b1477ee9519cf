"""The count detectors on constructed series where the answer is known."""

from __future__ import annotations

import numpy as np

from cawarn.alerts.cusum import ONSET_PARAMS, CusumParams, cusum_scores, onset_scores
from cawarn.alerts.forecasts import monthly_forecasts
from cawarn.alerts.risk import risk_scores
from cawarn.alerts.surge import surge_scores
from tests.alerts.conftest import monthly_series, weekly_series


def _calm_then_burst(weeks: int = 260, burst_at: int = 200, rate: float = 0.02) -> np.ndarray:
    rng = np.random.default_rng(1)
    counts = rng.poisson(rate, size=(weeks, 3))
    counts[burst_at : burst_at + 4, 1] += np.array([3, 2, 4, 3])
    return counts


def test_cusum_peaks_at_a_sustained_shift_and_only_there() -> None:
    counts = _calm_then_burst()
    scores = cusum_scores(weekly_series(counts))
    assert np.isnan(scores.score[:20]).all()  # no baseline yet
    burst = scores.score[200:204, 1]
    assert (np.diff(burst) > 0).all()  # evidence accumulates while the shift lasts
    before = np.nan_to_num(scores.score[:200], nan=0.0)
    assert burst.max() > 3 * before.max()
    # After the burst the sum decays but no longer alarms: alarms need a fatal event.
    threshold = burst[1]
    alarms = scores.alarms(threshold)
    assert alarms[200:204, 1].sum() == 2
    assert not alarms[204:, 1].any() or counts[204:, 1][alarms[204:, 1]].min() > 0


def test_cusum_llr_is_the_negative_binomial_ratio() -> None:
    counts = np.zeros((60, 1), dtype=np.int64)
    counts[59, 0] = 2
    p = CusumParams(prior_weeks=1e-9, floor=0.01, shift=0.5, ratio=2.0)
    scores = cusum_scores(weekly_series(counts), p)
    mu0, mu1, r = 0.01, 0.51, p.max_size
    expected = 2 * np.log(mu1 / mu0) + (2 + r) * np.log((r + mu0) / (r + mu1))
    assert np.isclose(scores.score[59, 0], expected, rtol=1e-6)
    # Quiet weeks only pull the sum down to zero, never below.
    assert (scores.score[30:59, 0] == 0).all()


def test_cusum_on_a_busy_unit_needs_a_relative_rise() -> None:
    rng = np.random.default_rng(2)
    counts = rng.poisson(20, size=(200, 2))
    counts[150:154, 0] = rng.poisson(45, size=4)
    scores = cusum_scores(weekly_series(counts))
    assert scores.score[153, 0] > 10
    assert np.nanmax(scores.score[:, 1]) < scores.score[153, 0] / 2


def test_a_forgetting_baseline_weighs_each_week_by_its_age() -> None:
    counts = np.zeros((80, 1), dtype=np.int64)
    counts[[10, 40], 0] = [4, 2]
    p = CusumParams(half_life=13.0, guard=2, prior_weeks=1e-9, floor=1e-6, min_weeks=0)
    mu0 = cusum_scores(weekly_series(counts), p).expected
    t = 70  # the baseline is weeks 0..67, week s of age 67 - s weeks
    ages = 67 - np.arange(68)
    weights = 0.5 ** (ages / 13.0)
    assert np.isclose(mu0[t, 0], (4 * weights[10] + 2 * weights[40]) / weights.sum(), rtol=1e-9)
    # The guard keeps the last two weeks out: week 41's baseline ends at week 38.
    assert np.isclose(mu0[41, 0], 4 * 0.5 ** (28 / 13.0) / (0.5 ** (np.arange(39) / 13.0)).sum())


def test_onset_forgets_an_old_episode_and_flags_a_new_first_event() -> None:
    # Unit 0 had a six-week episode, then was quiet for 44 weeks; unit 1 was always quiet.
    # Then both have one fatal event.
    counts = np.zeros((200, 2), dtype=np.int64)
    counts[130:136, 0] = 3
    counts[180, :] = 1
    weekly = weekly_series(counts)
    onset, cusum = onset_scores(weekly), cusum_scores(weekly)
    assert onset.detector == "onset" and onset.params["half_life"] == ONSET_PARAMS.half_life
    # The 52-week CUSUM still takes the episode for the unit's normal; the onset has forgotten
    # most of it.
    assert onset.expected[180, 0] < cusum.expected[180, 0] / 3
    # A first event in a calm unit weighs more (a larger shift) ...
    assert onset.score[180, 1] > cusum.score[180, 1] + 0.5
    # ... and a quiet week after it pulls the sum back to zero, where the CUSUM still carries it.
    assert onset.score[181, 1] == 0 < cusum.score[181, 1]


def test_surge_flags_the_burst_week_with_a_small_p_value() -> None:
    weekly_counts = np.zeros((52 * 4, 2), dtype=np.int64)
    weekly_counts[180, 0] = 4  # four fatal events in one week of a unit that never had one
    weekly_counts[::5, 1] = 1  # a unit with an event every five weeks
    weekly = weekly_series(weekly_counts, first=__import__("datetime").date(2010, 1, 4))
    monthly = monthly_series(np.zeros((48, 2)))
    # Monthly counts from the weekly ones (weeks counted in their Monday's month).
    month_of = {(s.year, s.month): i for i, s in enumerate(monthly.starts)}
    totals = np.zeros((48, 2), dtype=np.int64)
    for t, start in enumerate(weekly.starts):
        if (start.year, start.month) in month_of:
            totals[month_of[(start.year, start.month)]] += weekly_counts[t]
    monthly = monthly_series(totals)
    forecasts = monthly_forecasts(monthly, model="zinb", steps=1, n_samples=500, seed=0)
    scores = surge_scores(weekly, monthly, forecasts)
    assert np.isnan(scores.score[:40]).all()  # a year of history first
    assert scores.score[180, 0] == np.nanmax(scores.score)
    assert scores.score[180, 0] > 2.5  # p < 0.003
    regular = scores.score[100:, 1]
    assert np.nanmax(regular) < 1.5  # the regular unit's events are expected
    assert scores.expected[180, 0] < 0.05


def test_risk_rises_after_violence_starts() -> None:
    counts = np.zeros((48, 2), dtype=np.int64)
    counts[30:36, 0] = [3, 4, 5, 4, 6, 5]
    monthly = monthly_series(counts)
    forecasts = monthly_forecasts(monthly, model="zinb", steps=3, n_samples=500, seed=0)
    scores = risk_scores(monthly, forecasts, jump_weight=2.0)
    assert np.isnan(scores.score[:11]).all()
    p_before, p_after = scores.observed[29, 0], scores.observed[35, 0]
    assert p_after > p_before + 0.1  # ZINB looks at 60 months: it moves, slowly
    assert np.nanargmax(scores.score[:, 0]) >= 30
    assert np.nanmax(scores.score[:, 1]) < 0.05  # a unit with no events stays low


def test_surge_adds_up_single_events_of_consecutive_weeks() -> None:
    import datetime as dt

    weekly_counts = np.zeros((52 * 3, 2), dtype=np.int64)
    weekly_counts[100, 0] = 1  # one event in a calm unit
    weekly_counts[[120, 121], 1] = 1  # one event in each of two consecutive weeks
    weekly = weekly_series(weekly_counts, first=dt.date(2010, 1, 4))
    month_of = {}
    monthly = monthly_series(np.zeros((36, 2)))
    for i, s in enumerate(monthly.starts):
        month_of[(s.year, s.month)] = i
    totals = np.zeros((36, 2), dtype=np.int64)
    for t, start in enumerate(weekly.starts):
        totals[month_of[(start.year, start.month)]] += weekly_counts[t]
    monthly = monthly_series(totals)
    forecasts = monthly_forecasts(monthly, model="zinb", steps=1, n_samples=500, seed=0)
    one_week = surge_scores(weekly, monthly, forecasts, max_weeks=1)
    four_weeks = surge_scores(weekly, monthly, forecasts, max_weeks=4)
    # A lone event scores the same either way; the second of two consecutive ones scores more
    # with the look-back, and its window is two weeks.
    assert four_weeks.score[100, 0] == one_week.score[100, 0]
    assert four_weeks.score[121, 1] > one_week.score[121, 1] + 0.25
    assert four_weeks.extra["window_weeks"][121, 1] == 2
    assert four_weeks.score[122, 1] == 0  # no event in the week: no score
