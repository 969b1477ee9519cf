"""STIX bundles: deterministic assembly and bytes, and reading one from a file."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cawarn.domain import InputError
from cawarn.network.stix.ids import CAWARN_NS

#: Order of types in a bundle: what others refer to comes first.
TYPE_ORDER = (
    "marking-definition",
    "extension-definition",
    "identity",
    "location",
    "incident",
    "relationship",
    "sighting",
    "report",
    "opinion",
    "note",
)


def _order(obj: Mapping[str, Any]) -> tuple[int, str, str]:
    kind = str(obj.get("type"))
    rank = TYPE_ORDER.index(kind) if kind in TYPE_ORDER else len(TYPE_ORDER)
    return rank, str(obj.get("id")), str(obj.get("modified", obj.get("created", "")))


def make_bundle(objects: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """A bundle of ``objects`` (repeats of one id and version once), ordered, with an id derived
    from its content so the same objects always make the same bundle."""
    unique: dict[tuple[str, str], Mapping[str, Any]] = {}
    for obj in objects:
        unique.setdefault((str(obj["id"]), str(obj.get("modified", ""))), obj)
    ordered = sorted(unique.values(), key=_order)
    digest = "|".join(f"{key[0]}@{key[1]}" for key in sorted(unique))
    return {
        "type": "bundle",
        "id": f"bundle--{uuid.uuid5(CAWARN_NS, 'bundle:' + digest)}",
        "objects": [dict(obj) for obj in ordered],
    }


def dumps(value: Any) -> str:
    """JSON text with sorted keys, the same bytes for the same content."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def read_bundle(path: Path) -> list[dict[str, Any]]:
    """The objects of a STIX bundle file (a bare JSON list of objects is accepted too)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path} does not exist.") from None
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise InputError(f"{path} cannot be read as JSON ({err}).") from None
    if isinstance(data, Mapping) and data.get("type") == "bundle":
        data = data.get("objects", [])
    if not isinstance(data, list):
        raise InputError(f"{path} is neither a STIX bundle nor a list of STIX objects.")
    return data
