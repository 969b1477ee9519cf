"""Percentile bootstrap over origins (cawarn.forecast.bootstrap)."""

from __future__ import annotations

import numpy as np
import pytest

from cawarn.forecast.bootstrap import bootstrap_ci


def test_constant_values_give_a_point_interval() -> None:
    ci = bootstrap_ci([0.3] * 13, rng=np.random.default_rng(0))
    assert ci == pytest.approx((0.3, 0.3, 0.3))


def test_interval_matches_the_normal_approximation() -> None:
    rng = np.random.default_rng(1)
    values = rng.normal(5.0, 2.0, 48)
    ci = bootstrap_ci(values, n_boot=4000, rng=rng)
    half = 1.96 * values.std() / np.sqrt(values.size)
    assert ci.estimate == pytest.approx(values.mean())
    assert ci.low == pytest.approx(values.mean() - half, abs=0.15 * half)
    assert ci.high == pytest.approx(values.mean() + half, abs=0.15 * half)


def test_two_values_percentiles() -> None:
    # Resampled means of [0, 10] are 0, 5, 10 with probabilities 1/4, 1/2, 1/4: the central 40 %
    # interval is [5, 5]; the central 90 % one is [0, 10].
    assert bootstrap_ci([0.0, 10.0], level=0.4, n_boot=4000, rng=np.random.default_rng(2))[1:] == (
        5.0,
        5.0,
    )
    assert bootstrap_ci([0.0, 10.0], level=0.9, n_boot=4000, rng=np.random.default_rng(2))[1:] == (
        0.0,
        10.0,
    )


def test_other_statistic_and_checks() -> None:
    ci = bootstrap_ci([1.0, 2.0, 100.0], statistic=np.median, rng=np.random.default_rng(3))
    assert ci.estimate == 2.0
    assert ci.high <= 100.0
    with pytest.raises(ValueError, match="shape"):
        bootstrap_ci([], rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="level"):
        bootstrap_ci([1.0], level=1.0, rng=np.random.default_rng(0))
