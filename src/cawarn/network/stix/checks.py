"""Checks of a set of STIX objects that stix2-validator does not make.

References that point nowhere (neither in the set, nor a TLP 2.0 marking, nor an id the caller
knows), marking ids that are not TLP 2.0 nor defined in the set, extensions nobody defined, and a
missing ``created_by_ref`` (only OASIS's TLP marking definitions are published without one).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cawarn.network.stix.extension import KNOWN_EXTENSIONS
from cawarn.network.stix.markings import MARKINGS_BY_ID, TLP_EXTENSION_ID


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong with one object (``object_id`` None when the object has no usable id)."""

    object_id: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.object_id or 'an object without id'}: {self.message}"


def _references(value: Any, name: str = "") -> Iterator[tuple[str, str]]:
    """Every (property, id) of a ``*_ref``/``*_refs`` property, nested ones included."""
    if isinstance(value, dict):  # parsed JSON: dict is much faster to test than Mapping
        for key, item in value.items():
            if key == "extensions":
                for ext in item.values() if isinstance(item, dict) else ():
                    yield from _references(ext)
            else:
                yield from _references(item, key)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item, name)
    elif isinstance(value, str) and (name.endswith("_ref") or name.endswith("_refs")):
        yield name, value


def own_checks(
    objects: Sequence[Mapping[str, Any]], *, known_ids: Collection[str] = ()
) -> list[Problem]:
    """Problems of references, markings, extensions and authorship within ``objects``."""
    present = {obj.get("id") for obj in objects if isinstance(obj, Mapping)}
    defined_markings = {i for i in present if isinstance(i, str) and i.startswith("marking-")}
    known_markings = MARKINGS_BY_ID.keys() | defined_markings
    known_extensions = (
        KNOWN_EXTENSIONS
        | {TLP_EXTENSION_ID}
        | {i for i in present if isinstance(i, str) and i.startswith("extension-definition--")}
    )
    problems: list[Problem] = []
    for obj in objects:
        if not isinstance(obj, Mapping):
            problems.append(Problem(None, f"is a {type(obj).__name__}, not a JSON object"))
            continue
        oid = obj.get("id") if isinstance(obj.get("id"), str) else None
        if oid not in MARKINGS_BY_ID and not obj.get("created_by_ref"):
            problems.append(Problem(oid, "has no created_by_ref, so nobody vouches for it"))
        for name, ref in _references(obj):
            if name in {"object_marking_refs", "marking_ref"}:
                if ref not in known_markings:
                    problems.append(
                        Problem(
                            oid,
                            f"{name} names {ref}, which is neither a TLP 2.0 marking nor a "
                            "marking definition in the same set",
                        )
                    )
            elif ref not in present and ref not in known_ids and ref not in MARKINGS_BY_ID:
                problems.append(
                    Problem(oid, f"{name} points to {ref}, which is not among the objects sent")
                )
        extensions = obj.get("extensions")
        if isinstance(extensions, Mapping):
            for key in extensions:
                if key.startswith("extension-definition--") and key not in known_extensions:
                    problems.append(
                        Problem(oid, f"uses extension {key}, which nobody here defines")
                    )
    return problems
