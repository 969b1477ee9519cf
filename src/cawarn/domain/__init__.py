"""The domain model: frozen dataclasses and enums, standard library only."""

from cawarn.domain.errors import CawarnError, ConfigError, InputError, NotFoundError, StoreError
from cawarn.domain.events import (
    SYNTHETIC_PREFIX,
    VIOLENT_CATEGORIES,
    Category,
    DatePrecision,
    Event,
    GeoPrecision,
    Marking,
    QuarantinedRow,
    is_synthetic_source,
)
from cawarn.domain.geography import AdminUnit, BoundarySource

__all__ = [
    "SYNTHETIC_PREFIX",
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
    "is_synthetic_source",
]
