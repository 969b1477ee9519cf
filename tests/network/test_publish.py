"""A release decision publishes its item's signed objects for its audience; revoking stops it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from cawarn.domain import Marking
from cawarn.domain.releases import ReleaseRefusedError
from cawarn.network import objects
from cawarn.network.releases import revoke_release
from cawarn.network.signing import verify_object
from cawarn.network.stix.ids import incident_id
from cawarn.network.stix.markings import marking_ref
from tests.network.conftest import Seeded
from tests.network.test_releases import _release
from tests.web.conftest import NODE_ORG, NOW, OTHER_ORG, PARTNER_ORG

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
    assert _served(seeded, PARTNER_ORG) == {}
    with seeded.engine.connect() as conn:
        kept = conn.execute(select(objects.taxii_objects.c.revoked)).scalars().all()
    assert kept and all(kept)  # kept for the record, never served again


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
