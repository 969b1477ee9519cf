r"""Calibration diagnostics: randomised PIT values and reliability-diagram bins.

PIT for count data (Czado, Gneiting & Held 2009, "Predictive model assessment for count data"):
with F the empirical CDF of the samples, F(y) = share of samples ≤ y and F(y−) = share < y, the
randomised PIT value is::

    u = F(y−) + V · (F(y) − F(y−)),   V ~ Uniform(0, 1)

For a calibrated forecast u is uniform on [0, 1], even when much of the mass sits on 0, which
the plain PIT F(y) is not. A histogram of u that is U-shaped means the forecasts are too narrow
(under-dispersed); hump-shaped, too wide.

Reliability: forecasts p of the event y > 0 are grouped into equal-width bins on [0, 1] (a value
on an inner edge goes to the bin above it; p = 1 to the last bin). Per bin: the number of
forecasts, their mean, and the observed frequency of y > 0; a calibrated forecast lies on the
diagonal. Empty bins give ``nan``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class Reliability(NamedTuple):
    """Reliability-diagram table: one entry per bin (``edges`` has one more)."""

    edges: FloatArray
    observed_frequency: FloatArray
    mean_forecast: FloatArray
    counts: IntArray


def pit(obs: npt.ArrayLike, samples: npt.ArrayLike, *, rng: np.random.Generator) -> FloatArray:
    """Return randomised PIT values, one per observation, for a PIT histogram.

    Args:
        obs: Observations, shape (n,).
        samples: Predictive samples, shape (n, S).
        rng: Source of the uniform draws (one per observation).

    Returns:
        Values in [0, 1], shape (n,).
    """
    y = np.asarray(obs, dtype=np.float64)
    x = np.asarray(samples, dtype=np.float64)
    if y.ndim != 1 or x.ndim != 2 or x.shape[0] != y.shape[0] or x.shape[1] == 0:
        raise ValueError(f"need obs (n,) and samples (n, S), got {y.shape} and {x.shape}")
    below = np.mean(x < y[:, None], axis=-1)
    at_or_below = np.mean(x <= y[:, None], axis=-1)
    v = rng.random(y.size)
    return np.asarray(below + v * (at_or_below - below), dtype=np.float64)


def reliability(obs: npt.ArrayLike, p: npt.ArrayLike, *, bins: int = 10) -> Reliability:
    """Return the reliability-diagram table of probabilities ``p`` for the event obs > 0.

    Args:
        obs: Observations, shape (n,).
        p: Forecast probabilities of obs > 0, shape (n,), in [0, 1].
        bins: Number of equal-width bins on [0, 1].
    """
    y = np.asarray(obs, dtype=np.float64)
    q = np.asarray(p, dtype=np.float64)
    if y.ndim != 1 or q.shape != y.shape:
        raise ValueError(f"need obs (n,) and p (n,), got {y.shape} and {q.shape}")
    if bins < 1:
        raise ValueError(f"bins must be at least 1, got {bins}")
    if not np.isfinite(q).all() or ((q < 0) | (q > 1)).any():
        raise ValueError("p must lie in [0, 1]")
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.minimum(np.searchsorted(edges, q, side="right") - 1, bins - 1)
    counts = np.bincount(which, minlength=bins).astype(np.int64)
    hits = np.bincount(which, weights=(y > 0).astype(np.float64), minlength=bins)
    total_p = np.bincount(which, weights=q, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        observed = np.where(counts > 0, hits / counts, np.nan)
        mean_p = np.where(counts > 0, total_p / counts, np.nan)
    return Reliability(edges, observed, mean_p, counts)
