"""A release decision publishes its item's signed objects for its audience; revoking stops it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from cawarn.domain import Marking
from cawarn.domain.releases import ItemKind, ReleaseRefusedError
from cawarn.network import objects
from cawarn.network.releases import revoke_release
from cawarn.network.signing import verify_object
from cawarn.network.stix.ids import identity_id, incident_id
from cawarn.network.stix.markings import marking_ref
from tests.network.conftest import Seeded
from tests.network.test_releases import _release
from tests.web.conftest import NODE_ORG, NOW, OTHER_ORG, PARTNER_ORG, insert_alert

LATER = NOW + dt.timedelta(hours=1)


def _served(seeded: Seeded, org: str) -> dict[str, dict[str, object]]:
    with seeded.engine.connect() as conn:
        rows = conn.execute(objects.visible(org, now=LATER)).mappings().all()
    return {row["stix_id"]: json.loads(row["body"]) for row in rows}


def test_a_release_serves_signed_objects_to_its_audience_only(seeded: Seeded) -> None:
    uid = seeded.node.event_uids[(NODE_ORG, Marking.GREEN)]
    release = _release(seeded, item_id=uid, marking=Marking.AMBER)  # raised from GREEN
    served = _served(seeded, PARTNER_ORG)
    incident = served[incident_id(uid)]
    assert {o["type"] for o in served.values()} >= {"incident", "location", "relationship"}
    for obj in served.values():
        assert obj["object_marking_refs"] == [marking_ref(Marking.AMBER)]
        verify_object(obj, {seeded.key.key_id: seeded.key.public})
    assert incident["modified"].startswith(NOW.strftime("%Y-%m-%dT%H:%M"))
    assert _served(seeded, OTHER_ORG) == {}

    with seeded.engine.begin() as conn:
        revoke_release(conn, release.id, officer=seeded.user(), key=seeded.key, now=NOW)
    # What was released is no longer served; the audience gets, signed, a version of the incident
    # and its relationship marked revoked (the places and identities other items share stay).
    after = _served(seeded, PARTNER_ORG)
    assert {o["type"] for o in after.values()} == {"incident", "relationship"}
    for obj in after.values():
        assert obj["revoked"] is True
        assert objects.parse_timestamp(obj["modified"]) > objects.parse_timestamp(
            incident["modified"]
        )
        assert obj["object_marking_refs"] == [marking_ref(Marking.AMBER)]
        verify_object(obj, {seeded.key.key_id: seeded.key.public})
    assert _served(seeded, OTHER_ORG) == {}
    with seeded.engine.connect() as conn:
        kept = (
            conn.execute(
                select(objects.taxii_objects.c.revoked).where(
                    objects.taxii_objects.c.modified == objects.normal_version(incident["modified"])
                )
            )
            .scalars()
            .all()
        )
    assert kept and all(kept)  # kept for the record, never served again


def test_a_revocation_spares_an_audience_another_release_still_covers(seeded: Seeded) -> None:
    uid = seeded.node.event_uids[(NODE_ORG, Marking.GREEN)]
    first = _release(seeded, item_id=uid, marking=Marking.GREEN, orgs=[PARTNER_ORG, OTHER_ORG])
    _release(seeded, item_id=uid, marking=Marking.GREEN, orgs=[OTHER_ORG], now=LATER)
    with seeded.engine.begin() as conn:
        revoke_release(conn, first.id, officer=seeded.user(), key=seeded.key, now=LATER)
    partner = _served(seeded, PARTNER_ORG)[incident_id(uid)]
    assert partner["revoked"] is True
    other = _served(seeded, OTHER_ORG)[incident_id(uid)]
    assert "revoked" not in other  # still released to it by the second decision


def test_a_red_event_is_never_released_nor_served(seeded: Seeded) -> None:
    uid = seeded.node.event_uids[(NODE_ORG, Marking.RED)]
    with pytest.raises(ReleaseRefusedError, match="never leaves its organisation"):
        _release(seeded, item_id=uid, marking=Marking.RED)
    assert _served(seeded, PARTNER_ORG) == {}


def test_an_object_served_stricter_before_keeps_its_marking(seeded: Seeded) -> None:
    uid = seeded.node.event_uids[(NODE_ORG, Marking.AMBER)]
    _release(seeded, item_id=uid, marking=Marking.AMBER_STRICT)
    _release(seeded, item_id=uid, marking=Marking.AMBER, orgs=[OTHER_ORG], now=LATER)
    served = _served(seeded, OTHER_ORG)
    assert served and all(
        obj["object_marking_refs"] == [marking_ref(Marking.AMBER_STRICT)] for obj in served.values()
    )


def test_an_alert_forwards_only_its_own_organisations_evidence(seeded: Seeded) -> None:
    own = seeded.node.event_uids[(NODE_ORG, Marking.GREEN)]
    received = seeded.node.event_uids[(PARTNER_ORG, Marking.GREEN)]
    with seeded.engine.begin() as conn:
        alert_id = insert_alert(conn, NODE_ORG, event_uids=(own, received))
    _release(
        seeded, kind=ItemKind.ALERT, item_id=str(alert_id), marking=Marking.AMBER, orgs=[OTHER_ORG]
    )
    served = _served(seeded, OTHER_ORG)
    incidents = {i for i, o in served.items() if o["type"] == "incident"}
    assert incidents == {incident_id(own)}  # the partner's event stays with its creator
    (sighting,) = [o for o in served.values() if o["type"] == "sighting"]
    assert incident_id(received) not in json.dumps(sighting)
    assert all(o.get("created_by_ref") in (None, identity_id(NODE_ORG)) for o in served.values()), (
        "every served object is this organisation's own"
    )


def test_revoking_an_alert_leaves_its_evidence_released_on_its_own(seeded: Seeded) -> None:
    uid = seeded.node.event_uids[(NODE_ORG, Marking.GREEN)]
    with seeded.engine.begin() as conn:
        alert_id = insert_alert(conn, NODE_ORG, event_uids=(uid,))
    _release(seeded, item_id=uid, marking=Marking.AMBER)  # the event itself, to the partner
    alert = _release(seeded, kind=ItemKind.ALERT, item_id=str(alert_id), now=LATER)
    with seeded.engine.begin() as conn:
        revoke_release(conn, alert.id, officer=seeded.user(), key=seeded.key, now=LATER)
    served = _served(seeded, PARTNER_ORG)
    assert "revoked" not in served[incident_id(uid)]  # still released on its own
    (sighting,) = [o for o in served.values() if o["type"] == "sighting"]
    assert sighting["revoked"] is True
