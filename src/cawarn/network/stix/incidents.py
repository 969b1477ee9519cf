"""An event of the store as STIX: incident, location and the relationship between them.

Everything comes from the stored event (``created``/``modified`` included): no clock is read, so
the same event maps to the same bytes on every call and on every node.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from cawarn.domain import VIOLENT_CATEGORIES, Category, GeoPrecision, Marking
from cawarn.network.stix.extension import (
    EVENT_EXTENSION_ID,
    EXTENSION_CREATED,
    INCIDENT_CORE_ID,
)
from cawarn.network.stix.ids import (
    derived_id,
    identity_id,
    incident_id,
    location_id,
    parse_timestamp,
    timestamp,
)
from cawarn.network.stix.locations import location_properties
from cawarn.network.stix.markings import marking_ref

#: Columns of the store an event needs to be mapped (``created``/``modified`` added by the query).
EVENT_FIELDS = (
    "uid",
    "source",
    "source_event_id",
    "date_start",
    "date_end",
    "date_precision",
    "latitude",
    "longitude",
    "geo_precision",
    "country",
    "admin1",
    "category",
    "actor1",
    "actor2",
    "fatalities_best",
    "fatalities_low",
    "fatalities_high",
    "summary",
    "source_ref",
    "marking",
    "owner_org",
    "created",
    "modified",
)

_FATALITIES = ("fatalities_best", "fatalities_low", "fatalities_high")


def _date(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def incident_name(event: Mapping[str, Any]) -> str:
    """A short title: what, where, when (no names: the summary goes to the description)."""
    what = str(event["category"]).replace("_", " ").capitalize()
    place = event["admin1"] or event["country"]
    return f"{what}, {place}, {_date(event['date_start'])}"


def determination(category: Category) -> str:
    """The incident-core ``determination``: violence happened; other categories are low-value.

    Protest and strategic developments are recorded as what they are, never as attacks.
    """
    return "successful-attempt" if category in VIOLENT_CATEGORIES else "low-value"


def event_extension(event: Mapping[str, Any]) -> dict[str, Any]:
    """cawarn's property extension on an incident."""
    ext: dict[str, Any] = {
        "extension_type": "property-extension",
        "category": str(event["category"]),
        "date_start": _date(event["date_start"]),
        "date_end": _date(event["date_end"]),
        "date_precision": str(event["date_precision"]),
        "geo_precision": str(event["geo_precision"]),
        "source": str(event["source"]),
        "source_event_id": str(event["source_event_id"]),
    }
    for name in _FATALITIES:
        if event[name] is not None:
            ext[name] = int(event[name])
    for name in ("actor1", "actor2"):
        if event[name]:
            ext[name] = str(event[name])
    return ext


def as_received(event: Mapping[str, Any]) -> dict[str, Any]:
    """An event imported from STIX as its origin described it, so a re-share is the same object.

    Events of other sources are returned unchanged.
    """
    fields = event.get("source_fields")
    if event["source"] != "stix" or not isinstance(fields, Mapping):
        return dict(event)
    origin = dict(event)
    if fields.get("origin_source") and fields.get("origin_source_event_id"):
        origin["source"] = fields["origin_source"]
        origin["source_event_id"] = fields["origin_source_event_id"]
        origin["source_ref"] = fields.get("origin_source_ref")
    for name in ("created", "modified"):
        if isinstance(fields.get(name), str):
            origin[name] = parse_timestamp(fields[name])
    return origin


def event_objects(event: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The incident, its location and the located-at relationship for one stored event.

    ``event`` holds :data:`EVENT_FIELDS`; ``created`` and ``modified`` are datetimes from the
    store (the first revision's creation and the current revision's update). An event imported
    from STIX is mapped as its origin described it (see :func:`as_received`).
    """
    event = as_received(event)
    marking = Marking(event["marking"])
    markings = [marking_ref(marking)]
    author = identity_id(str(event["owner_org"]))
    created = timestamp(event["created"])
    modified = timestamp(event["modified"])
    category = Category(event["category"])
    incident: dict[str, Any] = {
        "type": "incident",
        "spec_version": "2.1",
        "id": incident_id(str(event["uid"])),
        "created_by_ref": author,
        "created": created,
        "modified": modified,
        "name": incident_name(event),
    }
    if event["summary"]:
        incident["description"] = str(event["summary"])
    reference: dict[str, Any] = {
        "source_name": str(event["source"]),
        "external_id": str(event["source_event_id"]),
    }
    if event["source_ref"]:
        reference["description"] = str(event["source_ref"])
    incident["external_references"] = [reference]
    incident["object_marking_refs"] = markings
    incident["extensions"] = {
        INCIDENT_CORE_ID: {
            "extension_type": "property-extension",
            "determination": determination(category),
            "investigation_status": "closed",
        },
        EVENT_EXTENSION_ID: event_extension(event),
    }
    place = location_properties(
        latitude=event["latitude"],
        longitude=event["longitude"],
        geo_precision=GeoPrecision(event["geo_precision"]),
        country=str(event["country"]),
        admin1=event["admin1"],
    )
    # A location is shared by every event at the same place with the same owner and marking; it
    # never changes, so its times are fixed rather than any one event's.
    location = {
        "type": "location",
        "spec_version": "2.1",
        "id": location_id({**place, "owner": author, "marking": marking.value}),
        "created_by_ref": author,
        "created": EXTENSION_CREATED,
        "modified": EXTENSION_CREATED,
        **place,
        "object_marking_refs": markings,
    }
    relationship = {
        "type": "relationship",
        "spec_version": "2.1",
        "id": derived_id("relationship", incident["id"], "located-at", location["id"]),
        "created_by_ref": author,
        "created": created,
        "modified": modified,
        "relationship_type": "located-at",
        "source_ref": incident["id"],
        "target_ref": location["id"],
        "object_marking_refs": markings,
    }
    return [incident, location, relationship]
