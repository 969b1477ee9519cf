"""Incidents received from a peer become events of this node's store, with their provenance.

After a pull, the incidents a peer sent since the last import (with the locations, relationships
and identities they refer to) are written as one STIX bundle under ``HOME/received/`` and read
by the same ingest path as ``cawarn stix import``: validated, mapped, geo-assigned, deduplicated,
rejected objects quarantined with their reason. The event keeps the incident's id as its uid and
its origin (the sending organisation, ``created_by_ref``) as owner and in its source fields. The
import cursor moves only after the ingest committed; a rerun writes the same bundle again, which
the ingest recognises by its checksum, so nothing is lost or doubled after a crash.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, and_, select, update

from cawarn.accounts import audit
from cawarn.config import Settings
from cawarn.ingest.contract import IngestReport
from cawarn.ingest.pipeline import ingest
from cawarn.ingest.stix import open_stix_bundle
from cawarn.network.peers import Peer
from cawarn.network.signing import RELEASE_EXTENSION_ID
from cawarn.network.stix.bundle import dumps, make_bundle
from cawarn.network.stix.extension import extension_definition, project_identity
from cawarn.network.stix.imports import SOURCE
from cawarn.network.stix.markings import MARKINGS_BY_ID, marking_definition
from cawarn.store.events import recompute_current
from cawarn.store.schema_taxii import taxii_objects
from cawarn.store.tables import events

#: The sync cursor of the import (beside each collection's pull and push cursors).
IMPORT_COLLECTION = "events"
IMPORT_DIRECTION = "load"
#: Why a received event stops being current.
REVOKED = "revoked by its origin"
EXPIRED = "its release expired"


@dataclass(frozen=True, slots=True)
class Received:
    """What one import of a peer's incidents did."""

    report: IngestReport | None  # None when no live incident came
    withdrawn: int  # events withdrawn because their origin revoked them


def withdraw(conn: Connection, incident_ids: Collection[str], *, origin: str, reason: str) -> int:
    """Withdraw the events made from these received incidents; returns how many were current.

    A withdrawn event keeps its rows (and provenance) but none is current, so it leaves every
    listing, map, panel and forecast; a later release of the incident makes it current again.
    Each withdrawal is audited with the reason.
    """
    ids = sorted(set(incident_ids))
    withdrawn = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        current = conn.execute(
            select(
                events.c.uid, events.c.source_event_id, events.c.marking, events.c.owner_org
            ).where(
                events.c.source == SOURCE,
                events.c.source_event_id.in_(chunk),
                events.c.is_current,
            )
        ).all()
        if not current:
            continue
        now = dt.datetime.now(dt.UTC)
        conn.execute(
            update(events)
            .where(
                events.c.source == SOURCE,
                events.c.source_event_id.in_([row.source_event_id for row in current]),
            )
            .values(is_current=False, updated_at=now)
        )
        for row in current:
            audit.append(
                conn,
                audit.Actor(f"sync:{origin}", None, row.owner_org),
                "event.withdraw",
                object_type="event",
                object_id=row.uid,
                marking=row.marking,
                details={"incident": row.source_event_id, "origin": origin, "reason": reason},
                at=now,
            )
        withdrawn += len(current)
    return withdrawn


def withdraw_lapsed(engine: Engine, peer: Peer, now: dt.datetime | None = None) -> int:
    """Withdraw the current events whose latest incident from the peer has expired."""
    now = now or dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        lapsed = conn.execute(
            select(taxii_objects.c.stix_id)
            .join(
                events,
                and_(
                    events.c.source == SOURCE,
                    events.c.source_event_id == taxii_objects.c.stix_id,
                    events.c.is_current,
                ),
            )
            .where(
                taxii_objects.c.origin == peer.label,
                taxii_objects.c.type == "incident",
                taxii_objects.c.is_latest,
                taxii_objects.c.expires_at <= now,
            )
        ).scalars()
        return withdraw(conn, list(lapsed), origin=peer.label, reason=EXPIRED)


def _restore(conn: Connection, incident_ids: Collection[str]) -> None:
    """Make current again the withdrawn events of incidents released again."""
    ids = sorted(set(incident_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        held = conn.execute(
            select(events.c.source_event_id, events.c.is_current).where(
                events.c.source == SOURCE, events.c.source_event_id.in_(chunk)
            )
        ).all()
        live = {row.source_event_id for row in held if row.is_current}
        dark = {row.source_event_id for row in held} - live
        if dark:
            recompute_current(conn, SOURCE, sorted(dark), dt.datetime.now(dt.UTC))


def _context(conn: Connection, peer: Peer, incidents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the incidents need from the peer's other objects: their relationships, the places
    those point to, and the identities that created them.

    An incident's location and relationship may have come before or after it (another page, a
    later put), so they are looked up among everything the peer sent, but only those the
    incidents refer to go into the bundle.
    """
    wanted = {obj["id"] for obj in incidents}
    if not wanted:
        return []

    def latest(kind: str, ids: Collection[str] | None = None) -> list[dict[str, Any]]:
        query = select(taxii_objects.c.body).where(
            taxii_objects.c.origin == peer.label,
            taxii_objects.c.type == kind,
            taxii_objects.c.is_latest,
        )
        found: list[dict[str, Any]] = []
        if ids is None:
            return [json.loads(body) for body in conn.execute(query).scalars()]
        ordered = sorted(ids)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            rows = conn.execute(query.where(taxii_objects.c.stix_id.in_(chunk))).scalars()
            found.extend(json.loads(body) for body in rows)
        return found

    links = [rel for rel in latest("relationship") if rel.get("source_ref") in wanted]
    places = latest("location", {str(rel.get("target_ref")) for rel in links})
    makers = {str(obj.get("created_by_ref")) for obj in [*incidents, *links, *places]}
    return [*latest("identity", makers - {"None"}), *places, *links]


def import_received(engine: Engine, settings: Settings, peer: Peer) -> Received:
    """Import the incidents the peer sent since the last import, and withdraw revoked ones.

    A version marked ``revoked`` withdraws the event made from its incident; any other version
    is imported (and makes a withdrawn event current again).
    """
    from cawarn.network.sync import _cursor, _set_cursor

    with engine.connect() as conn:
        position = int(_cursor(conn, peer, IMPORT_COLLECTION, IMPORT_DIRECTION) or 0)
        fresh = conn.execute(
            select(taxii_objects.c.body, taxii_objects.c.added_us)
            .where(
                taxii_objects.c.origin == peer.label,
                taxii_objects.c.type == "incident",
                taxii_objects.c.is_latest,
                taxii_objects.c.added_us > position,
            )
            .order_by(taxii_objects.c.added_us)
        ).all()
        if not fresh:
            return Received(None, 0)
        last = int(fresh[-1].added_us)
        bodies = [json.loads(row.body) for row in fresh]
        revoked = [obj["id"] for obj in bodies if obj.get("revoked") is True]
        live = [obj for obj in bodies if obj.get("revoked") is not True]
        context = _context(conn, peer, live)
        # The definitions every node knows go with them, so the bundle validates on its own; the
        # release extension was checked on receipt and is not part of the event.
        objects: dict[str, dict[str, Any]] = {
            o["id"]: o for o in (project_identity(), extension_definition())
        }
        for obj in [*context, *live]:
            obj.get("extensions", {}).pop(RELEASE_EXTENSION_ID, None)
            if obj.get("extensions") == {}:
                del obj["extensions"]
            objects[obj["id"]] = obj
            for ref in obj.get("object_marking_refs", []):
                if ref in MARKINGS_BY_ID:
                    objects[ref] = marking_definition(MARKINGS_BY_ID[ref])
    if not live:
        with engine.begin() as conn:
            withdrawn = withdraw(conn, revoked, origin=peer.label, reason=REVOKED)
            _set_cursor(conn, peer, IMPORT_COLLECTION, IMPORT_DIRECTION, str(last))
        return Received(None, withdrawn)
    folder = settings.home / "received"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{peer.label}-{position}-{last}.json"
    path.write_text(dumps(make_bundle(objects.values())), encoding="utf-8")
    with engine.begin() as conn:
        # Released again: the withdrawn event is current again before the new version is read,
        # so the ingest revises it rather than taking it for a new one.
        _restore(conn, [obj["id"] for obj in live])
    with engine.connect() as conn:
        reader = open_stix_bundle(conn, settings, path)
    report = ingest(engine, settings, reader)
    with engine.begin() as conn:
        withdrawn = withdraw(conn, revoked, origin=peer.label, reason=REVOKED)
        _set_cursor(conn, peer, IMPORT_COLLECTION, IMPORT_DIRECTION, str(last))
    return Received(report, withdrawn)
