"""From a release decision to the objects the TAXII server serves: map, mark, sign, store.

A decision publishes one new version of every STIX object of its item: the owner's identity, the
incident with its location and relationship for each event (an alert's evidence events too), and
for an alert its sighting, and once assessed its report, opinion and response note. Each version
is dated by the decision (``modified``), carries the release's TLP marking (never lower than the
item's, which the decision rules guarantee) and the signed release extension (audience, expiry),
and is stored with the audience and expiry, so another decision on the same item is another
version with its own audience and a revocation stops serving exactly its own versions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select

from cawarn.domain import InputError, Marking
from cawarn.domain.alerts import Confidence
from cawarn.domain.releases import ItemKind, Release
from cawarn.network import objects
from cawarn.network.items import report_event_uid
from cawarn.network.keys import NodeKey
from cawarn.network.signing import sign_object
from cawarn.network.stix.assessments import SharedAlert, alert_objects
from cawarn.network.stix.export import ExportFilter, export_objects, identities
from cawarn.network.stix.ids import PROJECT_IDENTITY_ID, identity_id, incident_id, timestamp
from cawarn.network.stix.markings import marking_ref
from cawarn.store.schema_taxii import taxii_objects
from cawarn.store.tables import alert_transitions, alerts

#: Objects every node knows already, never published: the OASIS TLP definitions, the cawarn
#: project's identity and its extension definitions.
_KNOWN_TYPES = frozenset({"marking-definition", "extension-definition"})


def _event_objects(conn: Connection, uids: Iterable[str]) -> list[dict[str, Any]]:
    wanted = list(uids)
    if not wanted:
        return []
    found, _ = export_objects(conn, ExportFilter(max_marking=Marking.RED, uids=wanted))
    return [
        obj for obj in found if obj["type"] not in _KNOWN_TYPES and obj["id"] != PROJECT_IDENTITY_ID
    ]


def _alert(conn: Connection, alert_id: int, marking: Marking) -> list[dict[str, Any]]:
    row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).mappings().first()
    if row is None:
        raise InputError(f"Alert {alert_id} is gone; nothing to publish.")
    uids = [str(u) for u in row["evidence"].get("events", [])]
    evidence = _event_objects(conn, uids)
    incidents = {o["id"] for o in evidence if o["type"] == "incident"}
    # An alert without events (a forecast's risk) is a sighting of its organisation's watch.
    sighted = [incident_id(u) for u in uids if incident_id(u) in incidents] or [
        identity_id(str(row["organisation"]))
    ]
    moves = conn.execute(
        select(alert_transitions)
        .where(alert_transitions.c.alert_id == alert_id)
        .order_by(alert_transitions.c.id)
    ).mappings()
    assessed = responded = None
    for move in moves:
        if move["to_state"] == "assessed":
            assessed = move
        elif move["to_state"] == "responded":
            responded = move
    confidence = assessed["confidence"] if assessed else None
    first = dt.datetime.combine(row["first_triggered"], dt.time(), dt.UTC)
    last = dt.datetime.combine(row["last_triggered"], dt.time(23, 59, 59), dt.UTC)
    shared = SharedAlert(
        key=f"{row['unit']}/{row['detector']}/{row['episode']}",
        severity=str(row["severity"]),
        summary=str(row["title"]),
        org_code=str(row["organisation"]),
        marking=marking,
        created=row["created_at"],
        modified=row["updated_at"],
        incident_ids=sighted,
        first_seen=first,
        last_seen=last,
        assessment=assessed["text"] if assessed else None,
        confidence=Confidence(confidence) if confidence else None,
        assessed_at=assessed["at"] if assessed else None,
        response=responded["text"] if responded else None,
        responded_at=responded["at"] if responded else None,
    )
    return [*evidence, *identities(conn, [shared.org_code]), *alert_objects(shared)]


def item_objects(conn: Connection, release: Release) -> list[dict[str, Any]]:
    """The STIX objects of a released item, as the store holds it now."""
    kind = release.item_kind
    if kind is ItemKind.EVENT:
        found = _event_objects(conn, [release.item_id])
    elif kind is ItemKind.REPORT:
        found = _event_objects(conn, [report_event_uid(conn, release.item_id)])
    else:  # an alert, or its assessment: shared with the alert and its evidence
        found = _alert(conn, int(release.item_id), release.marking)
    if not found:
        raise InputError(f"The {kind.value} {release.item_id} has nothing to publish.")
    return found


def publish(conn: Connection, release: Release, key: NodeKey) -> int:
    """Store the signed objects of a release for the TAXII server; returns how many are new."""
    version = timestamp(release.decided_at)
    expires = timestamp(release.expires_at) if release.expires_at is not None else None
    new = 0
    for obj in item_objects(conn, release):
        obj = dict(obj)
        obj["modified"] = max(version, str(obj["created"]))
        # An object already served under a stricter marking (a location two events share, an
        # event released before as AMBER+STRICT) keeps it: a marking is never lowered.
        held = objects.held_marking(conn, obj["id"])
        marking = release.marking
        if held is not None and objects.marking_rank(held) > objects.marking_rank(marking):
            marking = held
        obj["object_marking_refs"] = [marking_ref(marking)]
        signed = sign_object(obj, key.private, audience=release.audience, expires=expires)
        new += objects.put(
            conn,
            signed,
            audience=release.audience,
            marking=marking,
            origin=objects.LOCAL_ORIGIN,
            expires_at=release.expires_at,
        )
    return new


def unpublish(conn: Connection, release: Release) -> int:
    """Stop serving the versions a revoked release published; returns how many."""
    version = objects.normal_version(timestamp(release.decided_at))
    return conn.execute(
        taxii_objects.update()
        .where(
            taxii_objects.c.origin == objects.LOCAL_ORIGIN,
            taxii_objects.c.modified == version,
            taxii_objects.c.revoked.is_(False),
        )
        .values(revoked=True)
    ).rowcount
