"""The ViEWS baselines on hand-made series, and the ZINB fit on simulated data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cawarn.domain import InputError
from cawarn.forecast.forecast import Forecast
from cawarn.forecast.models import (
    BASELINES,
    ConflictologyForecaster,
    Forecaster,
    LastForecaster,
    MeanForecaster,
    ZeroForecaster,
    ZinbForecaster,
    fit_zinb,
    make_models,
)


def history(values: dict[str, list[float]], first: int = 400) -> pd.DataFrame:
    """A (month_id, unit) frame of one target column from per-unit series."""
    months = len(next(iter(values.values())))
    index = pd.MultiIndex.from_product(
        [range(first, first + months), list(values)], names=["month_id", "unit"]
    )
    data = np.array(list(values.values()), dtype=np.float64).T.ravel()
    return pd.DataFrame({"fatalities": data}, index=index)


def predict(model: Forecaster, frame: pd.DataFrame, seed: int = 1) -> Forecast:
    return model.fit(frame).predict([1, 2, 3], n_samples=500, rng=np.random.default_rng(seed))


SERIES = {
    "A": [float(v % 7) for v in range(100)],  # ends ..., 6, 0, 1, 2
    "B": [0.0] * 100,
    "C": [0.0] * 64 + [float(v) for v in range(10, 46)],  # the last 36 months are 10..45
}


def test_every_model_is_a_forecaster_with_a_unique_name() -> None:
    models = make_models()
    names = ["zero", "last", "mean60", "conflictology", "zinb", "hurdle"]
    assert [m.name for m in models] == names
    assert all(isinstance(m, Forecaster) for m in models)
    with pytest.raises(InputError, match="Unknown model lgbm"):
        make_models(["zero", "lgbm"])


def test_zero_gives_zeros() -> None:
    forecast = predict(ZeroForecaster(), history(SERIES))
    assert forecast.steps == (1, 2, 3) and forecast.origin == 499
    assert all((x == 0).all() and x.shape == (3, 500) for x in forecast.samples.values())
    assert (forecast.p_positive() == 0).all()


def test_last_repeats_the_last_value() -> None:
    forecast = predict(LastForecaster(), history(SERIES))
    expected = [SERIES[u][-1] for u in "ABC"]
    for x in forecast.samples.values():
        assert (x == np.array(expected)[:, None]).all()
    mean = forecast.mean()
    assert mean.loc[(2, 501, "C")] == 45.0
    assert list(mean.index.names) == ["step", "month_id", "unit"]


def test_mean60_is_poisson_around_the_mean_of_the_last_60_months() -> None:
    model = MeanForecaster()
    forecast = predict(model, history(SERIES))
    expected = np.array([np.mean(SERIES[u][-60:]) for u in "ABC"])
    np.testing.assert_allclose(model._mean, expected)
    x = forecast.samples[1]
    np.testing.assert_allclose(x.mean(axis=1), expected, rtol=0.1)
    assert (x == np.round(x)).all() and (x[1] == 0).all()


def test_conflictology_draws_only_from_the_last_36_months() -> None:
    forecast = predict(ConflictologyForecaster(), history(SERIES))
    for x in forecast.samples.values():
        assert set(np.unique(x[2])) <= set(range(10, 46))
        assert len(np.unique(x[2])) > 25  # really a bootstrap, not one value
        assert set(np.unique(x[0])) <= set(SERIES["A"][-36:])
        assert (x[1] == 0).all()


def test_baselines_are_deterministic_given_the_rng() -> None:
    for model in make_models(list(BASELINES)):
        a = predict(model, history(SERIES), seed=7).samples[2]
        b = predict(model, history(SERIES), seed=7).samples[2]
        np.testing.assert_array_equal(a, b)


def test_fit_zinb_recovers_the_parameters_of_a_simulated_series() -> None:
    rng = np.random.default_rng(3)
    pi, mu, r = 0.4, 8.0, 2.0
    y = rng.negative_binomial(r, r / (r + mu), 20_000).astype(np.float64)
    y[rng.random(y.size) < pi] = 0
    params = fit_zinb(y)
    assert params is not None
    assert params.pi == pytest.approx(pi, abs=0.03)
    assert params.mu == pytest.approx(mu, rel=0.08)
    assert params.r == pytest.approx(r, rel=0.15)
    assert fit_zinb(np.zeros(60)) is None


def test_zinb_forecaster_samples_the_fit_and_handles_all_zero_units() -> None:
    rng = np.random.default_rng(4)
    y = rng.negative_binomial(2.0, 2.0 / 12.0, 60).astype(np.float64)
    y[rng.random(60) < 0.3] = 0
    frame = history({"busy": list(y), "quiet": [0.0] * 60, "rare": [0.0] * 58 + [3.0, 0.0]})
    model = ZinbForecaster()
    forecast = predict(model, frame)
    own = fit_zinb(y)
    assert model.params[0] == own
    busy, quiet, rare = (forecast.samples[1][i] for i in range(3))
    assert own is not None
    assert busy.mean() == pytest.approx((1 - own.pi) * own.mu, rel=0.2)
    p = forecast.p_positive().xs(1, level="step").droplevel("month_id")
    # Units with few events borrow the pooled size and shrink their rate to the pooled one.
    assert 0 < p["quiet"] < p["rare"] < p["busy"]
    assert quiet.mean() < 1 and np.isfinite(rare).all()
    zeros = predict(ZinbForecaster(), history({"a": [0.0] * 30, "b": [0.0] * 30}))
    assert all((x == 0).all() for x in zeros.samples.values())


def test_bad_history_is_refused() -> None:
    frame = history(SERIES)
    with pytest.raises(ValueError, match=r"no .target. column"):
        LastForecaster().fit(frame.assign(other=1.0))
    with pytest.raises(ValueError, match="gaps"):
        LastForecaster().fit(frame.drop(index=450, level="month_id"))
    with pytest.raises(RuntimeError, match="not fitted"):
        ZeroForecaster().predict([1], n_samples=5, rng=np.random.default_rng(0))
