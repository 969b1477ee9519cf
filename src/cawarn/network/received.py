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

import json
from typing import Any

from sqlalchemy import Engine, select

from cawarn.config import Settings
from cawarn.ingest.contract import IngestReport
from cawarn.ingest.pipeline import ingest
from cawarn.ingest.stix import open_stix_bundle
from cawarn.network.peers import Peer
from cawarn.network.signing import RELEASE_EXTENSION_ID
from cawarn.network.stix.bundle import dumps, make_bundle
from cawarn.network.stix.extension import extension_definition, project_identity
from cawarn.network.stix.markings import MARKINGS_BY_ID, marking_definition
from cawarn.store.schema_taxii import taxii_objects

#: The sync cursor of the import (beside each collection's pull and push cursors).
IMPORT_COLLECTION = "events"
IMPORT_DIRECTION = "load"
_CONTEXT_TYPES = ("location", "relationship", "identity")


def import_received(engine: Engine, settings: Settings, peer: Peer) -> IngestReport | None:
    """Import the incidents the peer sent since the last import; None when there were none."""
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
            return None
        last = int(fresh[-1].added_us)
        # An incident's location and relationship may come before or after it (another page, a
        # later put): send every one the peer has.
        context = conn.execute(
            select(taxii_objects.c.body).where(
                taxii_objects.c.origin == peer.label,
                taxii_objects.c.type.in_(_CONTEXT_TYPES),
                taxii_objects.c.is_latest,
            )
        ).scalars()
        # The definitions every node knows go with them, so the bundle validates on its own; the
        # release extension was checked on receipt and is not part of the event.
        objects: dict[str, dict[str, Any]] = {
            o["id"]: o for o in (project_identity(), extension_definition())
        }
        for body in [*context, *(row.body for row in fresh)]:
            obj = json.loads(body)
            obj.get("extensions", {}).pop(RELEASE_EXTENSION_ID, None)
            if obj.get("extensions") == {}:
                del obj["extensions"]
            objects[obj["id"]] = obj
            for ref in obj.get("object_marking_refs", []):
                if ref in MARKINGS_BY_ID:
                    objects[ref] = marking_definition(MARKINGS_BY_ID[ref])
    folder = settings.home / "received"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{peer.label}-{position}-{last}.json"
    path.write_text(dumps(make_bundle(objects.values())), encoding="utf-8")
    with engine.connect() as conn:
        reader = open_stix_bundle(conn, settings, path)
    report = ingest(engine, settings, reader)
    with engine.begin() as conn:
        _set_cursor(conn, peer, IMPORT_COLLECTION, IMPORT_DIRECTION, str(last))
    return report
