"""Deaths per violent event: a capped discrete Pareto, its range, and UCDP's split of the total.

``best`` is 0 with probability ``p_zero_deaths``; otherwise ``best = min(floor(U ** (-1 / a)),
max_deaths)`` with U uniform on (0, 1], so ``P(best >= k | best >= 1) = k ** -a`` for
``1 <= k <= max_deaths`` (a discrete Pareto with tail exponent ``a = pareto_exponent``).
``low = best - Binomial(best, low_share)`` and ``high = best + Binomial(best, high_share)``.
Deaths split as UCDP defines them, summing exactly to ``best``: attacks on civilians put all
deaths in ``deaths_civilians``; armed clashes split them multinomially over ``deaths_a``,
``deaths_b``, ``deaths_civilians`` and ``deaths_unknown`` with ``clash_death_shares``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cawarn.scenario.params import ScenarioParams

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def best_pmf(params: ScenarioParams) -> FloatArray:
    """Exact distribution of ``best``: entry k is P(best = k), k = 0..max_deaths."""
    k = np.arange(1, params.max_deaths + 1, dtype=np.float64)
    tail = k ** (-params.pareto_exponent)  # P(best >= k | best >= 1)
    pmf = np.zeros(params.max_deaths + 1)
    pmf[1:] = (1 - params.p_zero_deaths) * (tail - np.append(tail[1:], 0.0))
    pmf[0] = params.p_zero_deaths
    return pmf


def mean_deaths(params: ScenarioParams) -> float:
    """Expected ``best`` of one violent event."""
    pmf = best_pmf(params)
    return float(np.dot(np.arange(len(pmf), dtype=np.float64), pmf))


@dataclass(frozen=True, slots=True)
class Deaths:
    """Deaths of a batch of events; ``parts`` columns: a, b, civilians, unknown."""

    best: IntArray
    low: IntArray
    high: IntArray
    parts: IntArray


def draw_deaths(
    attack_on_civilians: npt.NDArray[np.bool_], params: ScenarioParams, rng: np.random.Generator
) -> Deaths:
    """Draw deaths for violent events (``attack_on_civilians`` marks type 3)."""
    n = len(attack_on_civilians)
    u = 1.0 - rng.random(n)  # (0, 1]
    fatal = rng.random(n) >= params.p_zero_deaths
    size = np.floor(u ** (-1.0 / params.pareto_exponent))
    best = np.where(fatal, np.minimum(size, params.max_deaths), 0).astype(np.int64)
    low = best - rng.binomial(best, params.low_share)
    high = best + rng.binomial(best, params.high_share)
    parts = rng.multinomial(best, list(params.clash_death_shares)).astype(np.int64)
    civ = np.flatnonzero(attack_on_civilians)
    parts[civ] = 0
    parts[civ, 2] = best[civ]
    return Deaths(best=best, low=low.astype(np.int64), high=high.astype(np.int64), parts=parts)
