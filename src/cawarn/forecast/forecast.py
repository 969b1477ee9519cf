"""Probabilistic forecasts: predictive samples per (origin, step, unit)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Forecast:
    """Samples of one model made at one origin: ``samples[step]`` has shape (units, S).

    The forecast for step h is for month ``origin + h``; row i of every array is ``units[i]``.
    """

    model: str
    origin: int
    units: pd.Index
    samples: Mapping[int, FloatArray]

    def __post_init__(self) -> None:
        """Check that every step holds one row of samples per unit."""
        for step, values in self.samples.items():
            if step < 1:
                raise ValueError(f"steps start at 1, got {step}")
            if values.ndim != 2 or values.shape[0] != len(self.units) or values.shape[1] == 0:
                raise ValueError(
                    f"samples of step {step} have shape {values.shape}, "
                    f"expected ({len(self.units)}, S)"
                )

    @property
    def steps(self) -> tuple[int, ...]:
        """The forecast steps (lead times in months), ascending."""
        return tuple(sorted(self.samples))

    @property
    def n_samples(self) -> int:
        """Samples per unit-month."""
        return next(iter(self.samples.values())).shape[1] if self.samples else 0

    def month_id(self, step: int) -> int:
        """The month a step forecasts."""
        return self.origin + step

    def _per_step(self, values: Mapping[int, FloatArray], name: str) -> pd.Series:
        steps = self.steps
        index = pd.MultiIndex.from_arrays(
            [
                np.repeat(np.array(steps, dtype=np.int64), len(self.units)),
                np.repeat(
                    np.array([self.origin + s for s in steps], dtype=np.int64), len(self.units)
                ),
                np.tile(np.asarray(self.units), len(steps)),
            ],
            names=["step", "month_id", "unit"],
        )
        data: Any = np.concatenate([values[s] for s in steps]) if steps else np.empty(0)
        return pd.Series(data, index=index, name=name, dtype=np.float64)

    def p_positive(self) -> pd.Series:
        """P(y > 0) per (step, month_id, unit): the share of samples above 0."""
        return self._per_step({s: np.mean(x > 0, axis=1) for s, x in self.samples.items()}, "p")

    def mean(self) -> pd.Series:
        """The predictive mean per (step, month_id, unit): the sample mean."""
        return self._per_step({s: np.mean(x, axis=1) for s, x in self.samples.items()}, "mean")
