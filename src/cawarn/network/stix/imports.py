"""A STIX incident (with its location and extensions) back to an event of the common schema.

Imported events get source ``stix`` and the incident id as their source_event_id, so their uid is
the incident's own UUID (see cawarn.ingest.records.event_uid) and re-sharing keeps the id. Where
the event first came from (its source, its source id, the identity that created the incident) is
kept in ``source_fields`` as provenance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from cawarn.domain import Category, DatePrecision, Event, GeoPrecision
from cawarn.network.stix.extension import EVENT_EXTENSION_ID
from cawarn.network.stix.locations import alpha3, precision_of
from cawarn.network.stix.markings import marking_of

SOURCE = "stix"


class MappingError(ValueError):
    """An incident that cannot become an event; the message says why, in one sentence."""


def _choice(enum: Any, value: Any, what: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        known = ", ".join(member.value for member in enum)
        raise MappingError(f"{what} {value!r} is not one of {known}") from None


def _date(value: Any, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise MappingError(f"{what} {value!r} is not a date (YYYY-MM-DD)") from None


def _count(ext: Mapping[str, Any], name: str) -> int | None:
    value = ext.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise MappingError(f"{name} {value!r} is not a whole number of 0 or more")
    return value


def _place(
    location: Mapping[str, Any] | None,
) -> tuple[float | None, float | None, str, str | None]:
    if location is None:
        raise MappingError("the incident has no located-at relationship to a location")
    code = location.get("country")
    iso3 = alpha3(code) if isinstance(code, str) else None
    if iso3 is None:
        raise MappingError(f"its location's country {code!r} is not an ISO 3166-1 alpha-2 code")
    lat, lon = location.get("latitude"), location.get("longitude")
    if (lat is None) != (lon is None):
        raise MappingError("its location has a latitude or a longitude but not both")
    admin1 = location.get("administrative_area")
    return (
        None if lat is None else float(lat),
        None if lon is None else float(lon),
        iso3,
        str(admin1) if admin1 else None,
    )


def _reference_text(incident: Mapping[str, Any]) -> str | None:
    for reference in incident.get("external_references", []):
        if isinstance(reference, Mapping) and "description" in reference:
            return str(reference["description"])
    return None


def incident_event(incident: Mapping[str, Any], location: Mapping[str, Any] | None) -> Event:
    """The event an incident describes; raises MappingError naming what is missing or wrong."""
    ext = incident.get("extensions", {}).get(EVENT_EXTENSION_ID)
    if not isinstance(ext, Mapping):
        raise MappingError(
            f"the incident carries no cawarn event extension ({EVENT_EXTENSION_ID}), so its "
            "category, dates and fatalities are unknown"
        )
    marking = marking_of(incident.get("object_marking_refs", []))
    if marking is None:
        raise MappingError("the incident has no TLP 2.0 marking in object_marking_refs")
    latitude, longitude, country, admin1 = _place(location)
    geo = _choice(GeoPrecision, ext.get("geo_precision"), "geo_precision")
    if location is not None and location.get("precision") is not None:
        stated = precision_of(float(location["precision"]))
        if stated is not None and stated != geo:
            raise MappingError(
                f"the location's precision ({location['precision']} m) says {stated}, the "
                f"extension says {geo}"
            )
    start = _date(ext.get("date_start"), "date_start")
    end = _date(ext.get("date_end"), "date_end")
    if end < start:
        raise MappingError(f"date_end {end} is before date_start {start}")
    best, low, high = (
        _count(ext, n) for n in ("fatalities_best", "fatalities_low", "fatalities_high")
    )
    incident_id = str(incident["id"])
    origin = incident.get("created_by_ref")
    return Event(
        source=SOURCE,
        source_event_id=incident_id,
        date_start=start,
        date_end=end,
        date_precision=_choice(DatePrecision, ext.get("date_precision"), "date_precision"),
        latitude=latitude,
        longitude=longitude,
        geo_precision=geo,
        country=country,
        category=_choice(Category, ext.get("category"), "category"),
        fatalities_best=best,
        fatalities_low=low,
        fatalities_high=high,
        actor1=ext.get("actor1"),
        actor2=ext.get("actor2"),
        summary=incident.get("description"),
        source_ref=f"STIX {incident_id} by {origin}, modified {incident.get('modified')}",
        source_version=None,
        source_dataset=SOURCE,
        source_fields={
            "created_by_ref": origin,
            "created": incident.get("created"),
            "modified": incident.get("modified"),
            "origin_source": ext.get("source"),
            "origin_source_event_id": ext.get("source_event_id"),
            "origin_source_ref": _reference_text(incident),
        },
        admin1=admin1,
        marking=marking,
    )
