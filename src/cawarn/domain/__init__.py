"""The domain model: frozen dataclasses and enums, standard library only."""

from cawarn.domain.errors import CawarnError, ConfigError, InputError, NotFoundError, StoreError
from cawarn.domain.events import (
    VIOLENT_CATEGORIES,
    Category,
    DatePrecision,
    Event,
    GeoPrecision,
    Marking,
    QuarantinedRow,
)
from cawarn.domain.geography import AdminUnit, BoundarySource

__all__ = [
    "VIOLENT_CATEGORIES",
    "AdminUnit",
    "BoundarySource",
    "Category",
    "CawarnError",
    "ConfigError",
    "DatePrecision",
    "Event",
    "GeoPrecision",
    "InputError",
    "Marking",
    "NotFoundError",
    "QuarantinedRow",
    "StoreError",
]
