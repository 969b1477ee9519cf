"""A STIX 2.1 bundle as rows of the ingest pipeline: one row per incident, mapped to an event.

The bundle is validated as a whole first (stix2-validator and cawarn's own checks); an incident
with a problem (its own, or its location's or located-at relationship's) becomes a quarantined
row with that reason, and so does any other object with a problem, so nothing is dropped without
a record. Objects that are not events (identities, markings, reports...) are counted, not stored
as events.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cawarn.domain import Event, InputError
from cawarn.network.stix.bundle import read_bundle
from cawarn.network.stix.identities import organisation_code
from cawarn.network.stix.imports import MappingError, incident_event
from cawarn.network.stix.validate import Validator, validate_objects


@dataclass(frozen=True, slots=True)
class StixRow:
    """One row: its position in the bundle and its fields as text (for hashes and quarantine)."""

    number: int
    values: dict[str, str]


@dataclass
class StixInput:
    """A read and validated bundle: its rows, the event or reason of each, and what was skipped."""

    location: str
    sha256: str
    size: int
    rows: list[StixRow] = field(default_factory=list)
    mapped: dict[int, Event | str] = field(default_factory=dict)
    owners: dict[int, str] = field(default_factory=dict)
    held: int = 0  # incidents of events this node already holds under another source
    other_objects: int = 0  # objects that are not events (identities, markings, reports...)


def _text(obj: Mapping[str, Any] | None) -> str:
    return "" if obj is None else json.dumps(obj, ensure_ascii=False, sort_keys=True)


def read_stix_bundle(
    path: Path,
    *,
    organisations: Mapping[str, str],
    known_ids: Collection[str] = (),
    held: Callable[[Collection[str]], Collection[str]] | None = None,
    validator: Validator | None = None,
) -> StixInput:
    """Read, validate and map a bundle file.

    ``organisations`` maps the identity id of each organisation this node knows to its code;
    ``known_ids`` are ids objects may refer to without carrying them; ``held`` answers which of the
    incidents' UUIDs are events this node already holds (its own, coming back): those are skipped.
    """
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"{path} cannot be read ({err.strerror}).") from None
    objects = read_bundle(path)
    result = StixInput(str(path), hashlib.sha256(data).hexdigest(), len(data))
    by_id = {obj["id"]: obj for obj in objects if isinstance(obj, dict) and "id" in obj}
    identities = dict(organisations)
    for obj in by_id.values():
        if obj.get("type") == "identity":
            code = organisation_code(obj)
            if code is not None:
                identities.setdefault(obj["id"], code)
    uuids = {
        str(oid).removeprefix("incident--") for oid in by_id if str(oid).startswith("incident--")
    }
    held_uids = set(held(uuids)) if held is not None and uuids else set()
    problems: dict[str | None, list[str]] = defaultdict(list)
    for problem in validate_objects(
        objects, known_ids={*known_ids, *identities}, validator=validator
    ):
        problems[problem.object_id].append(problem.message)
    located: dict[str, tuple[str, str]] = {}
    for obj in by_id.values():
        if obj.get("type") == "relationship" and obj.get("relationship_type") == "located-at":
            source = str(obj.get("source_ref", ""))
            if source.startswith("incident--"):
                located.setdefault(source, (str(obj["id"]), str(obj.get("target_ref", ""))))
    covered: set[str | None] = set()
    for number, obj in enumerate(objects, start=1):
        if not isinstance(obj, dict) or obj.get("type") != "incident":
            continue
        incident_id = str(obj.get("id"))
        relationship_id, location_id = located.get(incident_id, ("", ""))
        location = by_id.get(location_id)
        covered.update({incident_id, relationship_id, location_id})
        if incident_id.removeprefix("incident--") in held_uids:
            result.held += 1
            continue
        reasons = [
            f"{oid}: {message}"
            for oid in (incident_id, relationship_id, location_id)
            for message in problems.get(oid, [])
        ]
        owner = identities.get(str(obj.get("created_by_ref")))
        if not reasons and owner is None:
            reasons.append(
                f"created_by_ref {obj.get('created_by_ref')} names no organisation this node "
                "knows, and the bundle carries no cawarn identity for it"
            )
        mapped: Event | str
        if reasons:
            mapped = "; ".join(reasons)
        else:
            try:
                mapped = incident_event(obj, location)
            except MappingError as err:
                mapped = f"{incident_id}: {err}"
        values = {"id": incident_id, "incident": _text(obj), "location": _text(location)}
        result.rows.append(StixRow(number, values))
        result.mapped[number] = mapped
        if owner is not None:
            result.owners[number] = owner
    for number, obj in enumerate(objects, start=1):
        oid = obj.get("id") if isinstance(obj, dict) else None
        if oid in covered or (isinstance(obj, dict) and obj.get("type") == "incident"):
            continue
        if oid in problems or (oid is None and problems.get(None)):
            reason = "; ".join(problems.get(oid, []) or problems.get(None, []))
            values = {
                "id": str(oid or f"object-{number}"),
                "incident": _text(obj if isinstance(obj, dict) else {"value": obj}),
                "location": "",
            }
            result.rows.append(StixRow(number, values))
            result.mapped[number] = f"{oid or 'object ' + str(number)}: {reason}"
        else:
            result.other_objects += 1
    result.rows.sort(key=lambda row: row.number)
    return result
