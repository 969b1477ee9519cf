"""STIX 2.1 validation through one function, so the node's validator module can replace it.

Uses stix2-validator (pinned to 3.2.0: 3.3.1 ships without its JSON schemas).
"""

from __future__ import annotations

from typing import Any


def validate_stix(obj: dict[str, Any]) -> list[str]:
    """The problems stix2-validator finds in one object (empty when it is valid STIX 2.1)."""
    from stix2validator import ValidationOptions, validate_instance

    try:
        result = validate_instance(obj, ValidationOptions(version="2.1"))
    except Exception as err:  # the validator raises its own errors for malformed input
        return [f"{type(err).__name__}: {err}"]
    return [str(error) for error in result.errors]
