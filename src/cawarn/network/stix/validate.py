"""Validation of STIX objects: stix2-validator 3.2.0 (the OASIS validator) plus cawarn's checks.

The OASIS validator spends ~15 ms on one object, nearly all of it in JSON-Schema validation, which
would make 100,000 objects take half an hour. Schema validity depends on an object's structure and
on the *kind* of each value (a well-formed timestamp or id, a vocabulary word, a number within its
range), not on free text. So objects are grouped by that *shape*: the first object of a shape gets
the full validator; later objects of a shape that passed get only the validator's value checks
that depend on exact values (timestamps' calendar sense and order, language codes, circular and
selector markings); objects of a shape that failed get the full validator each, so every message
names its own object. Types cawarn does not produce (indicators, observables...) always get the
full validator. Validator warnings (SHOULDs, such as UUIDv4 for SDO ids, which deterministic ids
cannot follow) are not problems.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any

from cawarn.network.stix.checks import Problem, own_checks

#: The types cawarn maps; only these are validated by shape.
SHAPED_TYPES = frozenset(
    {
        "identity",
        "location",
        "incident",
        "relationship",
        "sighting",
        "report",
        "note",
        "opinion",
        "marking-definition",
        "extension-definition",
    }
)
#: Properties whose value is free text: any non-empty string is the same kind.
FREE_TEXT = frozenset(
    {
        "name",
        "description",
        "content",
        "abstract",
        "explanation",
        "external_id",
        "source_name",
        "url",
        "administrative_area",
        "city",
        "street_address",
        "postal_code",
        "contact_information",
        "schema",
        "version",
        "aliases",
        "labels",
        "authors",
        "roles",
        "statement",
    }
)
#: Numeric properties with limits in the STIX schemas.
BOUNDS = {
    "latitude": (-90.0, 90.0),
    "longitude": (-180.0, 180.0),
    "precision": (0.0, float("inf")),
    "confidence": (0, 100),
    "count": (0, 999_999_999),
}
_TIMESTAMP = re.compile(
    r"^[0-9]{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):([0-5][0-9]):"
    r"([0-5][0-9]|60)(\.[0-9]+)?Z$"
)
_IDENTIFIER = re.compile(
    r"^([a-z][a-z0-9-]+[a-z0-9])--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-"
    r"[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$"
)


def _kind(key: str, value: Any, free: bool) -> Any:
    """What of ``value`` the schemas can see: its kind, not its free text."""
    if isinstance(value, dict):  # parsed JSON: dict is much faster to test than Mapping
        inner = free or key == "extensions"
        return (
            "{",
            tuple(
                sorted((k, _kind(k, v, inner and k != "extension_type")) for k, v in value.items())
            ),
        )
    if isinstance(value, list):
        kinds = [_kind(key, item, free) for item in value]
        return (
            "[",
            len(kinds) == 0,
            len(set(map(repr, kinds))) < len(kinds),
            tuple(sorted(set(map(repr, kinds)))),
        )
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        low, high = BOUNDS.get(key, (None, None))
        inside = low is None or (low <= value <= high)  # type: ignore[operator]
        return ("#", type(value).__name__, value < 0, inside)
    if isinstance(value, str):
        if _TIMESTAMP.match(value):
            return "<ts>"
        match = _IDENTIFIER.match(value)
        if match:
            return "<id:" + match.group(1) + ">"
        if free or key in FREE_TEXT:
            return "<text>" if value else "<empty>"
        return value
    return repr(type(value))


def shape(obj: Mapping[str, Any]) -> Any:
    """The key under which objects validate alike (see the module's docstring)."""
    return _kind("", obj, False)


class Validator:
    """stix2-validator 3.2.0 with a cache of shapes already found valid; reuse it across calls."""

    def __init__(self) -> None:
        from stix2validator import ValidationOptions
        from stix2validator.v21 import enums, musts

        self.options = ValidationOptions(version="2.1", strict=False)
        self.valid_shapes: set[Any] = set()
        self.invalid_shapes: set[Any] = set()
        # The validator's checks that read exact values, run on every object of a known shape.
        self.timestamp_properties: dict[str, tuple[str, ...]] = {
            kind: ("created", "modified", *props)
            for kind, props in enums.TIMESTAMP_PROPERTIES.items()
        }
        self.value_checks = (
            self._timestamps,
            musts.timestamp_compare,
            musts.object_marking_circular_refs,
            musts.granular_markings_circular_refs,
            musts.marking_selector_syntax,
            musts.language,
        )
        self.full_runs = 0

    def _full(self, obj: Mapping[str, Any]) -> list[str]:
        from stix2validator import ValidationError, validate_instance

        self.full_runs += 1
        try:
            result = validate_instance(dict(obj), self.options)
        except ValidationError as err:
            return [str(err)]
        return [_message(error, str(obj.get("id"))) for error in result.errors]

    def _timestamps(self, obj: Mapping[str, Any]) -> Iterator[str]:
        """The validator's calendar check of timestamps (its dateutil parse is 20 times slower)."""
        names = self.timestamp_properties.get(str(obj.get("type")), ("created", "modified"))
        for name in names:
            value = obj.get(name)
            if not isinstance(value, str) or _TIMESTAMP.match(value) is None:
                continue  # the schema judges the form
            try:
                dt.datetime(
                    int(value[0:4]),
                    int(value[5:7]),
                    int(value[8:10]),
                    int(value[11:13]),
                    int(value[14:16]),
                    int(value[17:19]),
                )
            except ValueError as err:
                yield f"'{name}': '{value}' is not a valid timestamp: {err}"

    def _values(self, obj: Mapping[str, Any]) -> Iterator[str]:
        for check in self.value_checks:
            for error in check(obj):
                yield _message(error, str(obj.get("id")))

    def problems(self, obj: Mapping[str, Any]) -> list[str]:
        """The validator's errors for one object (no warnings)."""
        if obj.get("type") not in SHAPED_TYPES:
            return self._full(obj)
        key = shape(obj)
        if key in self.valid_shapes:
            return list(self._values(obj))
        if key in self.invalid_shapes:
            return self._full(obj)
        found = self._full(obj)
        (self.invalid_shapes if found else self.valid_shapes).add(key)
        return found


def _message(error: Any, object_id: str) -> str:
    """The error's text without the object id the validator puts in front."""
    return str(getattr(error, "message", error)).removeprefix(f"{object_id}: ")


def validate_objects(
    objects: Sequence[Mapping[str, Any]],
    *,
    known_ids: Collection[str] = (),
    validator: Validator | None = None,
) -> list[Problem]:
    """Every problem of ``objects`` taken together: the OASIS validator's errors for each object,
    then references, markings, extensions and authorship (cawarn's own checks).

    ``known_ids`` are ids the receiver already holds (identities of peers, earlier objects), which
    objects may refer to without carrying them. Pass a long-lived ``validator`` to keep its cache.
    """
    check = validator or Validator()
    problems: list[Problem] = []
    for obj in objects:
        if not isinstance(obj, Mapping) or not isinstance(obj.get("id"), str):
            continue  # own_checks names it
        problems.extend(Problem(obj["id"], text) for text in check.problems(obj))
    problems.extend(own_checks(objects, known_ids=known_ids))
    return problems
