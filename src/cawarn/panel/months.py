"""Months as ViEWS numbers them: ``month_id = (year - 1980) * 12 + month`` (121 is 1990-01)."""

from __future__ import annotations

import datetime as dt
import re

from cawarn.domain import InputError

_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def month_id(year: int, month: int) -> int:
    """The ViEWS month number of a year and month."""
    return (year - 1980) * 12 + month


def month_of(day: dt.date) -> int:
    """The ViEWS month number of the month a day falls in."""
    return month_id(day.year, day.month)


def year_month(mid: int) -> tuple[int, int]:
    """The (year, month) of a ViEWS month number."""
    year, month0 = divmod(mid - 1, 12)
    return 1980 + year, month0 + 1


def label(mid: int) -> str:
    """A month number written as YYYY-MM."""
    year, month = year_month(mid)
    return f"{year:04d}-{month:02d}"


def parse_month(value: str | int | None, *, what: str = "month") -> int | None:
    """A month given as YYYY-MM (or as a month_id number) as its month_id; None stays None."""
    if value is None:
        return None
    if isinstance(value, int):
        if value < 1:
            raise InputError(f"{what} {value} is not a month_id; month_id 1 is 1980-01.")
        return value
    match = _YEAR_MONTH.match(value.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise InputError(f"{what} {value!r} is not a month; write it as YYYY-MM, e.g. 2019-06.")
    return month_id(int(match.group(1)), int(match.group(2)))
