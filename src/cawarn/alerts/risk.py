"""Risk: the forecast probability of fatal violence in the coming months crosses a level or jumps.

At the end of each month m the forecasts give P_m = max over steps 1..steps of P(y > 0) (the share
of samples above 0). The score is

    score_m = max(P_m, w · (P_m − P_{m−1}))

so the score exceeds τ when the probability exceeds τ (the level) or rises by more than τ / w in
one month (the jump margin); τ is the calibrated threshold and w = ``jump_weight``. The alarm is
the crossing (the ``crossing`` rule): a month above τ after one that was not.
"""

from __future__ import annotations

import numpy as np

from cawarn.alerts.forecasts import MonthlyForecasts
from cawarn.alerts.scores import Scores
from cawarn.alerts.series import CountSeries

DEFAULT_JUMP_WEIGHT = 2.0


def risk_scores(
    monthly: CountSeries, forecasts: MonthlyForecasts, *, jump_weight: float = DEFAULT_JUMP_WEIGHT
) -> Scores:
    """Risk scores at every month end with a forecast (NaN before the first)."""
    shape = monthly.counts.shape
    prob = np.full(shape, np.nan)
    for m, by_step in forecasts.samples.items():
        prob[m] = np.max([np.mean(x > 0, axis=1) for x in by_step.values()], axis=0)
    previous = np.vstack([np.full((1, shape[1]), np.nan), prob[:-1]])
    jump = np.nan_to_num(prob - previous, nan=0.0)
    score = np.where(np.isnan(prob), np.nan, np.maximum(prob, jump_weight * jump))
    return Scores(
        detector="risk",
        params={
            "model": forecasts.model,
            "steps": forecasts.steps,
            "n_samples": forecasts.n_samples,
            "jump_weight": jump_weight,
        },
        ends=monthly.ends,
        units=monthly.units,
        score=score,
        observed=prob,
        expected=previous,
        model_version=forecasts.model,
        rule="crossing",
    )
