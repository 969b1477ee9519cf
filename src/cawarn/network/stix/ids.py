"""Deterministic STIX ids and timestamps: the same cawarn object has the same id on every node."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from typing import Any

#: Namespace of every cawarn STIX id derived with uuid5 (agreed between the network modules).
CAWARN_NS = uuid.UUID("6f1d3c5e-8a59-4b8e-9a1f-2c7c3b0e5d41")


def identity_id(org_code: str) -> str:
    """The STIX identity id of an organisation, from its code."""
    return f"identity--{uuid.uuid5(CAWARN_NS, 'org:' + org_code)}"


def node_identity_id(org_code: str, node_name: str) -> str:
    """The STIX identity id of one node (a system) of an organisation."""
    return f"identity--{uuid.uuid5(CAWARN_NS, f'node:{org_code}:{node_name}')}"


#: The identity that publishes cawarn's own extension definition: the same on every node.
PROJECT_IDENTITY_ID = f"identity--{uuid.uuid5(CAWARN_NS, 'project:cawarn')}"


def incident_id(event_uid: str) -> str:
    """The STIX incident id of an event: its uid, which is already a UUID."""
    return f"incident--{uuid.UUID(event_uid)}"


def event_uid_of(stix_incident_id: str) -> str:
    """The event uid an incident id carries (the inverse of :func:`incident_id`)."""
    return str(uuid.UUID(stix_incident_id.removeprefix("incident--")))


def location_id(key: Mapping[str, Any]) -> str:
    """The id of a location: uuid5 of everything it says (rounded coordinates, precision, country,
    admin-1) and of its owner and marking, so one id never names two different objects."""
    text = json.dumps(key, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f"location--{uuid.uuid5(CAWARN_NS, 'location:' + text)}"


def derived_id(stix_type: str, *parts: str) -> str:
    """An id of ``stix_type`` derived from the ids or keys it depends on (relationships, notes)."""
    return f"{stix_type}--{uuid.uuid5(CAWARN_NS, stix_type + ':' + '|'.join(parts))}"


def timestamp(value: dt.datetime) -> str:
    """A STIX timestamp (UTC, millisecond precision, ``Z``); a naive value is taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse_timestamp(text: str) -> dt.datetime:
    """A STIX timestamp as an aware UTC datetime."""
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.UTC)
