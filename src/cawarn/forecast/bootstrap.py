"""Percentile bootstrap over forecast origins.

Scores of unit-months forecast from the same origin share that origin's history and errors, so
they are not independent; the origins are (roughly) the independent units. Pass one value per
origin (for example each origin's mean CRPS, or a per-origin difference between two models for a
paired comparison); the origins are resampled with replacement ``n_boot`` times, the statistic is
computed on each resample, and the interval is the ((1 − level)/2, (1 + level)/2) percentiles of
those values (``numpy.quantile``, linear interpolation).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt


class BootstrapCI(NamedTuple):
    """A statistic over all origins and its bootstrap interval."""

    estimate: float
    low: float
    high: float


def bootstrap_ci(
    values_by_origin: npt.ArrayLike,
    *,
    statistic: Callable[[npt.NDArray[np.float64]], Any] = np.mean,
    n_boot: int = 1000,
    level: float = 0.95,
    rng: np.random.Generator,
) -> BootstrapCI:
    """Return the percentile bootstrap interval of ``statistic`` over origins.

    Args:
        values_by_origin: One value per forecast origin, shape (k,).
        statistic: Maps a 1-D array of origin values to a number.
        n_boot: Number of resamples.
        level: Coverage of the interval.
        rng: Source of the resampling.
    """
    values = np.asarray(values_by_origin, dtype=np.float64)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"values_by_origin must have shape (k,) with k ≥ 1, got {values.shape}")
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}")
    if n_boot < 1:
        raise ValueError(f"n_boot must be at least 1, got {n_boot}")
    draws = rng.integers(0, values.size, size=(n_boot, values.size))
    stats = np.array([float(statistic(values[row])) for row in draws])
    low, high = np.quantile(stats, [(1 - level) / 2, (1 + level) / 2])
    return BootstrapCI(float(statistic(values)), float(low), float(high))
