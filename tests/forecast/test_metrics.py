"""Scores against values worked out by hand (cawarn.forecast.metrics)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cawarn.forecast import metrics
from cawarn.forecast.metrics import (
    SCORE_NAMES,
    VIEWS_BINS,
    ScoreAccumulator,
    average_precision,
    brier,
    coverage,
    crps,
    ignorance,
    interval_score,
    mean_crps,
    msle,
    score_all,
    twcrps,
)

# ---------------------------------------------------------------------------- CRPS


def test_crps_by_hand() -> None:
    obs = [0.0, 3.0, 2.0, 5.0, 0.0]
    samples = [
        [0, 0, 0, 0],  # all zero, observed zero: a perfect forecast
        [3, 3, 3, 3],  # a point mass on the observation
        [1, 3, 1, 3],  # mean |x - y| = 1; Σ|xi - xj| over ordered pairs = 16, / (2·16)
        [1, 2, 3, 4],  # 10/4 - 20/32
        [0, 0, 0, 8],  # 8/4 - 48/32
    ]
    assert crps(obs, samples) == pytest.approx([0.0, 0.0, 0.5, 1.875, 0.5], abs=1e-15)


def test_crps_is_the_views_estimator_not_the_fair_one() -> None:
    # Samples [0, 2], observation 0: 1 - 4/8 = 0.5 with S² (ViEWS); the fair estimator, with
    # S(S - 1), would give 1 - 4/4 = 0.
    assert crps([0.0], [[0.0, 2.0]])[0] == pytest.approx(0.5, abs=1e-15)


def test_crps_single_sample_is_absolute_error() -> None:
    got = crps([1.0, 0.0, 7.0], [[3.0], [0.0], [2.5]])
    assert got == pytest.approx([2.0, 0.0, 4.5], abs=1e-15)


def test_crps_axis_and_mean() -> None:
    obs = np.array([5.0, 0.0])
    samples = np.array([[1.0, 2, 3, 4], [0, 0, 0, 8]])
    assert crps(obs, samples.T, axis=0) == pytest.approx([1.875, 0.5])
    assert mean_crps(obs, samples) == pytest.approx(1.1875)


def test_crps_does_not_depend_on_sample_order() -> None:
    rng = np.random.default_rng(3)
    obs = rng.poisson(2, 50).astype(float)
    samples = rng.negative_binomial(1, 0.3, (50, 200)).astype(float)
    shuffled = rng.permuted(samples, axis=1)
    assert crps(obs, shuffled) == pytest.approx(crps(obs, np.sort(samples, axis=1)), rel=1e-12)


def test_crps_matches_the_pairwise_formula() -> None:
    rng = np.random.default_rng(4)
    obs = rng.poisson(3, 30).astype(float)
    x = rng.lognormal(1, 1, (30, 40))
    direct = np.abs(x - obs[:, None]).mean(1) - np.abs(x[:, :, None] - x[:, None, :]).sum(
        (1, 2)
    ) / (2 * 40**2)
    assert crps(obs, x) == pytest.approx(direct, rel=1e-12)


def test_crps_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="do not match"):
        crps([1.0, 2.0], [[1.0, 2.0]])
    with pytest.raises(ValueError, match="NaN"):
        crps([1.0], [[np.nan, 2.0]])
    with pytest.raises(ValueError, match=r"shape \(n, S\)"):
        crps([1.0], [1.0])


# -------------------------------------------------------------------------- twCRPS


def test_twcrps_at_zero_equals_crps_for_counts() -> None:
    obs = [0.0, 5.0]
    samples = [[0, 0, 0, 8], [1, 2, 3, 4]]
    assert twcrps(obs, samples) == pytest.approx((0.5 + 1.875) / 2)


def test_twcrps_raises_values_to_the_threshold() -> None:
    # threshold 2: y = 0 -> 2, samples [0, 0, 3, 5] -> [2, 2, 3, 5];
    # mean |x - y| = 4/4 = 1; Σ|xi - xj| over ordered pairs = 20, / 32 = 0.625.
    assert twcrps([0.0], [[0.0, 0.0, 3.0, 5.0]], threshold=2.0) == pytest.approx(0.375)
    # Everything at or below the threshold scores 0.
    assert twcrps([1.0], [[0.0, 2.0]], threshold=2.0) == 0.0


# --------------------------------------------------------------------------- Brier


def test_brier_by_hand() -> None:
    obs = [0.0, 3.0, 0.0, 1.0]
    p = [0.1, 0.8, 0.5, 1.0]
    assert brier(obs, p) == pytest.approx((0.01 + 0.04 + 0.25 + 0.0) / 4)


def test_brier_all_zero() -> None:
    assert brier([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert brier([0.0, 0.0], [1.0, 0.5]) == pytest.approx(0.625)


def test_brier_rejects_non_probabilities() -> None:
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        brier([1.0], [1.5])


# --------------------------------------------------------------- average precision


def test_average_precision_by_hand() -> None:
    # Ranked: 0.9 hit, 0.8 miss, 0.7 hit, 0.1 miss -> 0.5·1 + 0.5·(2/3).
    assert average_precision([4.0, 0.0, 1.0, 0.0], [0.9, 0.8, 0.7, 0.1]) == pytest.approx(5 / 6)


def test_average_precision_ties_form_one_operating_point() -> None:
    # Thresholds 0.8 (1 hit, 1 miss) and 0.3 (2 hits, 2 misses): 0.5·0.5 + 0.5·0.5. Ranking the
    # hit first inside each tie would give 5/6.
    obs = [2.0, 0.0, 1.0, 0.0]
    assert average_precision(obs, [0.8, 0.8, 0.3, 0.3]) == pytest.approx(0.5)
    assert average_precision(obs[::-1], [0.3, 0.3, 0.8, 0.8]) == pytest.approx(0.5)


def test_average_precision_constant_forecast_is_prevalence() -> None:
    assert average_precision([0.0, 3.0, 0.0, 0.0], [0.3] * 4) == pytest.approx(0.25)


def test_average_precision_edges() -> None:
    assert math.isnan(average_precision([0.0, 0.0, 0.0], [0.2, 0.5, 0.0]))
    assert average_precision([1.0, 2.0], [0.0, 0.0]) == 1.0
    assert average_precision([0.0, 1.0, 0.0], [0.0, 1.0, 0.0]) == 1.0


def test_average_precision_is_the_step_sum_not_the_trapezoid() -> None:
    # Ranked: miss, hit. Step sum: 1 · 1/2. The trapezoid would add the triangle up to (0, 1).
    assert average_precision([0.0, 1.0], [0.9, 0.1]) == pytest.approx(0.5)


# ------------------------------------------------------------------------------ MSLE


def test_msle_by_hand() -> None:
    assert msle([0.0, 3.0], [1.0, 3.0]) == pytest.approx(math.log(2) ** 2 / 2)
    assert msle([0.0, 0.0], [0.0, 0.0]) == 0.0


def test_msle_rejects_values_below_minus_one() -> None:
    with pytest.raises(ValueError, match="-1"):
        msle([0.0], [-2.0])


# ------------------------------------------------------------------------- ignorance


def test_ignorance_by_hand() -> None:
    # 4 samples + 10 bins of Laplace smoothing = 14. Obs 0 in [0, 0.5) holding 2 samples;
    # obs 1 in [0.5, 2.5) holding 1; obs 100 in [50.5, 100.5) holding none.
    samples = [[0, 0, 1, 3]] * 3
    expected = [-math.log2(3 / 14), -math.log2(2 / 14), -math.log2(1 / 14)]
    assert ignorance([0.0, 1.0, 100.0], samples) == pytest.approx(np.mean(expected))


def test_ignorance_bin_edges_are_half_open() -> None:
    # A sample at 0.5 is in [0.5, 2.5), not [0, 0.5).
    assert ignorance([0.0], [[0.0, 0.5]]) == pytest.approx(-math.log2(2 / 12))
    assert ignorance([1.0], [[0.0, 0.5]]) == pytest.approx(-math.log2(2 / 12))


def test_ignorance_overflow_bin_counts_only_when_populated() -> None:
    # A sample ≥ 1000.5 opens an 11th bin, which also gets + 1: denominator 4 + 11.
    assert ignorance([0.0], [[0, 0, 0, 2000]]) == pytest.approx(-math.log2(4 / 15))
    assert ignorance([0.0], [[0, 0, 0, 1000]]) == pytest.approx(-math.log2(4 / 14))


def test_ignorance_all_zero_and_single_sample() -> None:
    assert ignorance([0.0, 0.0], [[0.0] * 5] * 2) == pytest.approx(-math.log2(6 / 15))
    assert ignorance([0.0, 7.0], [[0.0], [0.0]]) == pytest.approx(
        (-math.log2(2 / 11) - math.log2(1 / 11)) / 2
    )


def test_ignorance_range() -> None:
    assert ignorance([1000.0], [[0.0]]) == pytest.approx(-math.log2(1 / 11))
    with pytest.raises(ValueError, match="outside the ignorance bins"):
        ignorance([1000.5], [[0.0]])
    with pytest.raises(ValueError, match="below the first"):
        ignorance([0.0], [[-1.0]])
    # Widened bins take larger counts: [1000.5, inf) is then an ordinary 11th bin.
    open_bins = (*VIEWS_BINS, math.inf)
    assert ignorance([2000.0], [[0, 0, 0, 2000]], bins=open_bins) == pytest.approx(
        -math.log2(2 / 15)
    )
    with pytest.raises(ValueError, match="increasing"):
        ignorance([0.0], [[0.0]], bins=[0.0, 2.0, 1.0])


# ------------------------------------------------------------ interval and coverage


def test_interval_score_by_hand() -> None:
    # Samples 0..4, alpha 0.5: linear quantiles 1 and 3 (width 2); penalty 2/0.5 = 4 per unit.
    samples = [[0, 1, 2, 3, 4]] * 3
    assert interval_score([2.0, 0.0, 5.0], samples, alpha=0.5) == pytest.approx(
        (2 + (2 + 4 * 1) + (2 + 4 * 2)) / 3
    )
    # Default alpha 0.05: quantiles 0.1 and 3.9.
    assert interval_score([2.0], [[0, 1, 2, 3, 4]]) == pytest.approx(3.8)


def test_interval_score_and_coverage_all_zero() -> None:
    assert interval_score([0.0], [[0.0] * 10]) == 0.0
    assert interval_score([3.0], [[0.0] * 10]) == pytest.approx(3 * 2 / 0.05)
    assert coverage([0.0, 3.0], [[0.0] * 10] * 2) == 0.5


def test_coverage_interval_is_closed() -> None:
    samples = [[0, 1, 2, 3, 4]] * 4
    # level 0.5: [1, 3]; 1 and 3 are inside, 0 and 4 outside.
    assert coverage([1.0, 3.0, 0.0, 4.0], samples, level=0.5) == 0.5
    # level 0.9: [0.2, 3.8].
    assert coverage([0.0, 0.2, 3.8, 4.0], samples) == 0.5


def test_coverage_level_gives_views_alpha_exactly() -> None:
    # ViEWS takes α = 0.1, so its 90 % interval of [0, 1] starts at 0.05; with α = 1 - 0.9
    # (0.09999999999999998) it would start one step of float below, and cover this value.
    assert coverage([0.04999999999999999], [[0.0, 1.0]], level=0.9) == 0.0
    assert coverage([0.05], [[0.0, 1.0]], level=0.9) == 1.0


def test_interval_options_are_checked() -> None:
    with pytest.raises(ValueError, match="alpha"):
        interval_score([0.0], [[0.0]], alpha=1.0)
    with pytest.raises(ValueError, match="level"):
        coverage([0.0], [[0.0]], level=0.0)


# ------------------------------------------------------------ score_all, accumulator


def _mixed(n: int, s: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    obs = (rng.poisson(2, n) * (rng.random(n) < 0.4)).astype(float)
    samples = (rng.negative_binomial(1, 0.3, (n, s)) * (rng.random((n, s)) < 0.5)).astype(float)
    samples[: n // 10] = 0.0
    return obs, samples


def test_score_all_equals_the_single_scores() -> None:
    obs, samples = _mixed(300, 100, seed=5)
    p = (samples > 0).mean(axis=1)
    got = score_all(obs, samples)
    assert tuple(got) == SCORE_NAMES
    expected = {
        "crps": mean_crps(obs, samples),
        "brier": brier(obs, p),
        "ap": average_precision(obs, p),
        "msle": msle(obs, samples.mean(axis=1)),
        "ign": ignorance(obs, samples),
        "coverage90": coverage(obs, samples, level=0.9),
        "interval_score": interval_score(obs, samples, alpha=0.05),
        "twcrps": twcrps(obs, samples, threshold=0.0),
    }
    assert got == pytest.approx(expected, rel=1e-12)


def test_score_all_uses_the_given_point() -> None:
    obs, samples = _mixed(50, 20, seed=6)
    assert score_all(obs, samples, point=obs)["msle"] == 0.0


def test_score_all_all_zero() -> None:
    got = score_all(np.zeros(4), np.zeros((4, 10)))
    assert math.isnan(got.pop("ap"))
    assert got == pytest.approx(
        {
            "crps": 0.0,
            "brier": 0.0,
            "msle": 0.0,
            "ign": -math.log2(11 / 20),
            "coverage90": 1.0,
            "interval_score": 0.0,
            "twcrps": 0.0,
        }
    )


def test_accumulator_over_chunks_and_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    obs, samples = _mixed(500, 60, seed=7)
    whole = score_all(obs, samples)
    monkeypatch.setattr(metrics, "_BLOCK_ROWS", 64)
    acc = ScoreAccumulator()
    for start in range(0, 500, 170):
        acc.add(obs[start : start + 170], samples[start : start + 170])
    assert acc.n == 500
    assert acc.result() == pytest.approx(whole, rel=1e-12)


def test_accumulator_twcrps_with_a_threshold_that_bites() -> None:
    obs, samples = _mixed(100, 30, seed=8)
    acc = ScoreAccumulator(threshold=1.0)
    acc.add(obs, samples)
    assert acc.result()["twcrps"] == pytest.approx(twcrps(obs, samples, threshold=1.0))
    assert acc.result()["twcrps"] < acc.result()["crps"]


def test_accumulator_rejects_a_bad_chunk_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics, "_BLOCK_ROWS", 2)
    acc = ScoreAccumulator()
    acc.add([1.0], [[1.0, 2.0]])
    with pytest.raises(ValueError, match="outside the ignorance bins"):
        acc.add([0.0, 0.0, 0.0, 5000.0], [[0.0, 1.0]] * 4)
    assert acc.n == 1
    assert acc.result()["crps"] == pytest.approx(0.25)


def test_accumulator_needs_data() -> None:
    with pytest.raises(ValueError, match="no observations"):
        ScoreAccumulator().result()
