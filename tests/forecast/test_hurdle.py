"""The main model: no look-ahead, retraining policy, calibration, and skill on a known process."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cawarn.forecast.backtest import model_frame, run_backtest
from cawarn.forecast.models import ConflictologyForecaster, HurdleForecaster, HurdleParams
from cawarn.forecast.models.design import build_design, recent_size
from cawarn.forecast.models.hurdle import _history_draws, _pairs, _pool

FIRST = 300


def self_exciting_panel(seed: int = 0, units: int = 60, months: int = 150) -> pd.DataFrame:
    """Counts that follow a self-exciting process with unit-specific rates and heavy sizes.

    Events: N[t] ~ Poisson(b_u + 0.6 · N[t-1]); fatalities: the sum of N Pareto-like sizes.
    The recent past predicts the next months far better than a 36-month bootstrap does.
    """
    rng = np.random.default_rng(seed)
    base = rng.gamma(0.4, 0.5, size=units)
    base[: units // 4] = 0.0  # quiet units
    n = np.zeros((months, units))
    for t in range(months):
        previous = n[t - 1] if t else np.zeros(units)
        n[t] = rng.poisson(base + 0.6 * previous + (0.8 if t % 50 == 25 else 0) * (base > 1))
    sizes = np.floor((1 - rng.random((months, units, 12))) ** (-1 / 1.8))
    taken = np.arange(12)[None, None, :] < n[:, :, None]
    y = (sizes * taken).sum(axis=2) + np.maximum(n - 12, 0)
    index = pd.MultiIndex.from_product(
        [np.arange(FIRST, FIRST + months), [f"U{i:02d}" for i in range(units)]],
        names=["month_id", "unit"],
    )
    frame = pd.DataFrame({"fatalities": y.ravel(), "events": n.ravel()}, index=index)
    return frame


def test_training_pairs_never_reach_past_the_origin() -> None:
    data = model_frame(self_exciting_panel(), "fatalities")
    past = data.loc[: FIRST + 99]
    design = build_design(past)
    for step in (1, 6, 12):
        x, y, w, target_month, cell = _pairs(design, step, 0.5, np.random.default_rng(0))
        assert target_month.max() == FIRST + 99
        assert x.shape[0] == y.shape[0] == w.shape[0] == cell.shape[0]
        # Row i pairs the features of cell (t, u) with the target of (t + step, u).
        units = design.y.shape[1]
        flat = design.x.reshape(-1, design.x.shape[2])
        np.testing.assert_array_equal(x, flat[cell])
        np.testing.assert_array_equal(y, design.y[cell // units + step, cell % units])
        assert set(np.unique(w)) <= {1.0, 2.0}


def test_a_new_origin_within_refit_every_keeps_the_models() -> None:
    data = model_frame(self_exciting_panel(), "fatalities")
    model = HurdleForecaster(HurdleParams(refit_every=3))
    model.fit(data.loc[: FIRST + 99])
    model.predict([1], n_samples=10, rng=np.random.default_rng(0))
    learnt = model._steps[1]
    model.fit(data.loc[: FIRST + 101])
    assert model._steps.get(1) is learnt  # two origins later: same models, new features
    forecast = model.predict([1], n_samples=10, rng=np.random.default_rng(0))
    assert forecast.origin == FIRST + 101
    model.fit(data.loc[: FIRST + 102])
    assert 1 not in model._steps  # three origins later: retrained on the longer history


def test_same_seed_same_samples_and_other_seed_other_models() -> None:
    data = model_frame(self_exciting_panel(), "fatalities").loc[: FIRST + 119]

    def draw(seed: int) -> np.ndarray:
        model = HurdleForecaster(seed=seed).fit(data)
        return model.predict([2], n_samples=50, rng=np.random.default_rng(1)).samples[2]

    np.testing.assert_array_equal(draw(0), draw(0))
    assert not np.array_equal(draw(0), draw(1))


def test_samples_are_counts_with_a_hurdle() -> None:
    data = model_frame(self_exciting_panel(), "fatalities").loc[: FIRST + 119]
    model = HurdleForecaster().fit(data)
    x = model.predict([1, 3], n_samples=400, rng=np.random.default_rng(0)).samples
    for values in x.values():
        assert values.shape == (60, 400)
        assert (values >= 0).all() and (values == np.round(values)).all()
        assert ((values == 0) | (values >= 1)).all()
    # Units that never had an event get (almost) no mass above 0.
    assert x[1][:15].mean() < 0.05


def test_recent_size_follows_a_change_of_level_and_ignores_zero_months() -> None:
    y = np.array([[0.0], [100], [0], [100], [1000], [10], [10], [10], [0]])
    size = recent_size(y, 2).ravel()
    assert size[0] == 0 and size[1] == pytest.approx(100) and size[2] == pytest.approx(100)
    assert 100 < size[4] < 1000  # a huge month moves it, in log terms
    assert size[7] < size[5] < size[4]  # and it comes down as small months follow
    assert size[8] == size[7]


@pytest.mark.slow
def test_beats_conflictology_on_a_self_exciting_process_and_is_calibrated() -> None:
    frame = self_exciting_panel(seed=3)
    result = run_backtest(
        frame,
        [ConflictologyForecaster(), HurdleForecaster()],
        test_start=FIRST + 120,
        test_end=FIRST + 135,
        steps=3,
        n_samples=500,
    ).to_json()
    ours, theirs = result["models"]["hurdle"], result["models"]["conflictology"]
    for step in ("1", "2", "3"):  # the process forgets within months: CRPS gains at 1 and 2
        if step != "3":
            assert ours["by_step"][step]["crps"] < theirs["by_step"][step]["crps"]
        assert ours["by_step"][step]["ap"] > theirs["by_step"][step]["ap"]
    # Calibrated P(y > 0): the reliability diagram stays near the diagonal where data is.
    rel = ours["diagnostics"]["reliability"]
    for n, p, o in zip(rel["count"], rel["mean_forecast"], rel["observed"], strict=True):
        if n >= 100:
            assert abs(p - o) < 0.12
    assert 0.85 <= ours["overall"]["coverage90"] <= 0.99  # discrete: intervals hold their edges


def test_history_draws_look_back_36_months_and_never_ahead() -> None:
    y = np.zeros((100, 2))
    y[:, 0] = np.arange(100)  # the value is the month's index
    y[:, 1] = np.arange(100) * 10
    t = np.array([50, 99, 3], dtype=np.int64)
    u = np.array([0, 1, 0], dtype=np.int64)
    draws = _history_draws(y, t, u, 2000, np.random.default_rng(0))
    assert draws[0].min() == 15 and draws[0].max() == 50  # months 15..50
    assert set(np.unique(draws[1])) == {10.0 * m for m in range(64, 100)}
    assert set(np.unique(draws[2])) == {0.0, 1.0, 2.0, 3.0}  # a short past: all of it


def test_pool_replaces_the_given_share_by_the_units_own_history() -> None:
    y = np.full((40, 3), 7.0)
    samples = np.zeros((3, 10_000))
    _pool(samples, y, 39, 0.3, np.random.default_rng(1))
    assert set(np.unique(samples)) == {0.0, 7.0}
    assert (samples == 7.0).mean() == pytest.approx(0.3, abs=0.01)
