"""Surge: this week's count against the predictive distribution of a forecaster.

For the week t of unit u, the forecaster fitted on the monthly counts up to the month before the
week's Monday gives S samples N_s of the week's month. A week is a share p = 7 / (days in that
month) of it, so given N_s the week's count is Binomial(N_s, p) (thinning). The surge score is
the surprise of the observed count y:

    pvalue = (S · mean_s P(Binomial(N_s, p) ≥ y) + 1) / (S + 1),   score = -log10(pvalue)

(the +1 keeps a Monte Carlo p-value above zero, so a unit whose history is all zeros still has
a finite score). Weeks with no event score 0; weeks before the first forecast are NaN.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import binom  # type: ignore[import-untyped]

from cawarn.alerts.forecasts import IntArray, MonthlyForecasts
from cawarn.alerts.scores import FloatArray, Scores
from cawarn.alerts.series import CountSeries


def surge_scores(weekly: CountSeries, monthly: CountSeries, forecasts: MonthlyForecasts) -> Scores:
    """Surge scores of every unit-week from the step-1 forecasts of the month before."""
    if weekly.units != monthly.units:
        raise ValueError("weekly and monthly series must have the same units")
    shape = weekly.counts.shape
    score = np.full(shape, np.nan)
    expected = np.full(shape, np.nan)
    month_index = {(d.year, d.month): i for i, d in enumerate(monthly.starts)}
    for t, start in enumerate(weekly.starts):
        m = month_index.get((start.year, start.month))
        if m is None or m - 1 not in forecasts.samples:
            continue
        samples = forecasts.samples[m - 1][1]
        share = 7.0 / ((monthly.ends[m] - monthly.starts[m]).days + 1)
        expected[t] = samples.mean(axis=1) * share
        score[t] = _surprise(weekly.counts[t], samples, share)
    return Scores(
        detector="surge",
        params={"model": forecasts.model, "n_samples": forecasts.n_samples},
        ends=weekly.ends,
        units=weekly.units,
        score=score,
        observed=weekly.counts.astype(np.float64),
        expected=expected,
        model_version=forecasts.model,
    )


def _surprise(y: IntArray, samples: IntArray, share: float) -> FloatArray:
    """-log10 of the smoothed upper-tail p-value of each unit's count y."""
    out = np.zeros(y.shape[0])
    s = samples.shape[1]
    for j in np.flatnonzero(y > 0):
        tail = float(binom.sf(y[j] - 1, samples[j], share).mean())
        out[j] = -np.log10((s * tail + 1) / (s + 1))
    return out
