"""STIX 2.1 validation of received objects: one long-lived validator, so its cache of shapes
already found valid serves every POST and every pulled page (see cawarn.network.stix.validate)."""

from __future__ import annotations

from functools import cache
from typing import Any

from cawarn.network.stix.validate import Validator


@cache
def _shared() -> Validator:
    return Validator()


def validate_stix(obj: dict[str, Any]) -> list[str]:
    """The problems stix2-validator 3.2.0 finds in one object (empty when it is valid STIX 2.1)."""
    return _shared().problems(obj)
