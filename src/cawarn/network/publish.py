"""From a release decision to the objects the TAXII server serves: map, mark, sign, store.

A decision publishes one new version of every STIX object of its item: the owner's identity, the
incident with its location and relationship for each event (for an alert, its evidence events of
its own organisation), and for an alert its sighting, and once assessed its report, opinion and
response note. Each version is dated by the decision (``modified``), carries the release's TLP
marking (never lower than the item's, which the decision rules guarantee) and the signed release
extension (audience, expiry), and is stored with the audience and expiry, so another decision on
the same item is another version with its own audience. A revocation stops serving exactly its
own versions and serves their audience a signed version marked ``revoked``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, func, select

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
from cawarn.store.tables import alert_transitions, alerts, events

#: Objects every node knows already, never published: the OASIS TLP definitions, the cawarn
#: project's identity and its extension definitions.
_KNOWN_TYPES = frozenset({"marking-definition", "extension-definition"})

#: Objects other items share (an organisation, a place): never withdrawn with one item.
_SHARED_TYPES = frozenset({"identity", "location"})


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
    # Evidence another organisation created (received from a peer) is not forwarded: the next
    # node accepts an object only from its creator, so its recipients get it from there.
    cited = [str(u) for u in row["evidence"].get("events", [])]
    own = set(
        conn.execute(
            select(events.c.uid).where(
                events.c.uid.in_(cited),
                events.c.is_current,
                events.c.owner_org == row["organisation"],
            )
        ).scalars()
    )
    uids = [u for u in cited if u in own]
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


def _not_lowered(conn: Connection, stix_id: str, marking: Marking) -> Marking:
    """The marking, or the stricter one already served for the object.

    An object already served under a stricter marking (a location two events share, an event
    released before as AMBER+STRICT) keeps it: a marking is never lowered.
    """
    held = objects.held_marking(conn, stix_id)
    if held is not None and objects.marking_rank(held) > objects.marking_rank(marking):
        return held
    return marking


def publish(conn: Connection, release: Release, key: NodeKey) -> int:
    """Store the signed objects of a release for the TAXII server; returns how many are new."""
    version = timestamp(release.decided_at)
    expires = timestamp(release.expires_at) if release.expires_at is not None else None
    new = 0
    for obj in item_objects(conn, release):
        obj = dict(obj)
        obj["modified"] = max(version, str(obj["created"]))
        marking = _not_lowered(conn, obj["id"], release.marking)
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


def _published(conn: Connection, release: Release) -> list[Any]:
    """The versions a release published that are still served."""
    version = objects.normal_version(timestamp(release.decided_at))
    return list(
        conn.execute(
            select(taxii_objects.c.id, taxii_objects.c.body, taxii_objects.c.marking).where(
                taxii_objects.c.origin == objects.LOCAL_ORIGIN,
                taxii_objects.c.modified == version,
                taxii_objects.c.revoked.is_(False),
            )
        )
    )


def _still_served(conn: Connection, stix_id: str, org: str, now: dt.datetime) -> bool:
    """Whether another release still serves the object to the organisation (not withdrawn)."""
    return (
        conn.execute(
            select(taxii_objects.c.id)
            .where(
                taxii_objects.c.stix_id == stix_id,
                taxii_objects.c.origin == objects.LOCAL_ORIGIN,
                objects.visibility(org, now),
                ~taxii_objects.c.body.contains('"revoked":true'),
            )
            .limit(1)
        ).first()
        is not None
    )


def unpublish(
    conn: Connection, release: Release, key: NodeKey, *, now: dt.datetime | None = None
) -> int:
    """Stop serving what a revoked release published and tell its audience it is withdrawn.

    The release's versions are no longer served. Each of its objects other than identities and
    locations (which other items share) gets a new version marked ``revoked`` (STIX 2.1's way
    of saying an object is withdrawn), signed and served to the audience that received it,
    except organisations another release still serves the object to. A peer that
    pulls it withdraws the event it made from the object. Returns how many versions stopped.
    """
    now = now or dt.datetime.now(dt.UTC)
    served = _published(conn, release)
    if not served:
        return 0
    conn.execute(
        taxii_objects.update()
        .where(taxii_objects.c.id.in_([row.id for row in served]))
        .values(revoked=True)
    )
    withdrawn_at = objects.format_timestamp(objects.parse_timestamp(timestamp(now)))
    for row in served:
        obj = json.loads(row.body)
        if obj["type"] in _SHARED_TYPES or obj.get("revoked"):
            continue
        # Not to an organisation another release still serves it to (the same event released
        # on its own, or as another alert's evidence).
        notify = [
            org
            for org in sorted(set(release.audience))
            if not _still_served(conn, obj["id"], org, now)
        ]
        if not notify:
            continue
        obj["revoked"] = True
        # Strictly after every version held, even one of the same microsecond.
        newest = conn.execute(
            select(func.max(taxii_objects.c.modified)).where(taxii_objects.c.stix_id == obj["id"])
        ).scalar_one()
        after = objects.format_timestamp(objects.parse_timestamp(newest) + 1)
        obj["modified"] = max(withdrawn_at, after)
        marking = _not_lowered(conn, obj["id"], Marking(row.marking))
        obj["object_marking_refs"] = [marking_ref(marking)]
        signed = sign_object(obj, key.private, audience=notify)
        objects.put(
            conn,
            signed,
            audience=notify,
            marking=marking,
            origin=objects.LOCAL_ORIGIN,
            expires_at=release.expires_at,
        )
    return len(served)
