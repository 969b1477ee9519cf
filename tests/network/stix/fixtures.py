"""Deterministic events and alerts for the STIX tests (fixed clock, fixed uids)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cawarn.domain import Marking
from cawarn.domain.alerts import Confidence
from cawarn.network.stix.assessments import SharedAlert, alert_objects
from cawarn.network.stix.extension import extension_definition, project_identity
from cawarn.network.stix.identities import node_identity, organisation_identity
from cawarn.network.stix.ids import incident_id
from cawarn.network.stix.incidents import event_objects
from cawarn.network.stix.markings import marking_definition

CREATED = dt.datetime(2026, 3, 1, 8, 0, 0, 123456, tzinfo=dt.UTC)
MODIFIED = dt.datetime(2026, 3, 2, 9, 30, 0, tzinfo=dt.UTC)
UID = "3f2b6c1e-9a4d-4e8f-b1c2-5d6e7f8a9b0c"


def stored_event(**overrides: Any) -> dict[str, Any]:
    """An event as the export query returns it."""
    event: dict[str, Any] = {
        "uid": UID,
        "source": "ucdp-ged",
        "source_event_id": "133925",
        "date_start": dt.date(2024, 3, 18),
        "date_end": dt.date(2024, 3, 19),
        "date_precision": "days",
        "latitude": 31.611795,
        "longitude": 65.705795,
        "geo_precision": "exact",
        "country": "AFG",
        "admin1": "AF-KAN",
        "category": "armed_clash",
        "actor1": "Government of Afghanistan",
        "actor2": "IS",
        "fatalities_best": 3,
        "fatalities_low": 1,
        "fatalities_high": 7,
        "summary": "State-based violence near Kandahar town",
        "source_ref": "UCDP GED 23.1, event 133925",
        "marking": "TLP:AMBER",
        "owner_org": "KGZ",
        "created": CREATED,
        "modified": MODIFIED,
    }
    event.update(overrides)
    return event


def shared_alert(**overrides: Any) -> SharedAlert:
    """An assessed, answered alert about the fixture's event."""
    values: dict[str, Any] = {
        "key": "AF-KAN|surge|2024-03",
        "severity": "high",
        "summary": "Surge of armed clashes in Kandahar",
        "org_code": "KGZ",
        "marking": Marking.AMBER,
        "created": CREATED,
        "modified": MODIFIED,
        "incident_ids": [incident_id(UID)],
        "first_seen": CREATED,
        "last_seen": MODIFIED,
        "assessment": "Clashes are likely to continue for weeks.",
        "confidence": Confidence.MODERATE,
        "assessed_at": MODIFIED,
        "response": "Border posts informed.",
        "responded_at": MODIFIED,
    }
    values.update(overrides)
    return SharedAlert(**values)


def every_object() -> list[dict[str, Any]]:
    """One of every object type cawarn writes, referring only to each other."""
    incident, location, relationship = event_objects(stored_event())
    sighting, *assessment = alert_objects(shared_alert(location_id=location["id"]))
    return [
        project_identity(),
        extension_definition(),
        *(marking_definition(m) for m in Marking),
        organisation_identity("KGZ", "Kyrgyz Republic", created=CREATED),
        node_identity("KGZ", "bishkek-1", created=CREATED),
        incident,
        location,
        relationship,
        sighting,
        *assessment,
    ]
