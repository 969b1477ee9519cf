"""A detector's output over a series: one score per unit and period, with its evidence values.

Every count-based detector reduces to a score (higher is more alarming), an observed value and
an expected value per (period, unit). The alarm rule is one of:

* ``level``: ``score > threshold``;
* ``with_events``: ``score > threshold`` in a period with at least one fatal event (a CUSUM
  still decaying after an episode is not a fresh alarm);
* ``crossing``: ``score > threshold`` where the previous period's score was not (a risk level
  that stays high is one alarm, not one a month).

The threshold is set by calibration (:mod:`cawarn.alerts.calibrate`), so the same scores serve
every false-alarm rate.

An alarm is dated by the day it became true, not the end of its period: a count-based score
only rises as a period's events come in, so ``steps`` keeps, for each unit-period with events,
the score after each day's events, and :meth:`Scores.alarm_day` finds the first day whose score
passed the threshold. A node that scans daily raises the alarm that day; the evaluation measures
delays from it (for Farrington and EARS the same way, from their own bounds).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
#: For each (period, unit): (day number, score with the period's events up to that day).
ScoreSteps = dict[tuple[int, int], tuple[tuple[int, float], ...]]


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
    rule: str = "level"
    steps: ScoreSteps = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Check the shapes agree."""
        shape = (len(self.ends), len(self.units))
        for name in ("score", "observed", "expected"):
            if getattr(self, name).shape != shape:
                raise ValueError(f"{name} has shape {getattr(self, name).shape}, expected {shape}")
        if self.rule not in ("level", "with_events", "crossing"):
            raise ValueError(f"unknown alarm rule {self.rule!r}")

    def alarms(self, threshold: float) -> BoolArray:
        """Where the score exceeds the threshold (NaN never alarms)."""
        score = np.nan_to_num(self.score, nan=-np.inf, posinf=np.inf)
        above: BoolArray = np.asarray(score > threshold, dtype=bool)
        if self.rule == "with_events":
            with_events: BoolArray = above & (self.observed > 0)
            return with_events
        if self.rule == "crossing":
            before = np.vstack([np.zeros((1, above.shape[1]), dtype=bool), above[:-1]])
            crossing: BoolArray = above & ~before
            return crossing
        return above

    def days(self) -> npt.NDArray[np.int64]:
        """The periods' last days as day numbers (days since 1970-01-01)."""
        return np.array(self.ends, dtype="datetime64[D]").astype(np.int64)

    def alarm_day(self, t: int, j: int, threshold: float) -> dt.date:
        """The day the alarm of unit j in period t became true: its period's end without steps."""
        for day, score in self.steps.get((t, j), ()):
            if score > threshold:
                return _EPOCH + dt.timedelta(days=day)
        return self.ends[t]


_EPOCH = dt.date(1970, 1, 1)


def stepped(
    counts: dict[tuple[int, int], tuple[tuple[int, int], ...]],
    score: FloatArray,
    partial: Callable[[int, int, int], float],
) -> ScoreSteps:
    """Scores as each period's events came in: ``partial(t, j, c)`` scores a count of c so far.

    Cells the detector does not judge (NaN) get no steps. ``counts`` are
    :data:`cawarn.alerts.series.Steps`.
    """
    out: ScoreSteps = {}
    for (t, j), steps in counts.items():
        if t < score.shape[0] and np.isfinite(score[t, j]):
            out[(t, j)] = tuple((day, float(partial(t, j, c))) for day, c in steps)
    return out
