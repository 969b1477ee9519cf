"""Counts of fatal violent events per unit and period (week or month), from event records.

Only the violent categories count (``VIOLENT_CATEGORIES``): protest and riot never feed the
count-based detectors. An event is *fatal* when its best fatality estimate is at least one.
Weeks run Monday to Sunday; a period's count is complete at its last day, which is when a
detector can look at it, so alarms are dated by the period's end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from cawarn.domain import VIOLENT_CATEGORIES, Category

IntArray = npt.NDArray[np.int64]
#: For each (period, unit) with fatal events: (day number, events of the period up to that day)
#: at every day of the period with one, in order. A detector's score rises with the count, so
#: the day its alarm became true is the day whose running count first passed the threshold.
Steps = dict[tuple[int, int], tuple[tuple[int, int], ...]]


@dataclass(frozen=True, slots=True)
class EventRecord:
    """What the detectors need of one event: where, when, what, how many dead."""

    event_id: str
    day: dt.date
    unit: str
    country: str
    category: Category
    deaths: int
    latitude: float | None = None
    longitude: float | None = None
    actors: tuple[str, ...] = ()

    @property
    def violent(self) -> bool:
        """Whether the event may feed a violence detector (protest and riot never do)."""
        return self.category in VIOLENT_CATEGORIES

    @property
    def fatal_violent(self) -> bool:
        """Whether the event counts in the series: violent and at least one death."""
        return self.violent and self.deaths >= 1


@dataclass(frozen=True)
class CountSeries:
    """Counts of shape (periods, units); ``starts[t]``..``ends[t]`` is period t (days included)."""

    freq: str  # "week" or "month"
    starts: tuple[dt.date, ...]
    ends: tuple[dt.date, ...]
    units: tuple[str, ...]
    counts: IntArray
    countries: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        """Check the shapes agree."""
        if self.counts.shape != (len(self.starts), len(self.units)):
            raise ValueError(
                f"counts have shape {self.counts.shape}, expected "
                f"({len(self.starts)}, {len(self.units)})"
            )

    def period_of(self, day: dt.date) -> int:
        """The index of the period holding ``day`` (-1 when outside the series)."""
        grid = np.array(self.starts, dtype="datetime64[D]")
        i = int(np.searchsorted(grid, np.datetime64(day, "D"), "right")) - 1
        return i if 0 <= i < len(self.starts) and day <= self.ends[i] else -1


def week_start(day: dt.date) -> dt.date:
    """The Monday of the week holding ``day``."""
    return day - dt.timedelta(days=day.weekday())


def week_grid(first: dt.date, last: dt.date) -> tuple[list[dt.date], list[dt.date]]:
    """Monday-to-Sunday weeks covering ``first``..``last``; the last week may end after ``last``."""
    start = week_start(first)
    starts = []
    while start <= last:
        starts.append(start)
        start += dt.timedelta(days=7)
    return starts, [s + dt.timedelta(days=6) for s in starts]


def month_grid(first: dt.date, last: dt.date) -> tuple[list[dt.date], list[dt.date]]:
    """Calendar months covering ``first``..``last``."""
    starts, ends = [], []
    year, month = first.year, first.month
    while dt.date(year, month, 1) <= last:
        starts.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        ends.append(dt.date(year, month, 1) - dt.timedelta(days=1))
    return starts, ends


def count_series(
    events: Iterable[EventRecord],
    *,
    freq: str,
    first: dt.date,
    last: dt.date,
    units: Sequence[str] | None = None,
    countries: dict[str, str] | None = None,
) -> CountSeries:
    """Fatal violent events per unit and week or month between ``first`` and ``last``.

    ``units`` fixes the columns (units without events are all-zero columns); by default every
    unit that has an event (of any category) is a column, so a calm unit still counts its
    unit-months. Events of other units or outside the window are left out.
    """
    if freq == "week":
        starts, ends = week_grid(first, last)
    elif freq == "month":
        starts, ends = month_grid(first, last)
    else:
        raise ValueError(f"freq must be 'week' or 'month', got {freq!r}")
    records = list(events)
    names = list(units) if units is not None else sorted({e.unit for e in records})
    column = {name: j for j, name in enumerate(names)}
    unit_country = dict(countries or {})
    for event in records:
        unit_country.setdefault(event.unit, event.country)
    counts = np.zeros((len(starts), len(names)), dtype=np.int64)
    grid = np.array(starts, dtype="datetime64[D]")
    for event in records:
        j = column.get(event.unit)
        if j is None or not event.fatal_violent or not first <= event.day <= ends[-1]:
            continue
        t = int(np.searchsorted(grid, np.datetime64(event.day, "D"), "right")) - 1
        if t >= 0:
            counts[t, j] += 1
    return CountSeries(
        freq=freq,
        starts=tuple(starts),
        ends=tuple(ends),
        units=tuple(names),
        counts=counts,
        countries=tuple(unit_country.get(name, "") for name in names),
    )


def period_steps(events: Iterable[EventRecord], series: CountSeries) -> Steps:
    """The running count of fatal violent events within each period, day by day (see Steps)."""
    column = {name: j for j, name in enumerate(series.units)}
    per_day: dict[tuple[int, int], dict[int, int]] = {}
    for event in events:
        j = column.get(event.unit)
        if j is None or not event.fatal_violent:
            continue
        t = series.period_of(event.day)
        if t < 0:
            continue
        day = (event.day - dt.date(1970, 1, 1)).days
        cell = per_day.setdefault((t, j), {})
        cell[day] = cell.get(day, 0) + 1
    out: Steps = {}
    for key, days in per_day.items():
        running, steps = 0, []
        for day in sorted(days):
            running += days[day]
            steps.append((day, running))
        out[key] = tuple(steps)
    return out


def events_in(
    events: Iterable[EventRecord], unit: str, first: dt.date, last: dt.date
) -> list[EventRecord]:
    """The fatal violent events of one unit between two days (the evidence of an alarm)."""
    return [e for e in events if e.unit == unit and e.fatal_violent and first <= e.day <= last]
