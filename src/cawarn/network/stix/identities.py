"""Organisations and nodes as STIX identities, with deterministic ids."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cawarn.domain import Marking
from cawarn.network.stix.extension import EVENT_EXTENSION_ID
from cawarn.network.stix.ids import identity_id, node_identity_id, timestamp
from cawarn.network.stix.markings import marking_ref


def organisation_identity(
    code: str, title: str, *, created: dt.datetime, modified: dt.datetime | None = None
) -> dict[str, Any]:
    """An organisation's identity; its code rides in cawarn's extension, its id derives from it."""
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": identity_id(code),
        "created_by_ref": identity_id(code),  # an organisation vouches for itself
        "created": timestamp(created),
        "modified": timestamp(modified or created),
        "name": title,
        "identity_class": "organization",
        "object_marking_refs": [marking_ref(Marking.CLEAR)],
        "extensions": {
            EVENT_EXTENSION_ID: {"extension_type": "property-extension", "organisation": code}
        },
    }


def node_identity(
    org_code: str, node_name: str, *, created: dt.datetime, modified: dt.datetime | None = None
) -> dict[str, Any]:
    """A node of an organisation, as a ``system`` identity created by the organisation."""
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": node_identity_id(org_code, node_name),
        "created_by_ref": identity_id(org_code),
        "created": timestamp(created),
        "modified": timestamp(modified or created),
        "name": node_name,
        "identity_class": "system",
        "object_marking_refs": [marking_ref(Marking.CLEAR)],
    }


def organisation_code(identity: dict[str, Any]) -> str | None:
    """The organisation code an identity names, if its id is the one that code derives to."""
    extension = identity.get("extensions", {}).get(EVENT_EXTENSION_ID, {})
    code = extension.get("organisation") if isinstance(extension, dict) else None
    if isinstance(code, str) and identity_id(code) == identity.get("id"):
        return code
    return None
