"""PIT values and reliability tables (cawarn.forecast.calibration)."""

from __future__ import annotations

import numpy as np
import pytest

from cawarn.forecast.calibration import pit, reliability


def test_pit_by_hand() -> None:
    samples = [[0, 0, 1, 2]] * 4
    obs = np.array([0.0, 1.0, 3.0, 0.5])
    v = np.random.default_rng(11).random(4)
    # F(y-) and F(y): 0 and 1/2 at 0; 1/2 and 3/4 at 1; 1 and 1 at 3; 1/2 and 1/2 at 0.5.
    expected = np.array([0.5 * v[0], 0.5 + 0.25 * v[1], 1.0, 0.5])
    assert pit(obs, samples, rng=np.random.default_rng(11)) == pytest.approx(expected)


def test_pit_single_sample_and_all_zero() -> None:
    got = pit([0.0, 1.0, 0.0], [[0.0], [0.0], [1.0]], rng=np.random.default_rng(0))
    assert 0 <= got[0] <= 1
    assert got[1:] == pytest.approx([1.0, 0.0])


def test_pit_is_uniform_for_a_calibrated_count_forecast() -> None:
    rng = np.random.default_rng(12)
    n, s = 20_000, 200
    mean = rng.gamma(0.5, 4, n)[:, None]
    zero = rng.random((n, 1)) < 0.6
    draw = lambda size: np.where(zero, 0, rng.poisson(mean, size))  # noqa: E731
    obs = draw((n, 1))[:, 0].astype(float)
    u = pit(obs, draw((n, s)).astype(float), rng=rng)
    counts, _ = np.histogram(u, bins=10, range=(0, 1))
    assert counts == pytest.approx(np.full(10, n / 10), rel=0.08)
    # The plain PIT F(y) piles up at the top for the same forecasts.
    plain = np.histogram((draw((n, s)) <= obs[:, None]).mean(1), bins=10, range=(0, 1))[0]
    assert plain[-1] > 2 * n / 10


def test_pit_shows_underdispersion() -> None:
    rng = np.random.default_rng(13)
    obs = rng.poisson(10, 5000).astype(float)
    narrow = rng.poisson(10, (5000, 1)) + rng.integers(0, 2, (5000, 100))
    counts, _ = np.histogram(pit(obs, narrow, rng=rng), bins=10, range=(0, 1))
    assert counts[0] + counts[-1] > 2 * counts[4:6].sum()


def test_reliability_by_hand() -> None:
    table = reliability([0, 1, 0, 1, 1, 0], [0.05, 0.15, 0.1, 0.95, 1.0, 0.999], bins=10)
    assert table.edges == pytest.approx(np.linspace(0, 1, 11))
    assert table.counts.tolist() == [1, 2, 0, 0, 0, 0, 0, 0, 0, 3]
    assert table.observed_frequency[[0, 1, 9]] == pytest.approx([0.0, 0.5, 2 / 3])
    assert table.mean_forecast[[0, 1, 9]] == pytest.approx([0.05, 0.125, (0.95 + 1 + 0.999) / 3])
    assert np.isnan(table.observed_frequency[2:9]).all()
    assert np.isnan(table.mean_forecast[2:9]).all()


def test_reliability_counts_events_y_above_zero() -> None:
    table = reliability([0.0, 7.0, 2.0, 0.0], [0.5, 0.5, 0.5, 0.5], bins=2)
    assert table.counts.tolist() == [0, 4]
    assert table.observed_frequency[1] == 0.5


def test_reliability_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        reliability([0.0], [1.2])
    with pytest.raises(ValueError, match="bins"):
        reliability([0.0], [0.2], bins=0)
