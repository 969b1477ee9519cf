"""The main model: a stepshifted LightGBM hurdle with a calibrated predictive distribution.

For each step h (1..36) two gradient-boosted models read the features of month t and learn the
target of month t + h: a classifier for P(y > 0), and a regressor for log(y) given y > 0. The
predictive distribution of a unit-month is a hurdle mixture: 0 with probability 1 − p, otherwise
``round(exp(μ + ε))`` (at least 1), where ε is drawn from the regressor's out-of-time residuals.

Calibration is out of time. The last ``calibration_months`` target months before the origin are
held out; a first pair of models learnt on the months before them predicts the held-out months;
an isotonic map from predicted to observed frequency of y > 0 is fitted on those predictions,
and the log-residuals of the held-out positive months are kept, pooled by bands of μ (so a
unit-month expected to be large gets the spread of large ones). Boosting stops when the held-out
loss stops falling, which also sets the final models' rounds. Last, a linear pool with the unit's
own last 36 months (a share w of the samples drawn from them, as ViEWS' conflictology draws) is
chosen on the held-out months by CRPS. The final pair is then learnt on every month up to the
origin, and uses that map, those residuals and that w.

Quiet rows (no fatality in the unit over the last 36 months, none among its neighbours or
across the border last month, and y = 0 ahead) are kept with probability ``quiet_keep`` and
weighted by its inverse, so the classifier stays unbiased while PRIO-GRID training is several
times faster. Models are retrained every ``refit_every`` origins (ViEWS trains once per
partition); in between, a new origin only brings new features. Training never sees a month
after the origin it is fitted at.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Self

import lightgbm as lgb
import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.optimize import isotonic_regression  # type: ignore[import-untyped]

from cawarn.forecast.forecast import FloatArray, Forecast
from cawarn.forecast.models.design import Design, build_design

VERSION = "1"
MAX_STEP = 36
#: The feature whose log is the regressor's offset: the recent typical size of a positive month.
LEVEL = "own_size_hl2"
MIN_ROUNDS = 10


@dataclass(frozen=True)
class HurdleParams:
    """Everything that sets the model; stored with each result."""

    trees_classifier: int = 300  # at most: the calibration pass stops boosting earlier
    trees_regressor: int = 200
    early_stopping: int = 20  # rounds without improvement on the held-out months
    pool_weights: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)  # linear pool, by CRPS
    pool_window: int = 36
    learning_rate: float = 0.08
    num_leaves: int = 7
    min_data_in_leaf: int = 30
    max_bin: int = 63
    feature_fraction: float = 0.9
    bagging_fraction: float = 0.8
    calibration_months: int = 24
    residual_bands: int = 4
    min_residuals_per_band: int = 50
    quiet_keep: float = 0.1
    refit_every: int = 12
    offset: bool = True  # the regressor learns log(y) relative to the recent positive median
    threads: int = 1  # one per model: multi-threaded boosting stalls on a busy 2-core machine


@dataclass
class _Step:
    """The fitted pieces of one step."""

    classifier: lgb.Booster | float
    regressor: lgb.Booster | float
    calib_x: FloatArray  # isotonic map: predicted p → calibrated p (increasing knots)
    calib_y: FloatArray
    band_edges: FloatArray  # μ thresholds between residual bands
    residuals: list[FloatArray] = field(default_factory=list)
    level_column: int = -1  # the feature the regressor's offset is the log of (-1: none)
    level_default: float = 1.0  # the level of rows whose feature is 0
    pool: float = 0.0  # share of samples drawn from the unit's own last 36 months

    def p_positive(self, x: npt.NDArray[np.float32]) -> FloatArray:
        raw = _predict(self.classifier, x)
        if self.calib_x.size == 0:
            return raw
        return np.asarray(np.interp(raw, self.calib_x, self.calib_y), dtype=np.float64)

    def log_size(self, x: npt.NDArray[np.float32]) -> FloatArray:
        return _predict(self.regressor, x) + self.offset(x)

    def offset(self, x: npt.NDArray[np.float32]) -> FloatArray:
        if self.level_column < 0:
            return np.zeros(x.shape[0])
        level = x[:, self.level_column].astype(np.float64)
        return np.log(np.where(level > 0, level, self.level_default))

    def residual_pool(self, mu: FloatArray) -> npt.NDArray[np.int64]:
        return np.searchsorted(self.band_edges, mu, side="right").astype(np.int64)


def _predict(model: lgb.Booster | float, x: npt.NDArray[np.float32]) -> FloatArray:
    if isinstance(model, lgb.Booster):
        return np.asarray(model.predict(x), dtype=np.float64)
    return np.full(x.shape[0], float(model))


class HurdleForecaster:
    """LightGBM hurdle, stepshifted, with out-of-time calibration (see the module docstring)."""

    version = VERSION

    def __init__(
        self, params: HurdleParams | None = None, *, seed: int = 0, name: str = "hurdle"
    ) -> None:
        """Set the parameters and the seed of training (sampling takes its own generator)."""
        self.params = params or HurdleParams()
        self.seed = seed
        self._name = name
        self._design: Design | None = None  # the features up to the current origin
        self._train: Design | None = None  # the history the step models learn from
        self._steps: dict[int, _Step] = {}

    @property
    def name(self) -> str:
        """The name results are reported under."""
        return self._name

    def describe(self) -> dict[str, Any]:
        """Name, version and parameters, as stored with each result."""
        return {
            "name": self.name,
            "version": f"{VERSION} (lightgbm {lgb.__version__})",
            "params": asdict(self.params) | {"seed": self.seed},
        }

    def fit(self, history: pd.DataFrame) -> Self:
        """Take the history up to the origin; retrain when ``refit_every`` origins have passed."""
        design = build_design(history)
        trained = self._train
        stale = (
            trained is None
            or design.origin - trained.origin >= self.params.refit_every
            or design.origin < trained.origin
            or not design.units.equals(trained.units)
            or design.names != trained.names
        )
        if stale:
            self._train = design
            self._steps = {}
        self._design = design
        return self

    def predict(
        self, horizons: Sequence[int], *, n_samples: int, rng: np.random.Generator
    ) -> Forecast:
        """Draw samples per unit for each step, one step at a time."""
        design = self._require()
        steps = sorted(set(horizons))
        if not steps or steps[0] < 1 or steps[-1] > MAX_STEP:
            raise ValueError(f"horizons must be steps 1..{MAX_STEP}, got {list(horizons)}")
        x_now = design.x[-1]
        samples = {}
        for step in steps:
            fitted = self._step(step)
            p = fitted.p_positive(x_now)
            mu = fitted.log_size(x_now)
            samples[step] = _draw(p, mu, fitted, n_samples, rng)
            if fitted.pool > 0:
                _pool(samples[step], design.y, len(design.months) - 1, fitted.pool, rng)
        return Forecast(model=self.name, origin=design.origin, units=design.units, samples=samples)

    def _require(self) -> Design:
        if self._design is None:
            raise RuntimeError(f"{self.name} is not fitted; call fit() first")
        return self._design

    def _step(self, step: int) -> _Step:
        if step not in self._steps:
            assert self._train is not None
            self._steps[step] = self._learn(self._train, step)
        return self._steps[step]

    def _learn(self, design: Design, step: int) -> _Step:
        """Learn one step: a calibration pass held out in time, then the final models."""
        params = self.params
        rng = np.random.default_rng([self.seed, step])
        x, y, w, target_month, cell = _pairs(design, step, params.quiet_keep, rng)
        fitted = _Step(0.0, 0.0, np.empty(0), np.empty(0), np.empty(0))
        if params.offset and LEVEL in design.names:
            fitted.level_column = design.names.index(LEVEL)
            fitted.level_default = float(np.median(y[y > 0])) if (y > 0).any() else 1.0
        cut = design.origin - params.calibration_months
        early = target_month <= cut
        late = ~early
        if early.sum() >= 100 and (y[late] > 0).sum() >= 20 and (y[early] > 0).sum() >= 20:
            held_out = (x[late], y[late], w[late])
            fitted.classifier = self._classifier(x[early], y[early], w[early], step, held_out)
            fitted.regressor = self._regressor(x[early], y[early], step, fitted, held_out)
            p_late = _predict(fitted.classifier, x[late])
            fitted.calib_x, fitted.calib_y = _isotonic(
                p_late, (y[late] > 0).astype(np.float64), w[late]
            )
            positive = late & (y > 0)
            mu = fitted.log_size(x[positive])
            fitted.band_edges, fitted.residuals = _bands(
                mu, np.log(y[positive]) - mu, params.residual_bands, params.min_residuals_per_band
            )
            if params.pool_weights:
                fitted.pool = _pool_weight(
                    fitted, design, x[late], y[late], w[late], cell[late], params.pool_weights, rng
                )
        fitted.classifier = self._classifier(x, y, w, step, rounds=_rounds(fitted.classifier))
        fitted.regressor = self._regressor(x, y, step, fitted, rounds=_rounds(fitted.regressor))
        if not fitted.residuals:  # too little history to hold months out: in-sample residuals
            positive = y > 0
            mu = fitted.log_size(x[positive])
            fitted.residuals = [np.log(y[positive]) - mu] if positive.any() else [np.zeros(1)]
        return fitted

    def _lgb_params(self, objective: str, step: int) -> dict[str, Any]:
        p = self.params
        return {
            "objective": objective,
            "learning_rate": p.learning_rate,
            "num_leaves": p.num_leaves,
            "max_bin": p.max_bin,
            "min_data_in_leaf": p.min_data_in_leaf,
            "feature_fraction": p.feature_fraction,
            "bagging_fraction": p.bagging_fraction,
            "bagging_freq": 1,
            "seed": self.seed * 1000 + step,
            "deterministic": True,
            "force_row_wise": True,
            "num_threads": p.threads,
            "verbose": -1,
        }

    def _classifier(
        self,
        x: npt.NDArray[np.float32],
        y: FloatArray,
        w: FloatArray,
        step: int,
        held_out: tuple[npt.NDArray[np.float32], FloatArray, FloatArray] | None = None,
        rounds: int | None = None,
    ) -> lgb.Booster | float:
        """P(y > 0); with ``held_out`` rows, boosting stops when their log loss stops falling."""
        positive = (y > 0).astype(np.float64)
        share = float(np.average(positive, weights=w))
        if share in (0.0, 1.0) or x.shape[0] < 100:
            return share
        data = lgb.Dataset(x, label=positive, weight=w, free_raw_data=True)
        valid = None
        if held_out is not None:
            hx, hy, hw = held_out
            valid = lgb.Dataset(hx, label=(hy > 0).astype(np.float64), weight=hw, reference=data)
        return self._boost("binary", step, data, valid, rounds or self.params.trees_classifier)

    def _regressor(
        self,
        x: npt.NDArray[np.float32],
        y: FloatArray,
        step: int,
        fitted: _Step,
        held_out: tuple[npt.NDArray[np.float32], FloatArray, FloatArray] | None = None,
        rounds: int | None = None,
    ) -> lgb.Booster | float:
        """log(y) given y > 0, less the step's offset (so trees learn the departure from it)."""
        positive = y > 0
        offset = fitted.offset(x[positive])
        label = np.log(y[positive]) - offset
        if positive.sum() < 100:
            return float(label.mean()) if positive.any() else 0.0
        data = lgb.Dataset(x[positive], label=label, free_raw_data=True)
        valid = None
        if held_out is not None:
            hx, hy, _ = held_out
            keep = hy > 0
            hlabel = np.log(hy[keep]) - fitted.offset(hx[keep])
            valid = lgb.Dataset(hx[keep], label=hlabel, reference=data)
        return self._boost("regression", step, data, valid, rounds or self.params.trees_regressor)

    def _boost(
        self, objective: str, step: int, data: lgb.Dataset, valid: lgb.Dataset | None, rounds: int
    ) -> lgb.Booster:
        if valid is None:
            return lgb.train(self._lgb_params(objective, step), data, num_boost_round=rounds)
        return lgb.train(
            self._lgb_params(objective, step),
            data,
            num_boost_round=rounds,
            valid_sets=[valid],
            callbacks=[lgb.early_stopping(self.params.early_stopping, verbose=False)],
        )


def _rounds(model: lgb.Booster | float) -> int | None:
    """The rounds the calibration pass stopped at (None when it learnt no trees)."""
    if isinstance(model, lgb.Booster) and model.best_iteration > 0:
        return max(MIN_ROUNDS, int(model.best_iteration))
    return None


def _pairs(
    design: Design, step: int, quiet_keep: float, rng: np.random.Generator
) -> tuple[
    npt.NDArray[np.float32], FloatArray, FloatArray, npt.NDArray[np.int64], npt.NDArray[np.int64]
]:
    """Rows (features at t, target at t + step) for every t with t + step ≤ origin.

    Returns features, targets, weights, the target month, and the row's cell t · units + u.
    """
    months, units = design.y.shape
    if months <= step:
        empty = np.empty((0, design.x.shape[2]), dtype=np.float32)
        none = np.empty(0, dtype=np.int64)
        return empty, np.empty(0), np.empty(0), none, none
    x = design.x[: months - step].reshape(-1, design.x.shape[2])
    y = design.y[step:].reshape(-1)
    target_month = np.repeat(design.months[step:], units)
    quiet = (y == 0) & _quiet(design, months - step)
    keep = ~quiet | (rng.random(y.size) < quiet_keep)
    w = np.where(quiet, 1.0 / quiet_keep, 1.0)
    cell = np.arange(y.size, dtype=np.int64)
    return x[keep], y[keep], w[keep], target_month[keep], cell[keep]


def _history_draws(
    y: FloatArray,
    t: npt.NDArray[np.int64],
    u: npt.NDArray[np.int64],
    size: int,
    rng: np.random.Generator,
    window: int = 36,
) -> FloatArray:
    """Draws, per (t, u), from the unit's values of months t − window + 1 … t (conflictology)."""
    span = np.minimum(t + 1, window)[:, None]
    back = (rng.random((t.size, size)) * span).astype(np.int64)
    return np.asarray(y[t[:, None] - back, u[:, None]], dtype=np.float64)


def _pool(
    samples: FloatArray, y: FloatArray, t: int, weight: float, rng: np.random.Generator
) -> None:
    """Replace a share ``weight`` of each unit's samples by draws from its own last 36 months."""
    units, n = samples.shape
    take = rng.random((units, n)) < weight
    rows = np.arange(units, dtype=np.int64)
    hist = _history_draws(y, np.full(units, t, dtype=np.int64), rows, n, rng)
    samples[take] = hist[take]


def _pool_weight(
    fitted: _Step,
    design: Design,
    x: npt.NDArray[np.float32],
    y: FloatArray,
    w: FloatArray,
    cell: npt.NDArray[np.int64],
    weights: tuple[float, ...],
    rng: np.random.Generator,
    n: int = 100,
) -> float:
    """The weight of the unit's own history in a linear pool, by mean CRPS on held-out months.

    When the model's skill fades (far steps, changes of regime), mixing in the unit's own recent
    distribution (ViEWS' conflictology) can score better; the weight is the one of ``weights``
    with the lowest weighted CRPS on the held-out months.
    """
    from cawarn.forecast.metrics import crps

    units = design.y.shape[1]
    model = _draw(fitted.p_positive(x), fitted.log_size(x), fitted, n, rng)
    hist = _history_draws(design.y, cell // units, cell % units, n, rng)
    coin = rng.random(model.shape)
    scores = [
        float(np.average(crps(y, np.where(coin < weight, hist, model)), weights=w))
        for weight in weights
    ]
    return float(weights[int(np.argmin(scores))])


def _quiet(design: Design, months: int) -> npt.NDArray[np.bool_]:
    """Rows whose unit saw no fatality in 36 months, nor around it last month."""
    names = design.names
    x = design.x[:months]
    quiet = x[:, :, names.index("own_active36")] == 0
    for column in ("splag_fatalities_lag1", "xborder_fatalities_lag1"):
        if column in names:
            quiet &= x[:, :, names.index(column)] == 0
    return np.asarray(quiet.reshape(-1), dtype=np.bool_)


def _isotonic(p: FloatArray, outcome: FloatArray, w: FloatArray) -> tuple[FloatArray, FloatArray]:
    """An increasing map from predicted to observed frequency, as interpolation knots.

    Isotonic regression gives blocks of equal fitted value; a knot is put at each block's
    weighted mean prediction, and the map interpolates linearly between knots. So the map is
    strictly increasing inside the data's range and keeps the ranking of the raw probabilities
    (a step function would tie whole blocks, which costs average precision).
    """
    order = np.argsort(p, kind="stable")
    ps, ws = p[order], w[order]
    fitted = np.asarray(isotonic_regression(outcome[order], weights=ws, increasing=True).x)
    starts = np.flatnonzero(np.r_[True, np.diff(fitted) != 0])
    weight = np.add.reduceat(ws, starts)
    knots = np.add.reduceat(ps * ws, starts) / weight
    return knots, np.clip(fitted[starts], 0.0, 1.0)


def _bands(
    mu: FloatArray, residuals: FloatArray, bands: int, minimum: int
) -> tuple[FloatArray, list[FloatArray]]:
    """Split residuals into up to ``bands`` bands of μ holding at least ``minimum`` each."""
    count = max(1, min(bands, residuals.size // minimum))
    edges = np.quantile(mu, np.linspace(0, 1, count + 1)[1:-1]) if count > 1 else np.empty(0)
    band = np.searchsorted(edges, mu, side="right")
    pools = [residuals[band == b] for b in range(count)]
    if any(pool.size == 0 for pool in pools):  # ties in μ emptied a band: pool them all
        return np.empty(0), [residuals]
    return edges, pools


def _draw(
    p: FloatArray, mu: FloatArray, fitted: _Step, n_samples: int, rng: np.random.Generator
) -> FloatArray:
    """Hurdle samples, shape (units, n_samples): 0 or max(1, round(exp(μ + ε)))."""
    units = p.size
    positive = rng.random((units, n_samples)) < p[:, None]
    pools = fitted.residual_pool(mu)
    eps = np.empty((units, n_samples))
    for band, residuals in enumerate(fitted.residuals):
        rows = np.flatnonzero(pools == band)
        if rows.size:
            eps[rows] = residuals[rng.integers(0, residuals.size, size=(rows.size, n_samples))]
    size = np.maximum(1.0, np.rint(np.exp(np.minimum(mu[:, None] + eps, math.log(1e7)))))
    return np.where(positive, size, 0.0)
