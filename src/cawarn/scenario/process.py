"""The monthly multivariate Poisson Hawkes (INGARCH) process over admin-1 units.

For unit u and month m::

    lambda[m, u] = background[m, u] + campaign[m, u]
                   + sum_{k=1..K} g(k) * sum_v alpha[v -> u] * N[m - k, v]
    N[m, u] ~ Poisson(lambda[m, u])          (violent events)
    P[m, u] ~ Poisson(nu[m, u])               (protest events, never in lambda)

with ``background[m, u] = scale * rate[country] * share[u] * trend[country](m)``. The recursion is
started ``burn_in_months`` before the window with the window's first background (no campaigns),
so the first months of the window already carry the excitation of earlier violence; those
burn-in events are not written. ``lambda`` is exact: it is the number the Poisson draw used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cawarn.scenario.calendar import Calendar, parse_month
from cawarn.scenario.calendar import month_id as to_month_id
from cawarn.scenario.excitation import Excitation
from cawarn.scenario.params import ScenarioParams
from cawarn.scenario.places import Geography, unit_shares

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Simulation:
    """Rates and counts per unit-month, each ``(months, units)``."""

    background: FloatArray
    campaign: FloatArray
    excitation: FloatArray
    expected: FloatArray  # lambda exactly as drawn from: background + excitation + campaign
    violent: IntArray
    protest_rate: FloatArray
    protest: IntArray


def trend(calendar: Calendar, countries: list[str], params: ScenarioParams) -> FloatArray:
    """Multiplier of the background per month and unit (1 for countries without knots)."""
    out = np.ones((len(calendar), len(countries)))
    country = np.array(countries, dtype=object)
    for name, knots in sorted(params.trend.items()):
        if not knots:
            continue
        ids = np.array([to_month_id(*parse_month(k)) for k, _ in knots], dtype=np.float64)
        values = np.array([v for _, v in knots], dtype=np.float64)
        if np.any(np.diff(ids) <= 0):
            raise ValueError(f"the trend knots of {name} must be in increasing month order")
        level = np.interp(calendar.month_id.astype(np.float64), ids, values)
        out[:, country == name] = level[:, None]
    return out


def background(
    calendar: Calendar, geography: Geography, params: ScenarioParams, scale: float
) -> FloatArray:
    """Background violent events per unit-month at this scale."""
    shares = unit_shares(geography, params.population_floor, params.population_exponent)
    rate = np.array([params.background_per_month.get(c, 0.0) for c in geography.countries])
    return np.asarray(scale * trend(calendar, geography.countries, params) * (rate * shares))


def protest_rates(
    geography: Geography, params: ScenarioParams, scale: float, multiplier: FloatArray
) -> FloatArray:
    """Expected protest events per unit-month (waves included)."""
    shares = unit_shares(geography, params.population_floor, params.protest_population_exponent)
    rate = np.array([params.protest_per_month.get(c, 0.0) for c in geography.countries])
    return np.asarray(scale * multiplier * (rate * shares))


def simulate(
    background_rate: FloatArray,
    campaign: FloatArray,
    excitation: Excitation,
    protest_rate: FloatArray,
    burn_in_months: int,
    violence_rng: np.random.Generator,
    protest_rng: np.random.Generator,
) -> Simulation:
    """Run the recursion month by month (vectorised over units) and draw the protests."""
    n_months, n_units = background_rate.shape
    lags = len(excitation.kernel)
    total = burn_in_months + n_months
    counts = np.zeros((total, n_units), dtype=np.int64)
    excited = np.zeros((n_months, n_units))
    expected = np.zeros((n_months, n_units))
    for step in range(total):
        m = step - burn_in_months
        history = counts[max(step - lags, 0) : step][::-1].astype(np.float64)
        exc = excitation.rate(history)
        base = background_rate[max(m, 0)]
        rate = base + exc + (campaign[m] if m >= 0 else 0.0)
        counts[step] = violence_rng.poisson(rate)
        if m >= 0:
            excited[m] = exc
            expected[m] = rate
    return Simulation(
        background=background_rate,
        campaign=campaign,
        excitation=excited,
        expected=expected,
        violent=counts[burn_in_months:],
        protest_rate=protest_rate,
        protest=protest_rng.poisson(protest_rate).astype(np.int64),
    )
