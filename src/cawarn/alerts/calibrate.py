"""Thresholds set on history to a chosen false-alarm rate.

Two methods, both on scores of a calibration period in which no known episode is running:

* :func:`conformal_threshold`, for a rate per period: with n null scores, the threshold is the
  ⌈(n + 1)(1 − α)⌉-th smallest, the split-conformal quantile, so a new exchangeable null score
  exceeds it with probability at most α.
* :func:`rate_threshold`, for a rate of alerts: the smallest threshold at which the alerts that
  *open* (after episode grouping) number at most ``target`` per 100 unit-months of the
  calibration period. Repeated alarms of one episode are one alert, so this is the rate a duty
  officer sees, and the one the evaluation reports.
"""

from __future__ import annotations

import math

import numpy as np

from cawarn.alerts.episodes import DEFAULT_GAP_DAYS, BoolArray, episode_starts
from cawarn.alerts.scores import FloatArray, Scores

DAYS_PER_MONTH = 365.25 / 12


def conformal_threshold(null_scores: FloatArray, alpha: float) -> float:
    """The split-conformal (1 − α) quantile of null scores (NaN ignored); inf if too few."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    values = np.sort(null_scores[np.isfinite(null_scores)].ravel())
    n = values.size
    k = math.ceil((n + 1) * (1 - alpha))
    return float(values[k - 1]) if 1 <= k <= n else math.inf


def unit_months(scores: Scores, mask: BoolArray) -> float:
    """Unit-months covered by the periods in ``mask`` (a period counts its own length)."""
    days = scores.days()
    lengths = np.diff(days, prepend=days[0] - (days[1] - days[0] if len(days) > 1 else 7))
    return float((mask * lengths[:, None]).sum() / DAYS_PER_MONTH)


def alerts_per_100(
    scores: Scores, threshold: float, mask: BoolArray, gap_days: int = DEFAULT_GAP_DAYS
) -> float:
    """Alerts opened in ``mask`` per 100 unit-months of ``mask`` at a threshold."""
    opens = episode_starts(scores.alarms(threshold), scores.days(), gap_days)
    months = unit_months(scores, mask)
    return 100.0 * float((opens & mask).sum()) / months if months > 0 else math.nan


def rate_threshold(
    scores: Scores, target_per_100: float, mask: BoolArray, gap_days: int = DEFAULT_GAP_DAYS
) -> float:
    """The smallest threshold opening at most ``target_per_100`` alerts per 100 unit-months."""
    if target_per_100 <= 0:
        raise ValueError(f"the false-alarm rate must be above 0, got {target_per_100}")
    valid = mask & np.isfinite(scores.score)
    candidates = np.unique(scores.score[valid])
    if candidates.size == 0:
        return math.inf
    # Alerts fall as the threshold rises (up to episode merging); search the smallest that fits.
    lo, hi = 0, candidates.size - 1
    if alerts_per_100(scores, float(candidates[hi]), mask, gap_days) > target_per_100:
        return float(candidates[hi])
    while lo < hi:
        mid = (lo + hi) // 2
        if alerts_per_100(scores, float(candidates[mid]), mask, gap_days) <= target_per_100:
            hi = mid
        else:
            lo = mid + 1
    return float(candidates[lo])
