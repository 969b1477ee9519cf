"""The events of a block of months: day, type, deaths, place and reporting lag, all vectorised.

Per event: the day is uniform within its month (campaign events of an onset month fall on or
after the onset day); a violent event is an attack on civilians (GED type 3) with probability
``p_attack_on_civilians``, else an armed clash, non-state (type 2) with probability
``p_non_state_afg`` in Afghanistan and state-based (type 1) otherwise. The reporting lag in days is
``Geometric - 1`` with mean ``lag_mean_days``, or with mean ``late_mean_days`` for the
``late_share`` of events reported late.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cawarn.scenario.actors import ARMED_CLASH, ATTACK_ON_CIVILIANS, PROTEST
from cawarn.scenario.calendar import Calendar
from cawarn.scenario.excitation import AFGHANISTAN
from cawarn.scenario.fatalities import draw_deaths
from cawarn.scenario.params import ScenarioParams
from cawarn.scenario.places import Geography
from cawarn.scenario.spatial import Places, Spatial, draw_places

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class OnsetDays:
    """Per unit-month of the window: the onset day (0 = none) and the campaign's share of lambda."""

    day: IntArray  # (months, units)
    share: FloatArray  # (months, units)


@dataclass(frozen=True, slots=True)
class EventBatch:
    """Events of a block of months, sorted by day (stable)."""

    month: IntArray  # calendar index
    unit: IntArray
    day: IntArray  # day number (days since 1970-01-01)
    report_day: IntArray
    category: IntArray  # ARMED_CLASH, ATTACK_ON_CIVILIANS or PROTEST
    tov: IntArray  # GED type_of_violence; 0 for protests
    best: IntArray
    low: IntArray
    high: IntArray
    parts: IntArray  # (n, 4): deaths_a, deaths_b, deaths_civilians, deaths_unknown
    places: Places
    sources: IntArray

    def __len__(self) -> int:
        return len(self.day)


def _expand(counts: IntArray, month0: int) -> tuple[IntArray, IntArray]:
    units = counts.shape[1]
    flat = counts.ravel()
    cells = np.repeat(np.arange(flat.size, dtype=np.int64), flat)
    return cells // units + month0, cells % units


def draw_batch(
    violent: IntArray,
    protest: IntArray,
    month0: int,
    calendar: Calendar,
    geography: Geography,
    spatial: Spatial,
    onsets: OnsetDays,
    params: ScenarioParams,
    rng: np.random.Generator,
) -> EventBatch:
    """Draw every event of months ``month0 .. month0 + len(violent) - 1``."""
    v_month, v_unit = _expand(violent, month0)
    p_month, p_unit = _expand(protest, month0)
    month = np.concatenate((v_month, p_month))
    unit = np.concatenate((v_unit, p_unit))
    n_v, n = len(v_month), len(month)
    day = calendar.first_day[month] + np.floor(rng.random(n) * calendar.days[month]).astype(
        np.int64
    )
    onset_day = onsets.day[v_month, v_unit]
    late_start = np.flatnonzero((onset_day > 0) & (rng.random(n_v) < onsets.share[v_month, v_unit]))
    if late_start.size:
        m, first = v_month[late_start], onset_day[late_start]
        span = calendar.days[m] - first + 1
        day[late_start] = (
            calendar.first_day[m] + first - 1 + np.floor(rng.random(late_start.size) * span)
        ).astype(np.int64)
    afg = np.array([c == AFGHANISTAN for c in geography.countries])[v_unit]
    civ = rng.random(n_v) < params.p_attack_on_civilians
    non_state = afg & (rng.random(n_v) < params.p_non_state_afg)
    category = np.concatenate(
        (np.where(civ, ATTACK_ON_CIVILIANS, ARMED_CLASH), np.full(n - n_v, PROTEST))
    ).astype(np.int64)
    tov = np.concatenate((np.where(civ, 3, np.where(non_state, 2, 1)), np.zeros(n - n_v)))
    deaths = draw_deaths(civ, params, rng)
    zeros = np.zeros(n - n_v, dtype=np.int64)
    late = rng.random(n) < params.late_share
    mean = np.where(late, params.late_mean_days, params.lag_mean_days)
    lag = rng.geometric(1.0 / (1.0 + mean)) - 1
    sources = 1 + rng.poisson(0.5, n)
    places = draw_places(spatial, geography, unit, rng, params)
    order = np.argsort(day, kind="stable")
    return EventBatch(
        month=month[order],
        unit=unit[order],
        day=day[order],
        report_day=(day + lag)[order],
        category=category[order],
        tov=tov.astype(np.int64)[order],
        best=np.concatenate((deaths.best, zeros))[order],
        low=np.concatenate((deaths.low, zeros))[order],
        high=np.concatenate((deaths.high, zeros))[order],
        parts=np.concatenate((deaths.parts, np.zeros((n - n_v, 4), dtype=np.int64)))[order],
        places=Places(
            lat=places.lat[order],
            lon=places.lon[order],
            cell=places.cell[order],
            piece=places.piece[order],
            city=places.city[order],
        ),
        sources=sources.astype(np.int64)[order],
    )
