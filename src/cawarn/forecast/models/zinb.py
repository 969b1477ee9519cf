"""Zero-inflated negative binomial baseline, fitted per unit with a pooled fallback.

A unit-month is 0 with probability π (a structural zero), otherwise a negative binomial count
with mean μ and size r (variance μ + μ²/r). Parameters are fitted by maximum likelihood
(L-BFGS-B on logit π, log μ, log r) on the unit's last 60 months. A unit with fewer than
``min_positive`` months above 0 in that window (all-zero units included) takes μ and r from one
ZINB fitted on the pooled window of every unit, and π such that its probability of y > 0 is its
own share of positive months shrunk towards the pooled share with ``prior_months``
pseudo-months: (k + a·p̄) / (n + a). A history with no positive month at all gives zeros.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy.optimize import minimize  # type: ignore[import-untyped]
from scipy.special import expit, gammaln  # type: ignore[import-untyped]

from cawarn.forecast.forecast import FloatArray
from cawarn.forecast.models.base import MatrixForecaster

_BOUNDS = [(-12.0, 12.0), (math.log(1e-3), math.log(1e6)), (math.log(1e-2), math.log(1e3))]


class ZinbParams(NamedTuple):
    """π (structural-zero probability), μ (mean of the count part) and r (its size)."""

    pi: float
    mu: float
    r: float

    def p_positive(self) -> float:
        """P(y > 0) under these parameters."""
        return float((1 - self.pi) * (1 - (self.r / (self.r + self.mu)) ** self.r))


def _nll(theta: FloatArray, values: FloatArray, weights: FloatArray) -> float:
    a, b, c = theta
    mu, r = math.exp(b), math.exp(c)
    log_pi = -np.logaddexp(0.0, -a)  # log expit(a)
    log_1m_pi = -np.logaddexp(0.0, a)
    log_p0 = r * (math.log(r) - math.log(r + mu))
    log_nb = (
        gammaln(values + r)
        - gammaln(r)
        - gammaln(values + 1)
        + log_p0
        + values * (math.log(mu) - math.log(r + mu))
    )
    ll = np.where(values == 0, np.logaddexp(log_pi, log_1m_pi + log_p0), log_1m_pi + log_nb)
    return float(-np.sum(weights * ll))


def fit_zinb(counts: FloatArray) -> ZinbParams | None:
    """Maximum-likelihood ZINB parameters of counts (≥ 0); None when no count is above 0."""
    y = np.asarray(counts, dtype=np.float64).ravel()
    positive = y[y > 0]
    if positive.size == 0:
        return None
    values, weights = np.unique(np.round(y), return_counts=True)
    zero_share = 1 - positive.size / y.size
    pi0 = min(max(zero_share - 0.1, 0.01), 0.95)
    mu0 = max(float(positive.mean()), 0.1)
    start = np.array([math.log(pi0 / (1 - pi0)), math.log(mu0), 0.0])
    result = minimize(
        _nll,
        start,
        args=(values, weights.astype(np.float64)),
        method="L-BFGS-B",
        bounds=_BOUNDS,
    )
    a, b, c = (float(v) for v in result.x)
    if not all(math.isfinite(v) for v in (a, b, c)):
        return None
    return ZinbParams(float(expit(a)), math.exp(b), math.exp(c))


class ZinbForecaster(MatrixForecaster):
    """ZINB per unit on the last ``window`` months, pooled where a unit has too few events."""

    name = "zinb"

    def __init__(self, window: int = 60, min_positive: int = 5, prior_months: float = 12.0):
        """Set the window, the positive months a unit needs for its own fit, and the shrinkage."""
        super().__init__()
        self.window = window
        self.min_positive = min_positive
        self.prior_months = prior_months
        self.params: list[ZinbParams | None] = []
        self.pooled: ZinbParams | None = None

    def _fit(self, values: FloatArray) -> None:
        recent = values[-self.window :]
        months = recent.shape[0]
        self.pooled = fit_zinb(recent)
        self.params = []
        pooled_share = float(np.mean(recent > 0))
        for unit in recent.T:
            k = int(np.count_nonzero(unit > 0))
            own = fit_zinb(unit) if k >= self.min_positive else None
            if own is None and self.pooled is not None:
                share = (k + self.prior_months * pooled_share) / (months + self.prior_months)
                mu, r = self.pooled.mu, self.pooled.r
                nonzero = 1 - (r / (r + mu)) ** r
                own = ZinbParams(min(max(1 - share / nonzero, 0.0), 1.0), mu, r)
            self.params.append(own)

    def _sample(self, n_samples: int, rng: np.random.Generator) -> FloatArray:
        out = np.zeros((len(self.params), n_samples))
        for i, params in enumerate(self.params):
            if params is None:
                continue
            pi, mu, r = params
            counts = rng.negative_binomial(r, r / (r + mu), size=n_samples)
            counts[rng.random(n_samples) < pi] = 0
            out[i] = counts
        return out
