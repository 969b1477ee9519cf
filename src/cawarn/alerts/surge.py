"""Surge: the recent count against the predictive distribution of a forecaster.

For the week t of unit u, the forecaster fitted on the monthly counts up to the month before the
week's Monday gives S samples N_s of the week's month. A run of k weeks is a share
p_k = min(7k / (days in that month), 1) of it, so given N_s the count of the last k weeks is
Binomial(N_s, p_k) (thinning). For the observed count c_k of weeks t−k+1..t:

    pvalue_k = (S · mean_s P(Binomial(N_s, p_k) ≥ c_k) + 1) / (S + 1)
    score    = max over k = 1..max_weeks of −log10(pvalue_k)

The +1 keeps a Monte Carlo p-value above zero, so a unit whose history is all zeros still has a
finite score. Looking back up to ``max_weeks`` (4) weeks lets two single events in consecutive
weeks of a calm unit add up, as one week of two would. Only weeks with a fatal event score (0
otherwise), so an alarm is always about new events; weeks before the first forecast are NaN.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import binom  # type: ignore[import-untyped]

from cawarn.alerts.forecasts import IntArray, MonthlyForecasts
from cawarn.alerts.scores import FloatArray, Scores, stepped
from cawarn.alerts.series import CountSeries, Steps

DEFAULT_MAX_WEEKS = 4


def surge_scores(
    weekly: CountSeries,
    monthly: CountSeries,
    forecasts: MonthlyForecasts,
    *,
    max_weeks: int = DEFAULT_MAX_WEEKS,
    within: Steps | None = None,
) -> Scores:
    """Surge scores of every unit-week from the step-1 forecasts of the month before.

    ``within`` (the running counts inside each week) adds the score after each day's events.
    """
    if weekly.units != monthly.units:
        raise ValueError("weekly and monthly series must have the same units")
    if max_weeks < 1:
        raise ValueError(f"max_weeks must be at least 1, got {max_weeks}")
    shape = weekly.counts.shape
    score = np.full(shape, np.nan)
    expected = np.full(shape, np.nan)
    window = np.zeros(shape)
    month_index = {(d.year, d.month): i for i, d in enumerate(monthly.starts)}

    def month_of(t: int) -> tuple[IntArray, int] | None:
        """The samples of week t's month (made the month before) and that month's length."""
        start = weekly.starts[t]
        m = month_index.get((start.year, start.month))
        if m is None or m - 1 not in forecasts.samples:
            return None
        return forecasts.samples[m - 1][1], (monthly.ends[m] - monthly.starts[m]).days + 1

    def recent(t: int) -> IntArray:
        return weekly.counts[max(0, t - max_weeks + 1) : t + 1][::-1]  # week t first

    for t in range(shape[0]):
        found = month_of(t)
        if found is None:
            continue
        samples, days = found
        expected[t] = samples.mean(axis=1) * 7.0 / days
        score[t], window[t] = _surprise(recent(t), samples, days)

    def partial(t: int, j: int, count: int) -> float:
        found = month_of(t)
        assert found is not None  # only weeks with a score get steps
        samples, days = found
        column = recent(t)[:, j].copy()
        column[0] = count
        return _surprise_column(column, samples[j], days)[0]

    return Scores(
        detector="surge",
        params={"model": forecasts.model, "n_samples": forecasts.n_samples, "max_weeks": max_weeks},
        ends=weekly.ends,
        units=weekly.units,
        score=score,
        observed=weekly.counts.astype(np.float64),
        expected=expected,
        model_version=forecasts.model,
        extra={"window_weeks": window},
        steps=stepped(within or {}, score, partial),
    )


def _surprise(recent: IntArray, samples: IntArray, days: int) -> tuple[FloatArray, FloatArray]:
    """The best −log10 p-value over the look-back windows per unit, and that window's length."""
    out = np.zeros(recent.shape[1])
    best_k = np.zeros(recent.shape[1])
    for j in np.flatnonzero(recent[0] > 0):
        out[j], best_k[j] = _surprise_column(recent[:, j], samples[j], days)
    return out, best_k


def _surprise_column(recent: IntArray, samples: IntArray, days: int) -> tuple[float, int]:
    """One unit's best −log10 p-value over its look-back windows (week t first), and its k."""
    best, best_k = 0.0, 0
    s = samples.shape[0]
    for k, count in enumerate(np.cumsum(recent), start=1):
        share = min(7.0 * k / days, 1.0)
        tail = float(binom.sf(count - 1, samples, share).mean())
        value = float(-np.log10((s * tail + 1) / (s + 1)))
        if value > best:
            best, best_k = value, k
    return best, best_k
