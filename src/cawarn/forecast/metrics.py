r"""Forecast scores computed the way ViEWS' ``views-evaluation`` 2.0.0 computes them.

Conventions: ``obs`` has shape (n,) (fatality counts, ≥ 0); ``samples`` has shape (n, S), one
predictive sample per column (S = 1,000 in evaluation); ``p`` is a probability of the event
y > 0, shape (n,); ``pred`` is a point prediction, shape (n,). For the i-th unit-month, with
samples sorted so that x_(1) ≤ … ≤ x_(S):

CRPS (per observation; the empirical-CDF, "energy" form, not the "fair" one)::

    CRPS_i = 1/S Σ_j |x_j − y_i| − 1/(2S²) Σ_j Σ_k |x_j − x_k|

This is what views-evaluation computes (its ``_crps_ensemble_numpy`` uses the sorted-array form
of the same sum). ``scoringrules`` computes it here with ``estimator="qd"``, the quantile
decomposition of the same quantity, which needs O(S) memory per row where "nrg" needs O(S²)::

    CRPS_i = 2/S² Σ_j (S·1{y_i < x_(j)} − j + ½)(x_(j) − y_i)

scoringrules' "fair" and "pwm" estimators divide the spread term by S(S − 1) instead of S², so
they score lower; they are not ViEWS' numbers.

twCRPS (threshold t, ViEWS' profile t = 0): the CRPS after the chaining function v(x) = max(x, t)
is applied to the observation and to every sample.

Brier (event y > 0): mean((p_i − 1{y_i > 0})²). With samples, p_i = share of samples > 0.

Average precision (event y > 0), as scikit-learn's ``average_precision_score``:
AP = Σ_k (R_k − R_{k−1}) P_k over the distinct thresholds of ``p`` taken in decreasing order
(tied forecasts form one operating point), P_k and R_k the precision and recall at threshold k
(R_0 = 0). Not the trapezoidal area. No observed event: ``nan`` (as views-evaluation; scikit-learn
returns 0 with a warning).

MSLE: mean((log1p(y_i) − log1p(ŷ_i))²), ŷ a point prediction (the sample mean by default in
:func:`score_all`).

Ignorance (log base 2), over bin edges b_0 < … < b_K (ViEWS: :data:`VIEWS_BINS`, K = 10). A
value x is in bin k when b_k ≤ x < b_{k+1}. Each unit-month's samples are counted per bin, one
is added to every bin's count (Laplace smoothing, so an empty bin still has probability
1/(S + K)), and the score is −log2((c_k + 1) / Σ(c + 1)) for the observation's bin k. As in
views-evaluation, samples ≥ b_K form an extra overflow bin that exists only when at least one
sample of that unit-month is in it (then it too gets + 1, so the denominator is S + K + 1); an
observation outside [b_0, b_K) or a sample below b_0 raises ``ValueError``. To score counts above
1,000, widen the bins (for example ``(*VIEWS_BINS, math.inf)``); ViEWS' error message says the
same.

Interval score (α, ViEWS' profile α = 0.05) and coverage: l_i and u_i are the α/2 and 1 − α/2
quantiles of the samples by ``numpy.quantile``'s default (linear interpolation, method 7 of
Hyndman & Fan)::

    IS_i = (u_i − l_i) + 2/α (l_i − y_i) 1{y_i < l_i} + 2/α (y_i − u_i) 1{y_i > u_i}
    coverage = mean(1{l_i ≤ y_i ≤ u_i}),   α = 1 − level (ViEWS' profile: level 0.9)

Every function here returns a mean over unit-months except :func:`crps`, which returns one value
per unit-month. Large evaluations go through :class:`ScoreAccumulator` in chunks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import scoringrules as sr  # type: ignore[import-untyped]

from cawarn.forecast.bootstrap import BootstrapCI, bootstrap_ci
from cawarn.forecast.calibration import Reliability, pit, reliability

__all__ = [
    "SCORE_NAMES",
    "VIEWS_BINS",
    "BootstrapCI",
    "Reliability",
    "ScoreAccumulator",
    "average_precision",
    "bootstrap_ci",
    "brier",
    "coverage",
    "crps",
    "ignorance",
    "interval_score",
    "mean_crps",
    "msle",
    "pit",
    "reliability",
    "score_all",
    "twcrps",
]

FloatArray = npt.NDArray[np.float64]

VIEWS_BINS: tuple[float, ...] = (0, 0.5, 2.5, 5.5, 10.5, 25.5, 50.5, 100.5, 250.5, 500.5, 1000.5)
"""Ignorance-score bin edges of ViEWS' evaluation profile (views_evaluation/profiles/base.py)."""

SCORE_NAMES: tuple[str, ...] = (
    "crps",
    "brier",
    "ap",
    "msle",
    "ign",
    "coverage90",
    "interval_score",
    "twcrps",
)
"""Keys of the dictionaries :func:`score_all` and :meth:`ScoreAccumulator.result` return."""

# Rows scored at a time inside ScoreAccumulator.add: with S = 1,000 the scoring of one block
# needs about 70 MB beside the caller's chunk (measured with tracemalloc), whatever its size.
_BLOCK_ROWS = 2048


def _finite(name: str, a: FloatArray) -> None:
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or infinite values")


def _as_obs(obs: npt.ArrayLike) -> FloatArray:
    y = np.asarray(obs, dtype=np.float64)
    if y.ndim != 1:
        raise ValueError(f"obs must have shape (n,), got {y.shape}")
    _finite("obs", y)
    return y


def _as_pair(
    obs: npt.ArrayLike, samples: npt.ArrayLike, axis: int = -1
) -> tuple[FloatArray, FloatArray]:
    """Validated float64 ``obs`` (n,) and ``samples`` (n, S) with the samples on the last axis."""
    y = _as_obs(obs)
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"samples must have shape (n, S), got {x.shape}")
    x = np.moveaxis(x, axis, -1)
    if x.shape[0] != y.shape[0] or x.shape[1] == 0:
        raise ValueError(f"samples of shape {x.shape} do not match obs of shape {y.shape}")
    _finite("samples", x)
    return y, x


def _as_prob(obs: npt.ArrayLike, p: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    y = _as_obs(obs)
    q = np.asarray(p, dtype=np.float64)
    if q.shape != y.shape:
        raise ValueError(f"p of shape {q.shape} does not match obs of shape {y.shape}")
    _finite("p", q)
    if ((q < 0) | (q > 1)).any():
        raise ValueError("p must lie in [0, 1]")
    return y, q


def _mean(values: FloatArray) -> float:
    if values.size == 0:
        raise ValueError("no observations to score")
    return float(np.mean(values))


# Per-observation kernels on validated input whose samples are sorted along the last axis.


def _crps_sorted(y: FloatArray, xs: FloatArray) -> FloatArray:
    out = sr.crps_ensemble(y, xs, estimator="qd", sorted_ensemble=True, backend="numpy")
    return np.asarray(out, dtype=np.float64)


def _twcrps_sorted(y: FloatArray, xs: FloatArray, threshold: float) -> FloatArray:
    # v(x) = max(x, t) keeps the order, so the chained samples are still sorted.
    out = sr.twcrps_ensemble(
        y, xs, a=threshold, estimator="qd", sorted_ensemble=True, backend="numpy"
    )
    return np.asarray(out, dtype=np.float64)


def _quantiles(xs: FloatArray, alpha: float) -> tuple[FloatArray, FloatArray]:
    lower = np.quantile(xs, alpha / 2, axis=-1)
    upper = np.quantile(xs, 1 - alpha / 2, axis=-1)
    return lower, upper


def _interval_values(
    y: FloatArray, lower: FloatArray, upper: FloatArray, alpha: float
) -> FloatArray:
    width = upper - lower
    below = (2 / alpha) * (lower - y) * (y < lower)
    above = (2 / alpha) * (y - upper) * (y > upper)
    return np.asarray(width + below + above, dtype=np.float64)


def _edges(bins: Sequence[float]) -> FloatArray:
    edges = np.asarray(bins, dtype=np.float64)
    if edges.ndim != 1 or edges.size < 2 or not (np.diff(edges) > 0).all():
        raise ValueError("bins must be at least two strictly increasing edges")
    return edges


def _ignorance_values(y: FloatArray, x: FloatArray, edges: FloatArray) -> FloatArray:
    n, s = x.shape
    k = edges.size - 1
    obs_bin = np.searchsorted(edges, y, side="right") - 1
    out_of_range = (obs_bin < 0) | (obs_bin >= k)
    if out_of_range.any():
        i = int(np.flatnonzero(out_of_range)[0])
        raise ValueError(
            f"observation {y[i]} at row {i} lies outside the ignorance bins "
            f"[{edges[0]}, {edges[-1]}); widen the bins"
        )
    sample_bin = np.searchsorted(edges, x, side="right") - 1  # k marks the overflow bin
    if (sample_bin < 0).any():
        raise ValueError(f"samples below the first ignorance bin edge {edges[0]}")
    flat = (np.arange(n)[:, None] * (k + 1) + sample_bin).ravel()
    counts = np.bincount(flat, minlength=n * (k + 1)).reshape(n, k + 1)
    total = s + k + (counts[:, k] > 0)
    prob = (counts[np.arange(n), obs_bin] + 1) / total
    return np.asarray(-np.log2(prob), dtype=np.float64)


def _alpha_of(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}")
    # Rounded so that level 0.9 gives exactly ViEWS' α = 0.1 (1 − 0.9 is 0.09999999999999998).
    return round(1 - level, 12)


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha}")


def crps(obs: npt.ArrayLike, samples: npt.ArrayLike, *, axis: int = -1) -> FloatArray:
    """Return the CRPS of each observation against its samples (ViEWS' estimator).

    Args:
        obs: Observations, shape (n,).
        samples: Predictive samples, shape (n, S) with the samples along ``axis``.
        axis: Axis of ``samples`` that holds the samples.

    Returns:
        Per-observation CRPS, shape (n,).
    """
    y, x = _as_pair(obs, samples, axis)
    return _crps_sorted(y, np.sort(x, axis=-1))


def mean_crps(obs: npt.ArrayLike, samples: npt.ArrayLike, *, axis: int = -1) -> float:
    """Return the mean CRPS over observations (ViEWS' ``CRPS``)."""
    return _mean(crps(obs, samples, axis=axis))


def twcrps(obs: npt.ArrayLike, samples: npt.ArrayLike, *, threshold: float = 0.0) -> float:
    """Return the mean threshold-weighted CRPS with chaining v(x) = max(x, threshold).

    Args:
        obs: Observations, shape (n,).
        samples: Predictive samples, shape (n, S).
        threshold: Values below it are raised to it before scoring (ViEWS: 0).
    """
    y, x = _as_pair(obs, samples)
    return _mean(_twcrps_sorted(y, np.sort(x, axis=-1), threshold))


def brier(obs: npt.ArrayLike, p: npt.ArrayLike) -> float:
    """Return the Brier score of probabilities ``p`` for the event obs > 0."""
    y, q = _as_prob(obs, p)
    return _mean((q - (y > 0)) ** 2)


def average_precision(obs: npt.ArrayLike, p: npt.ArrayLike) -> float:
    """Return the average precision of ``p`` for the event obs > 0, as scikit-learn defines it.

    Tied values of ``p`` form one operating point. Returns ``nan`` when no observation is > 0.
    """
    y, q = _as_prob(obs, p)
    return _average_precision(y > 0, q)


def _average_precision(positive: npt.NDArray[np.bool_], score: FloatArray) -> float:
    if score.size == 0:
        raise ValueError("no observations to score")
    if not positive.any():
        return math.nan
    # scikit-learn's permutation: a stable ascending sort, reversed.
    order = np.argsort(score, kind="mergesort")[::-1]
    score = score[order]
    hit = positive[order]
    last_of_tie = np.r_[np.flatnonzero(np.diff(score)), score.size - 1]
    tps = np.cumsum(hit, dtype=np.float64)[last_of_tie]
    fps = 1 + last_of_tie - tps
    precision = np.r_[(tps / (tps + fps))[::-1], 1.0]
    recall = np.r_[(tps / tps[-1])[::-1], 0.0]
    return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))


def msle(obs: npt.ArrayLike, pred: npt.ArrayLike) -> float:
    """Return the mean squared error of log1p(pred) against log1p(obs) (ViEWS' ``MSLE``)."""
    y = _as_obs(obs)
    yhat = np.asarray(pred, dtype=np.float64)
    if yhat.shape != y.shape:
        raise ValueError(f"pred of shape {yhat.shape} does not match obs of shape {y.shape}")
    _finite("pred", yhat)
    if (y < -1).any() or (yhat < -1).any():
        raise ValueError("MSLE needs values ≥ -1")
    return _mean((np.log1p(y) - np.log1p(yhat)) ** 2)


def ignorance(
    obs: npt.ArrayLike, samples: npt.ArrayLike, *, bins: Sequence[float] = VIEWS_BINS
) -> float:
    """Return the mean ignorance score (bits) over ``bins`` as views-evaluation computes it.

    Args:
        obs: Observations, shape (n,), each inside [bins[0], bins[-1]).
        samples: Predictive samples, shape (n, S), none below bins[0].
        bins: Strictly increasing bin edges; bin k is [bins[k], bins[k+1]).

    Raises:
        ValueError: An observation lies outside the bins, or a sample below the first edge.
    """
    y, x = _as_pair(obs, samples)
    return _mean(_ignorance_values(y, x, _edges(bins)))


def interval_score(obs: npt.ArrayLike, samples: npt.ArrayLike, *, alpha: float = 0.05) -> float:
    """Return the mean interval score of the central (1 − alpha) interval (ViEWS' ``MIS``)."""
    _check_alpha(alpha)
    y, x = _as_pair(obs, samples)
    lower, upper = _quantiles(x, alpha)
    return _mean(_interval_values(y, lower, upper, alpha))


def coverage(obs: npt.ArrayLike, samples: npt.ArrayLike, *, level: float = 0.9) -> float:
    """Return the share of observations inside the central ``level`` sample interval (closed)."""
    alpha = _alpha_of(level)
    y, x = _as_pair(obs, samples)
    lower, upper = _quantiles(x, alpha)
    return _mean(((y >= lower) & (y <= upper)).astype(np.float64))


class ScoreAccumulator:
    """Accumulates :func:`score_all`'s scores over chunks of unit-months.

    Every score but average precision is a mean of per-unit-month values, so only their sums are
    kept; average precision keeps one boolean and one float per unit-month. Input is scored in
    blocks of rows, so memory stays near that of one block whatever the chunk size.

    Example:
        >>> acc = ScoreAccumulator()
        >>> for obs, samples in chunks:  # doctest: +SKIP
        ...     acc.add(obs, samples)
        >>> acc.result()["crps"]  # doctest: +SKIP
    """

    def __init__(
        self,
        *,
        bins: Sequence[float] = VIEWS_BINS,
        alpha: float = 0.05,
        threshold: float = 0.0,
    ) -> None:
        """Set the options of the scores (defaults: ViEWS' evaluation profile).

        Args:
            bins: Ignorance-score bin edges.
            alpha: The interval score's α (coverage is always of the central 90 % interval).
            threshold: twCRPS threshold.
        """
        _check_alpha(alpha)
        self._edges = _edges(bins)
        self._alpha = alpha
        self._cover_alpha = _alpha_of(0.9)
        self._threshold = threshold
        self._sums = dict.fromkeys(SCORE_NAMES, 0.0)
        del self._sums["ap"]
        self._n = 0
        self._positive: list[npt.NDArray[np.bool_]] = []
        self._p: list[FloatArray] = []

    @property
    def n(self) -> int:
        """Number of unit-months added so far."""
        return self._n

    def total(self, name: str) -> float:
        """The running sum of a mean score (not ``ap``) over the unit-months added so far."""
        return self._sums[name]

    def add(
        self, obs: npt.ArrayLike, samples: npt.ArrayLike, *, point: npt.ArrayLike | None = None
    ) -> None:
        """Add a chunk: ``obs`` (n,), ``samples`` (n, S), optional point predictions (n,).

        The point prediction for MSLE defaults to the sample mean. float64 samples are used as
        given; other dtypes are copied to float64 first.
        """
        y, x = _as_pair(obs, samples)
        yhat: FloatArray | None = None
        if point is not None:
            yhat = np.asarray(point, dtype=np.float64)
            if yhat.shape != y.shape:
                raise ValueError(f"point of shape {yhat.shape} does not match obs {y.shape}")
            _finite("point", yhat)
        if y.size == 0:
            return
        # Checked on the whole chunk first, so that a bad chunk adds nothing.
        lo, hi = self._edges[0], self._edges[-1]
        if y.min() < lo or y.max() >= hi or x.min() < lo:
            _ignorance_values(y, x, self._edges)  # raises, naming the offending row
        if y.min() < -1 or (x.min() if yhat is None else yhat.min()) < -1:
            raise ValueError("MSLE needs values ≥ -1")
        for start in range(0, y.size, _BLOCK_ROWS):
            rows = slice(start, start + _BLOCK_ROWS)
            self._add_block(y[rows], x[rows], None if yhat is None else yhat[rows])

    def _add_block(self, y: FloatArray, x: FloatArray, yhat: FloatArray | None) -> None:
        xs = np.sort(x, axis=-1)
        p = np.mean(xs > 0, axis=-1)
        yhat = np.mean(xs, axis=-1) if yhat is None else yhat
        a, c = self._alpha / 2, self._cover_alpha / 2
        lower, upper, c_lower, c_upper = np.quantile(xs, [a, 1 - a, c, 1 - c], axis=-1)
        positive = y > 0
        crps_values = _crps_sorted(y, xs)
        if self._threshold <= min(y.min(), xs[:, 0].min()):
            tw_values = crps_values  # max(·, threshold) changes nothing: the same numbers
        else:
            tw_values = _twcrps_sorted(y, xs, self._threshold)
        blocks = {
            "crps": crps_values,
            "brier": (p - positive) ** 2,
            "msle": (np.log1p(y) - np.log1p(yhat)) ** 2,
            "ign": _ignorance_values(y, xs, self._edges),
            "coverage90": ((y >= c_lower) & (y <= c_upper)).astype(np.float64),
            "interval_score": _interval_values(y, lower, upper, self._alpha),
            "twcrps": tw_values,
        }
        for name, values in blocks.items():
            self._sums[name] += float(np.sum(values))
        self._positive.append(positive)
        self._p.append(p)
        self._n += y.size

    def result(self) -> dict[str, float]:
        """Return the scores over everything added, keyed as :data:`SCORE_NAMES`."""
        if self._n == 0:
            raise ValueError("no observations to score")
        out = {name: total / self._n for name, total in self._sums.items()}
        out["ap"] = _average_precision(np.concatenate(self._positive), np.concatenate(self._p))
        return {name: out[name] for name in SCORE_NAMES}


def score_all(
    obs: npt.ArrayLike,
    samples: npt.ArrayLike,
    *,
    point: npt.ArrayLike | None = None,
    bins: Sequence[float] = VIEWS_BINS,
) -> dict[str, float]:
    """Return every score of one set of unit-months, keyed as :data:`SCORE_NAMES`.

    p (for Brier and AP) is the share of samples > 0; ``point`` (for MSLE) defaults to the sample
    mean. Interval score at α = 0.05, coverage of the 90 % interval, twCRPS at threshold 0.
    """
    acc = ScoreAccumulator(bins=bins)
    acc.add(obs, samples, point=point)
    return acc.result()
