"""Sustained shift: a negative-binomial CUSUM per unit over weekly counts.

In-control, the unit's weekly count is NB(μ0, r); out of control it is NB(μ1, r) with
μ1 = max(k · μ0, μ0 + δ) (a relative rise where the unit is busy, an absolute one where it is
calm). Each week adds the log-likelihood ratio

    LLR_t = y_t · log(μ1 / μ0) + (y_t + r) · log((r + μ0) / (r + μ1))

to S_t = max(0, S_{t-1} + LLR_t) (Page's CUSUM); the score is S_t. μ0 and r come from the unit's
own past, ``window`` weeks ending ``guard`` weeks before t (the guard keeps a starting episode
out of its own baseline): μ0 = (Σ y + a·ρ) / (n + a), shrunk towards the weekly rate ρ of all
units of the same country with ``prior_weeks`` = a pseudo-weeks, and r from the moments
(r = μ0² / (v − μ0) when the variance v exceeds the mean, else ``max_size``: Poisson).
The score is not reset after an alarm: an alarm is a week with a fatal event while S_t is above
the threshold (the ``with_events`` rule), and repeated alarms of one episode become one alert.

The ``onset`` detector is the same CUSUM with a baseline that forgets (``half_life``: every week
up to ``guard`` weeks before t, weighted 0.5 ** (age / half_life), in place of the window) and a
larger shift (:data:`ONSET_PARAMS`): it reacts to the first events of an episode in a calm unit.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from cawarn.alerts.scores import FloatArray, Scores, stepped
from cawarn.alerts.series import CountSeries, Steps


@dataclass(frozen=True)
class CusumParams:
    """The CUSUM's shift to detect and how its in-control baseline is estimated."""

    ratio: float = 2.0  # k
    shift: float = 1.0  # δ, events per week
    window: int = 52
    guard: int = 4
    min_weeks: int = 26
    prior_weeks: float = 26.0
    max_size: float = 1000.0
    floor: float = 1e-3  # events per week, so a country with no events still has a baseline
    #: Weeks; above 0 the baseline is every week up to ``guard`` weeks before t, each weighted
    #: 0.5 ** (age / half_life), instead of the last ``window`` weeks (the ``onset`` detector).
    half_life: float = 0.0


#: The ``onset`` detector: the same CUSUM with a short memory, made to react to the first events
#: of an episode in a calm unit (chosen on the scenarios of seeds 2 and 3; see docs/alerts.md).
ONSET_PARAMS = CusumParams(shift=3.0, guard=2, prior_weeks=6.0, half_life=13.0)


def _rolling_sum(values: FloatArray, window: int, guard: int) -> tuple[FloatArray, FloatArray]:
    """Sum and count of values in rows [t-guard-window, t-guard) for every row t."""
    periods = values.shape[0]
    csum = np.vstack([np.zeros((1, *values.shape[1:])), np.cumsum(values, axis=0)])
    hi = np.clip(np.arange(periods) - guard, 0, periods)
    lo = np.clip(hi - window, 0, periods)
    return csum[hi] - csum[lo], (hi - lo).astype(np.float64)


def _forgetting_sum(
    values: FloatArray, half_life: float, guard: int
) -> tuple[FloatArray, FloatArray]:
    """Sums of rows before t − guard, a row of age a weeks weighted 0.5 ** (a / half_life).

    Returns the weighted sums and the sum of the weights (the baseline's effective weeks).
    """
    decay = 0.5 ** (1.0 / half_life)
    periods = values.shape[0]
    sums = np.zeros_like(values)
    weights = np.zeros(periods)
    acc = np.zeros(values.shape[1:])
    acc_weight = 0.0
    for t in range(periods):
        newest = t - guard - 1  # the newest row of t's baseline
        if newest >= 0:
            acc = acc * decay + values[newest]
            acc_weight = acc_weight * decay + 1.0
        sums[t] = acc
        weights[t] = acc_weight
    return sums, weights


def cusum_scores(
    weekly: CountSeries,
    params: CusumParams | None = None,
    within: Steps | None = None,
    *,
    detector: str = "cusum",
) -> Scores:
    """CUSUM scores of every unit-week; NaN until ``min_weeks`` of baseline exist.

    ``within`` (the running counts inside each week) adds the score after each day's events.
    """
    p = params or CusumParams()
    y = weekly.counts.astype(np.float64)
    if p.half_life > 0:
        total, n = _forgetting_sum(y, p.half_life, p.guard)
        square, _ = _forgetting_sum(y * y, p.half_life, p.guard)
        weeks = np.clip(np.arange(y.shape[0]) - p.guard, 0, None).astype(np.float64)
    else:
        total, n = _rolling_sum(y, p.window, p.guard)
        square, _ = _rolling_sum(y * y, p.window, p.guard)
        weeks = n
    countries = weekly.countries or tuple("" for _ in weekly.units)
    rho = np.zeros_like(total)
    for country in set(countries):
        cols = [j for j, c in enumerate(countries) if c == country]
        rho[:, cols] = (total[:, cols].mean(axis=1) / np.maximum(n, 1.0))[:, None]
    n2 = n[:, None]
    mu0 = np.maximum((total + p.prior_weeks * rho) / (n2 + p.prior_weeks), p.floor)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / np.maximum(n2, 1.0)
        var = square / np.maximum(n2, 1.0) - mean**2
        size = np.where(var > mean, mean**2 / (var - mean), p.max_size)
    size = np.clip(np.nan_to_num(size, nan=p.max_size), 0.1, p.max_size)
    mu1 = np.maximum(p.ratio * mu0, mu0 + p.shift)
    up, down = np.log(mu1 / mu0), np.log((size + mu0) / (size + mu1))
    llr = y * up + (y + size) * down
    score = np.full_like(y, np.nan)
    s = np.zeros(y.shape[1])
    for t in range(y.shape[0]):
        if weeks[t] < p.min_weeks:
            continue
        s = np.maximum(0.0, s + llr[t])
        score[t] = s

    def partial(t: int, j: int, count: int) -> float:
        before = score[t - 1, j] if t > 0 and np.isfinite(score[t - 1, j]) else 0.0
        return float(max(0.0, before + count * up[t, j] + (count + size[t, j]) * down[t, j]))

    return Scores(
        detector=detector,
        params=asdict(p),
        ends=weekly.ends,
        units=weekly.units,
        score=score,
        observed=y,
        expected=mu0,
        extra={"size": size, "mu1": mu1},
        rule="with_events",
        steps=stepped(within or {}, score, partial),
    )


def onset_scores(weekly: CountSeries, within: Steps | None = None) -> Scores:
    """The ``onset`` detector: the CUSUM with :data:`ONSET_PARAMS` (a short-memory baseline)."""
    return cusum_scores(weekly, ONSET_PARAMS, within, detector="onset")
