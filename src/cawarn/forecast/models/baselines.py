"""ViEWS' naive baselines (views-baseline): zero, last value, 60-month mean, conflictology."""

from __future__ import annotations

import numpy as np

from cawarn.forecast.forecast import FloatArray
from cawarn.forecast.models.base import MatrixForecaster


class ZeroForecaster(MatrixForecaster):
    """Always 0: every sample of every unit-month is 0."""

    name = "zero"

    def _fit(self, values: FloatArray) -> None:
        self._n_units = values.shape[1]

    def _sample(self, n_samples: int, rng: np.random.Generator) -> FloatArray:
        return np.zeros((self._n_units, n_samples))


class LastForecaster(MatrixForecaster):
    """The value observed at the origin, as a point mass (every sample equal to it)."""

    name = "last"

    def _fit(self, values: FloatArray) -> None:
        self._last = values[-1].copy()

    def _sample(self, n_samples: int, rng: np.random.Generator) -> FloatArray:
        return np.repeat(self._last[:, None], n_samples, axis=1)


class MeanForecaster(MatrixForecaster):
    """The unit's mean over its last ``window`` months; samples are Poisson around that mean.

    ViEWS' baseline is a point forecast; Poisson draws give it the least dispersion a count
    distribution with that mean can have, so the probabilistic scores judge the mean itself.
    """

    name = "mean60"

    def __init__(self, window: int = 60) -> None:
        """Average over the last ``window`` months (all months when the history is shorter)."""
        super().__init__()
        self.window = window

    def _fit(self, values: FloatArray) -> None:
        self._mean = values[-self.window :].mean(axis=0)

    def _sample(self, n_samples: int, rng: np.random.Generator) -> FloatArray:
        size = (self._mean.size, n_samples)
        return rng.poisson(self._mean[:, None], size=size).astype(np.float64)


class ConflictologyForecaster(MatrixForecaster):
    """ViEWS' conflictology: samples drawn with replacement from the unit's last 36 months."""

    name = "conflictology"

    def __init__(self, window: int = 36) -> None:
        """Resample the last ``window`` months (all months when the history is shorter)."""
        super().__init__()
        self.window = window

    def _fit(self, values: FloatArray) -> None:
        self._recent = values[-self.window :].T.copy()  # (units, months)

    def _sample(self, n_samples: int, rng: np.random.Generator) -> FloatArray:
        units, months = self._recent.shape
        picks = rng.integers(0, months, size=(units, n_samples))
        return np.take_along_axis(self._recent, picks, axis=1)
