"""Scoring detectors against known onsets: detection, false alarms and delay.

Periods are split by their last day: a warm-up (no detector judges yet), a calibration period
(each detector's threshold is set there to the target false-alarm rate, see
:func:`cawarn.alerts.calibrate.rate_threshold`) and a test period where it is scored:

* **POD**: the share of onsets in the test period with an alarm in their unit that became true
  within ``pod_days`` (30) days after the onset day, in a period ending on or after it.
* **False alarms per 100 unit-months**: alerts (after episode grouping) opening outside every
  onset's episode (onset day to the end of its campaign), per 100 unit-months outside them.
* **Median delay**: days from the onset to the day the first alarm after it became true (the
  day whose events pushed the period's score over the threshold, see
  :meth:`cawarn.alerts.scores.Scores.alarm_day`; the period's end for detectors without steps,
  and 0 when the alarm already stood on the onset day), over the onsets detected within
  ``pod_days``.

With ``matched=True`` the threshold is set on the test period itself (on its non-onset
unit-months only), so every detector is compared at the same false-alarm rate exactly; with
calibration on the past the rates differ by the calibration error, which is itself reported.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from cawarn.alerts.calibrate import alerts_per_100, rate_threshold, unit_months
from cawarn.alerts.episodes import DEFAULT_GAP_DAYS, BoolArray, episode_starts
from cawarn.alerts.scenario_files import Onset
from cawarn.alerts.scores import Scores


@dataclass(frozen=True)
class Windows:
    """The calibration and test periods, by days (both ends included)."""

    calibration_first: dt.date
    calibration_last: dt.date
    test_first: dt.date
    test_last: dt.date


@dataclass(frozen=True)
class DetectorScore:
    """How one detector did on the test period at its calibrated threshold."""

    detector: str
    threshold: float
    pod: float
    false_alarms_per_100: float
    median_delay_days: float | None
    calibration_false_alarms_per_100: float
    onsets: int
    detected: int
    false_alarms: int
    unit_months: float
    params: dict[str, object]
    model_version: str
    delays: dict[str, int] = field(default_factory=dict)  # "<unit>@<onset day>" → days

    def to_json(self) -> dict[str, object]:
        """The figures as JSON values (None where undefined)."""

        def num(value: float | None) -> float | None:
            return None if value is None or not math.isfinite(value) else round(value, 4)

        return {
            "pod": num(self.pod),
            "false_alarms_per_100": num(self.false_alarms_per_100),
            "median_delay_days": num(self.median_delay_days),
            "threshold": num(self.threshold),
            "calibration_false_alarms_per_100": num(self.calibration_false_alarms_per_100),
            "onsets": self.onsets,
            "detected": self.detected,
            "false_alarms": self.false_alarms,
            "unit_months": round(self.unit_months, 1),
            "params": self.params,
            "model_version": self.model_version,
            "delays": self.delays,
        }


def onset_mask(scores: Scores, onsets: Sequence[Onset]) -> BoolArray:
    """Unit-periods that end inside an onset's episode (no false alarm can happen there)."""
    days = np.array(scores.ends, dtype="datetime64[D]")
    column = {unit: j for j, unit in enumerate(scores.units)}
    inside = np.zeros(scores.score.shape, dtype=bool)
    for onset in onsets:
        j = column.get(onset.unit)
        if j is not None:
            first, last = np.datetime64(onset.day, "D"), np.datetime64(onset.episode_end, "D")
            inside[:, j] |= (days >= first) & (days <= last)
    return inside


def period_mask(scores: Scores, first: dt.date, last: dt.date) -> BoolArray:
    """Unit-periods whose last day falls between two days."""
    days = np.array(scores.ends, dtype="datetime64[D]")
    rows = (days >= np.datetime64(first, "D")) & (days <= np.datetime64(last, "D"))
    return np.repeat(rows[:, None], len(scores.units), axis=1)


def evaluate_detector(
    scores: Scores,
    onsets: Sequence[Onset],
    windows: Windows,
    *,
    target_per_100: float,
    matched: bool = False,
    pod_days: int = 30,
    gap_days: int = DEFAULT_GAP_DAYS,
) -> DetectorScore:
    """Calibrate one detector's threshold and score it on the test period."""
    outside = ~onset_mask(scores, onsets)
    calibration = period_mask(scores, windows.calibration_first, windows.calibration_last)
    test = period_mask(scores, windows.test_first, windows.test_last)
    fit_on = (test if matched else calibration) & outside
    threshold = rate_threshold(scores, target_per_100, fit_on, gap_days)
    alarms = scores.alarms(threshold)
    opens = episode_starts(alarms, scores.days(), gap_days)
    false_mask = test & outside
    months = unit_months(scores, false_mask)
    false_alarms = int((opens & false_mask).sum())
    ends = np.array(scores.ends, dtype="datetime64[D]")
    column = {unit: j for j, unit in enumerate(scores.units)}
    judged = [
        o for o in onsets if windows.test_first <= o.day <= windows.test_last and o.unit in column
    ]
    delays: dict[str, int] = {}
    for onset in judged:
        j = column[onset.unit]
        day = np.datetime64(onset.day, "D")
        for t in np.flatnonzero((ends >= day) & alarms[:, j]):
            delay = max((scores.alarm_day(int(t), j, threshold) - onset.day).days, 0)
            if delay <= pod_days:
                delays[f"{onset.unit}@{onset.day}"] = delay
            break  # the first alarm after the onset is its detection, or it was missed
    return DetectorScore(
        detector=scores.detector,
        threshold=threshold,
        pod=len(delays) / len(judged) if judged else math.nan,
        false_alarms_per_100=100.0 * false_alarms / months if months > 0 else math.nan,
        median_delay_days=float(statistics.median(delays.values())) if delays else None,
        calibration_false_alarms_per_100=alerts_per_100(
            scores, threshold, calibration & outside, gap_days
        ),
        onsets=len(judged),
        detected=len(delays),
        false_alarms=false_alarms,
        unit_months=months,
        params=dict(scores.params),
        model_version=scores.model_version,
        delays=delays,
    )
