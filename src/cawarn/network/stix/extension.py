"""cawarn's STIX extension definition: what the common schema adds to incidents and identities.

One property-extension, published by the cawarn project identity so that every node emits the same
bytes for it. On an ``incident`` it carries the event's category (the six cawarn categories),
fatalities best/low/high, dates and their precision, geo precision, and the source and the
source's own id. On an ``identity`` it carries the organisation's code.
"""

from __future__ import annotations

from typing import Any

from cawarn.domain import Category, DatePrecision, GeoPrecision
from cawarn.network.stix.ids import PROJECT_IDENTITY_ID

#: Fixed forever (uuid5 of CAWARN_NS, "extension:event"): nodes recognise cawarn's properties by it.
EVENT_EXTENSION_ID = "extension-definition--daf1c407-454e-573d-9c01-142e442788d1"
#: The OASIS incident-core extension (oasis-open/cti-stix-common-objects, incident-core/).
INCIDENT_CORE_ID = "extension-definition--ef765651-680c-498d-9894-99799f2fa126"
EXTENSION_CREATED = "2026-11-01T00:00:00.000Z"
EXTENSION_VERSION = "1.0.0"

#: Extension definitions every cawarn node knows without finding them in a bundle.
KNOWN_EXTENSIONS = frozenset({EVENT_EXTENSION_ID, INCIDENT_CORE_ID})

_SCHEMA = (
    "cawarn event extension, version 1.0.0 (docs/stix.md, 'STIX 2.1 mapping'). "
    "On incident: category (one of "
    + ", ".join(c.value for c in Category)
    + "); date_start, date_end (YYYY-MM-DD); date_precision (one of "
    + ", ".join(p.value for p in DatePrecision)
    + "); geo_precision (one of "
    + ", ".join(p.value for p in GeoPrecision)
    + "); fatalities_best, fatalities_low, fatalities_high (integers >= 0, absent when "
    "unknown); source, source_event_id (the originating source and its own id). "
    "On identity: organisation (the organisation's code; the identity id is "
    "identity--uuid5(6f1d3c5e-8a59-4b8e-9a1f-2c7c3b0e5d41, 'org:' + code))."
)


def project_identity() -> dict[str, Any]:
    """The identity that publishes cawarn's extension definition."""
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": PROJECT_IDENTITY_ID,
        "created_by_ref": PROJECT_IDENTITY_ID,
        "created": EXTENSION_CREATED,
        "modified": EXTENSION_CREATED,
        "name": "cawarn project",
        "identity_class": "organization",
    }


def extension_definition() -> dict[str, Any]:
    """The extension-definition object of cawarn's event extension."""
    return {
        "type": "extension-definition",
        "spec_version": "2.1",
        "id": EVENT_EXTENSION_ID,
        "created_by_ref": PROJECT_IDENTITY_ID,
        "created": EXTENSION_CREATED,
        "modified": EXTENSION_CREATED,
        "name": "cawarn event",
        "description": "Political-violence event fields of the cawarn common schema.",
        "schema": _SCHEMA,
        "version": EXTENSION_VERSION,
        "extension_types": ["property-extension"],
    }
