"""Events at a place and a date: the common schema every source is mapped to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Category(StrEnum):
    """What kind of event this is; protest is never violence."""

    ARMED_CLASH = "armed_clash"
    EXPLOSION_REMOTE_VIOLENCE = "explosion_remote_violence"
    ATTACK_ON_CIVILIANS = "attack_on_civilians"
    RIOT = "riot"
    PROTEST = "protest"
    STRATEGIC_DEVELOPMENT = "strategic_development"


#: Sources whose name starts with this are simulated scenarios, never real events.
SYNTHETIC_PREFIX = "synthetic:"


def is_synthetic_source(source: str) -> bool:
    """Whether events of this source are simulated."""
    return source.startswith(SYNTHETIC_PREFIX)


#: Categories that may feed violence indicators, forecast targets and alerts (principle 2).
VIOLENT_CATEGORIES = frozenset(
    {Category.ARMED_CLASH, Category.EXPLOSION_REMOTE_VIOLENCE, Category.ATTACK_ON_CIVILIANS}
)


class DatePrecision(StrEnum):
    """How exactly the source knows when the event happened."""

    DAY = "day"
    DAYS = "days"  # a range of two to six days
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


class GeoPrecision(StrEnum):
    """How exactly the source knows where the event happened."""

    EXACT = "exact"  # the named place itself
    NEAR = "near"  # within about 25 km of the place
    ADMIN2 = "admin2"  # only the second-order administrative unit
    ADMIN1 = "admin1"  # only the first-order administrative unit
    REGION = "region"  # a part of the country larger than one admin-1 unit
    COUNTRY = "country"
    WATERS = "international_waters"

    @property
    def locates_admin1(self) -> bool:
        """Whether the coordinates are precise enough to name an admin-1 unit."""
        return self in {self.EXACT, self.NEAR, self.ADMIN2, self.ADMIN1}


class Marking(StrEnum):
    """Traffic Light Protocol 2.0 markings."""

    CLEAR = "TLP:CLEAR"
    GREEN = "TLP:GREEN"
    AMBER = "TLP:AMBER"
    AMBER_STRICT = "TLP:AMBER+STRICT"
    RED = "TLP:RED"


@dataclass(frozen=True, slots=True)
class Event:
    """One revision of one event of one source, mapped to the common schema."""

    source: str
    source_event_id: str
    date_start: dt.date
    date_end: dt.date
    date_precision: DatePrecision
    latitude: float | None
    longitude: float | None
    geo_precision: GeoPrecision
    country: str  # ISO 3166-1 alpha-3
    category: Category
    fatalities_best: int | None
    fatalities_low: int | None
    fatalities_high: int | None
    actor1: str | None = None
    actor2: str | None = None
    summary: str | None = None
    source_ref: str | None = None
    source_version: str | None = None
    source_dataset: str | None = None  # e.g. "ged" (final) or "candidate"
    source_fields: dict[str, Any] = field(default_factory=dict)
    admin1: str | None = None
    priogrid_gid: int | None = None
    marking: Marking = Marking.CLEAR


@dataclass(frozen=True, slots=True)
class QuarantinedRow:
    """An input row that was rejected, with the reason a person can act on."""

    row_number: int
    reason: str
    raw: dict[str, Any]
    source_event_id: str | None = None
