"""The scenario's months: parsing "YYYY-MM", ViEWS month ids and the days of each month."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cawarn.domain import InputError

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_EPOCH = dt.date(1970, 1, 1)


def parse_month(text: str) -> tuple[int, int]:
    """Parse "YYYY-MM" into (year, month), refusing anything else with one clear sentence."""
    match = _MONTH.match(text.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise InputError(f"{text!r} is not a month; write it as YYYY-MM, e.g. 2000-01")
    return int(match.group(1)), int(match.group(2))


def month_id(year: int, month: int) -> int:
    """Return the ViEWS month id, ``(year - 1980) * 12 + month`` (121 is 1990-01)."""
    return (year - 1980) * 12 + month


def day_number(day: dt.date) -> int:
    """Return days since 1970-01-01."""
    return (day - _EPOCH).days


def day_text(days: int) -> str:
    """Return "YYYY-MM-DD" of a day number."""
    return (_EPOCH + dt.timedelta(days=days)).isoformat()


@dataclass(frozen=True, slots=True)
class Calendar:
    """The months of a scenario window, in order."""

    year: npt.NDArray[np.int64]
    month: npt.NDArray[np.int64]
    month_id: npt.NDArray[np.int64]
    first_day: npt.NDArray[np.int64]  # day number of the 1st of each month
    days: npt.NDArray[np.int64]  # days in each month

    @classmethod
    def between(cls, start: str, end: str) -> Calendar:
        """Build the calendar from "YYYY-MM" to "YYYY-MM", both included."""
        (y0, m0), (y1, m1) = parse_month(start), parse_month(end)
        first, last = month_id(y0, m0), month_id(y1, m1)
        if last < first:
            raise InputError(f"the end month {end} is before the start month {start}")
        if y0 < 1900 or y1 > 2200:
            raise InputError("scenario months must lie between 1900 and 2200")
        ids = np.arange(first, last + 1, dtype=np.int64)
        years = (ids - 1) // 12 + 1980
        months = (ids - 1) % 12 + 1
        firsts = [
            day_number(dt.date(int(y), int(m), 1)) for y, m in zip(years, months, strict=True)
        ]
        after = (ids) // 12 + 1980, ids % 12 + 1
        nexts = [day_number(dt.date(int(y), int(m), 1)) for y, m in zip(*after, strict=True)]
        first_day = np.array(firsts, dtype=np.int64)
        return cls(
            year=years,
            month=months,
            month_id=ids,
            first_day=first_day,
            days=np.array(nexts, dtype=np.int64) - first_day,
        )

    def __len__(self) -> int:
        return len(self.month_id)

    @property
    def last_day(self) -> int:
        """Day number of the last day of the window."""
        return int(self.first_day[-1] + self.days[-1] - 1)

    def index_of(self, text: str) -> int:
        """Return the position of "YYYY-MM" relative to the first month (may be outside)."""
        year, month = parse_month(text)
        return month_id(year, month) - int(self.month_id[0])
