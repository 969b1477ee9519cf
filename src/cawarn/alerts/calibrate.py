"""Thresholds set on history to a chosen false-alarm rate.

Two methods, both on scores of a calibration period in which no known episode is running:

* :func:`conformal_threshold`, for a rate per period: with n null scores, the threshold is the
  ⌈(n + 1)(1 − α)⌉-th smallest, the split-conformal quantile, so a new exchangeable null score
  exceeds it with probability at most α.
* :func:`rate_threshold`, for a rate of alerts: the smallest threshold at which the alerts that
  *open* (after episode grouping) number at most ``target`` per 100 unit-months of the
  calibration period. Repeated alarms of one episode are one alert, so this is the rate a duty
  officer sees, and the one the evaluation reports.

Scores can tie: Farrington and EARS give the first event after quiet weeks in a calm unit one
same score, so a threshold would take all of them or none. :func:`break_ties` adds a random
amount smaller than half the smallest gap between distinct scores (a randomised test, as for
any discrete statistic), so that a share of the tied periods alarms and the rate can be met.
"""

from __future__ import annotations

import math
from dataclasses import replace

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


def break_ties(scores: Scores, seed: int = 0) -> Scores:
    """The scores with positive finite ties broken at random, the order of distinct ones kept.

    A unit-period's steps (its score as its events came in) move by the same amount as its
    score, so the day an alarm became true stays the day its final score would say.
    """
    # Scores equal to 9 decimals are ties (a float gap of 1e-15 could not hold any jitter).
    values = np.round(scores.score, 9)
    finite = np.isfinite(values) & (values > 0)
    distinct = np.unique(values[finite])
    if distinct.size == 0:
        return scores
    gap = float(np.min(np.diff(distinct))) if distinct.size > 1 else 1.0
    rng = np.random.default_rng(seed)
    jittered = values.copy()
    jittered[finite] += rng.uniform(0.0, gap / 2, size=int(finite.sum()))
    shift = np.where(finite, jittered - scores.score, 0.0)
    steps = {
        (t, j): tuple((day, value + float(shift[t, j])) for day, value in cell)
        for (t, j), cell in scores.steps.items()
    }
    return replace(scores, score=jittered, steps=steps)


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
    scores: Scores,
    target_per_100: float,
    mask: BoolArray,
    gap_days: int = DEFAULT_GAP_DAYS,
    *,
    grid: int = 100,
) -> float:
    """The lowest threshold reached from above before the alert rate first passes the target.

    Lowering a threshold adds alarms, but not always alerts: alarms that merge into one long
    episode open fewer of them, so the rate is not monotone in the threshold. The search walks
    down from the highest score over ``grid`` quantiles of the scores until the rate first
    exceeds ``target_per_100``, then bisects between the last two quantiles.
    """
    if target_per_100 <= 0:
        raise ValueError(f"the false-alarm rate must be above 0, got {target_per_100}")
    valid = mask & np.isfinite(scores.score)
    candidates = np.unique(scores.score[valid])
    if candidates.size == 0:
        return math.inf

    def fits(i: int) -> bool:
        return alerts_per_100(scores, float(candidates[i]), mask, gap_days) <= target_per_100

    top = candidates.size - 1
    if not fits(top):
        return float(candidates[top])
    steps = np.unique(np.linspace(top, 0, min(grid, candidates.size)).round().astype(int))[::-1]
    good = top
    for i in steps:
        if not fits(int(i)):
            lo, hi = int(i) + 1, good  # candidates[hi] fits; find the lowest fit above i
            while lo < hi:
                mid = (lo + hi) // 2
                if fits(mid):
                    hi = mid
                else:
                    lo = mid + 1
            return float(candidates[lo])
        good = int(i)
    return float(candidates[good])
