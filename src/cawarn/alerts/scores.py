"""A detector's output over a series: one score per unit and period, with its evidence values.

Every count-based detector reduces to a score (higher is more alarming), an observed value and
an expected value per (period, unit). An alarm is ``score > threshold``; the threshold is set by
calibration (:mod:`cawarn.alerts.calibrate`), so the same scores serve every false-alarm rate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Scores:
    """Scores of shape (periods, units); NaN where the detector cannot judge (no history yet)."""

    detector: str
    params: dict[str, Any]
    ends: tuple[dt.date, ...]
    units: tuple[str, ...]
    score: FloatArray
    observed: FloatArray
    expected: FloatArray
    model_version: str = ""
    extra: dict[str, FloatArray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Check the shapes agree."""
        shape = (len(self.ends), len(self.units))
        for name in ("score", "observed", "expected"):
            if getattr(self, name).shape != shape:
                raise ValueError(f"{name} has shape {getattr(self, name).shape}, expected {shape}")

    def alarms(self, threshold: float) -> BoolArray:
        """Where the score exceeds the threshold (NaN never alarms)."""
        with np.errstate(invalid="ignore"):
            return np.asarray(np.nan_to_num(self.score, nan=-np.inf) > threshold)

    def days(self) -> npt.NDArray[np.int64]:
        """The periods' last days as day numbers (days since 1970-01-01)."""
        return np.array(self.ends, dtype="datetime64[D]").astype(np.int64)
