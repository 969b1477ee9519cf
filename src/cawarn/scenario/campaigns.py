"""Rare campaigns of violence (dated onsets in Central Asia) and protest waves (the decoy).

A campaign adds ``size * decay ** (m - m0)`` expected violent events per month to one Central
Asian unit for ``duration`` months from its onset month m0; in the onset month only the days from
the onset day on count. Onsets form a Poisson process over the window (``campaign_rate_per_year``
for the whole region); the unit is drawn with weight ``sqrt(population + floor)``, times
``campaign_border_weight`` for units bordering Afghanistan. An onset in a unit whose previous
campaign is still running is dropped, so every listed onset starts from a calm unit.

A protest wave multiplies every protest rate of one country by ``protest_wave_multiplier`` for
one to ``protest_wave_max_months`` months; it never touches violence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cawarn.scenario.calendar import Calendar
from cawarn.scenario.excitation import AFGHANISTAN, Excitation
from cawarn.scenario.params import ScenarioParams
from cawarn.scenario.places import Geography

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Onset:
    """One campaign: where and when it starts, how big it is and how long it lasts."""

    month: int  # index into the calendar
    day: int  # day of the month, 1-based
    unit: int  # index into the geography
    size: float  # added expected violent events per month at onset (scaled)
    duration: int  # months
    decay: float  # monthly ratio of the added rate


@dataclass(frozen=True, slots=True)
class ProtestWave:
    """A burst of protest in one country."""

    month: int
    country: str
    duration: int
    multiplier: float


def borders_afghanistan(geography: Geography, excitation: Excitation) -> npt.NDArray[np.bool_]:
    """Units outside Afghanistan that share a border with an Afghan unit."""
    countries = geography.countries
    out = np.zeros(len(geography), dtype=bool)
    for v, u in zip(excitation.src.tolist(), excitation.dst.tolist(), strict=True):
        if countries[v] == AFGHANISTAN and countries[u] != AFGHANISTAN:
            out[u] = True
    return out


def draw_onsets(
    calendar: Calendar,
    geography: Geography,
    border: npt.NDArray[np.bool_],
    params: ScenarioParams,
    scale: float,
    rng: np.random.Generator,
) -> list[Onset]:
    """Draw the campaigns of the window (Central Asian units only), in date order."""
    candidates = np.flatnonzero(np.array(geography.countries, dtype=object) != AFGHANISTAN)
    n_months = len(calendar)
    count = int(rng.poisson(params.campaign_rate_per_year * n_months / 12))
    if candidates.size == 0 or count == 0:
        return []
    weight = np.sqrt(geography.population()[candidates] + params.population_floor)
    weight = weight * np.where(border[candidates], params.campaign_border_weight, 1.0)
    months = rng.integers(0, n_months, count)
    fractions = rng.random(count)
    units = candidates[rng.choice(candidates.size, size=count, p=weight / weight.sum())]
    sizes = (
        scale
        * params.campaign_size_median
        * np.exp(params.campaign_size_sigma * rng.standard_normal(count))
    )
    durations = rng.integers(params.campaign_min_months, params.campaign_max_months + 1, count)
    drawn = [
        Onset(
            month=int(m),
            day=1 + int(f * calendar.days[m]),
            unit=int(u),
            size=float(s),
            duration=int(d),
            decay=params.campaign_decay,
        )
        for m, f, u, s, d in zip(months, fractions, units, sizes, durations, strict=True)
    ]
    kept: list[Onset] = []
    busy_until: dict[int, int] = {}
    for onset in sorted(drawn, key=lambda o: (o.month, o.day, o.unit)):
        if busy_until.get(onset.unit, -1) > onset.month:
            continue
        kept.append(onset)
        busy_until[onset.unit] = onset.month + onset.duration
    return kept


def campaign_rates(onsets: list[Onset], calendar: Calendar, n_units: int) -> FloatArray:
    """Added expected violent events per unit-month, ``(months, units)``."""
    rates = np.zeros((len(calendar), n_units))
    for onset in onsets:
        end = min(onset.month + onset.duration, len(calendar))
        steps = np.arange(end - onset.month)
        added = onset.size * onset.decay**steps
        days = int(calendar.days[onset.month])
        added[0] *= (days - onset.day + 1) / days
        rates[onset.month : end, onset.unit] += added
    return rates


def draw_protest_waves(
    calendar: Calendar, countries: list[str], params: ScenarioParams, rng: np.random.Generator
) -> list[ProtestWave]:
    """Draw protest waves per country, in date order."""
    waves: list[ProtestWave] = []
    n_months = len(calendar)
    for country in sorted(set(countries)):
        count = int(rng.poisson(params.protest_wave_rate_per_year * n_months / 12))
        months = rng.integers(0, n_months, count)
        durations = rng.integers(1, params.protest_wave_max_months + 1, count)
        waves.extend(
            ProtestWave(int(m), country, int(d), params.protest_wave_multiplier)
            for m, d in zip(months, durations, strict=True)
        )
    return sorted(waves, key=lambda w: (w.month, w.country))


def wave_multiplier(
    waves: list[ProtestWave], calendar: Calendar, countries: list[str]
) -> FloatArray:
    """Multiplier of the protest rate per unit-month (1 outside waves; overlaps do not stack)."""
    out = np.ones((len(calendar), len(countries)))
    country = np.array(countries, dtype=object)
    for wave in waves:
        members = country == wave.country
        rows = slice(wave.month, min(wave.month + wave.duration, len(calendar)))
        out[rows, members] = np.maximum(out[rows, members], wave.multiplier)
    return out
