"""Features computed from a (months × units) matrix of a target, with no look-ahead.

Every feature in row t uses the target of months up to and including t, never later ones, so a
forecast made at origin t may use row t. Months before the first month of the data are taken as
0 (no event recorded); a unit that never had a fatal month has ``t = ∞`` since its last one, so
every decay of it is 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

IntMatrix = npt.NDArray[np.int64]
FloatMatrix = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Matrix = npt.NDArray[Any]  # integer counts, or floats for an imported series

#: Bump when a feature's definition changes, so stored panels say what they were built with.
FEATURE_VERSION = "1"
LAGS = (1, 2, 3, 6, 12)
ROLLING = (3, 12)
HALF_LIVES = (1, 6, 12, 24)


def lag(y: Matrix, k: int) -> Matrix:
    """The target k months earlier (0 before the data begins)."""
    out = np.zeros_like(y)
    if k < y.shape[0]:
        out[k:] = y[: y.shape[0] - k]
    return out


def rolling_sum(y: Matrix, window: int) -> Matrix:
    """Sum of the target over the ``window`` months ending with (and including) each month."""
    total = np.cumsum(y, axis=0)
    out = total.copy()
    out[window:] -= total[:-window]
    return out


def months_since(active: npt.NDArray[np.bool_]) -> FloatMatrix:
    """Months since the last active month (0 when this month is active; inf if none yet)."""
    months = np.arange(active.shape[0], dtype=np.float64)[:, None]
    last = np.where(active, months, -np.inf)
    np.maximum.accumulate(last, axis=0, out=last)
    return np.asarray(months - last, dtype=np.float64)


def decay(since: FloatMatrix, half_life: float) -> FloatMatrix:
    """ViEWS' decay function ``2 ** (-t / half_life)`` of the months t since the last event."""
    return np.asarray(np.exp2(-since / half_life), dtype=np.float64)


def temporal_features(y: Matrix, name: str = "fatalities") -> dict[str, Matrix]:
    """Lags, rolling sums and decays since the last month with ``y > 0``."""
    features: dict[str, Matrix] = {}
    for k in LAGS:
        features[f"{name}_lag{k}"] = lag(y, k)
    for w in ROLLING:
        features[f"{name}_sum{w}"] = rolling_sum(y, w)
    since = months_since(y > 0)
    for h in HALF_LIVES:
        features[f"decay_fatal_hl{h}"] = decay(since, h)
    return features


def pair_sum(values: IntMatrix, unit: IntArray, other: IntArray, units: int) -> IntMatrix:
    """For each unit, the sum of ``values[:, other]`` over its pairs (unit, other)."""
    out = np.zeros((values.shape[0], units), dtype=np.int64)
    if len(unit):
        order = np.argsort(unit, kind="stable")
        unit, other = unit[order], other[order]
        starts = np.flatnonzero(np.r_[True, unit[1:] != unit[:-1]])
        out[:, unit[starts]] = np.add.reduceat(values[:, other], starts, axis=1)
    return out


def spatial_lag(y: IntMatrix, unit: IntArray, neighbour: IntArray) -> IntMatrix:
    """Sum over each unit's neighbours of the target in the previous month."""
    return pair_sum(lag(y, 1), unit, neighbour, y.shape[1])


def cross_border(
    afghan: IntMatrix, unit: IntArray, province: IntArray, units: int
) -> dict[str, IntMatrix]:
    """Fatalities in the bordering Afghan provinces: last month, and the 12 months to t."""
    return {
        "xborder_fatalities_lag1": pair_sum(lag(afghan, 1), unit, province, units),
        "xborder_fatalities_sum12": pair_sum(rolling_sum(afghan, 12), unit, province, units),
    }
