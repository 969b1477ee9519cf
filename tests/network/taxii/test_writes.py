"""TAXII writes: POST answered by a status, every check of a posted object, DELETE, status."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy import select

from cawarn.domain.events import Marking
from cawarn.network.taxii.reads import COLLECTION_ID
from cawarn.store.schema_taxii import taxii_audience, taxii_objects, taxii_quarantine
from cawarn.store.tables import audit_log
from tests.network.stixdata import (
    KAZ,
    KGZ,
    TLP,
    UN,
    incident,
    located_at,
    location,
    release,
    signed,
)
from tests.network.taxii.conftest import MEDIA, Served

OBJECTS = f"/taxii2/cawarn/collections/{COLLECTION_ID}/objects/"


def _post(served: Served, org: str, objs: list[dict[str, Any]]) -> dict[str, Any]:
    answer = served.client.post(
        OBJECTS,
        headers={**served.headers(org), "Content-Type": MEDIA},
        content=json.dumps({"objects": objs}).encode(),
    )
    assert answer.status_code == 202, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _failures(status: dict[str, Any]) -> dict[str, str]:
    return {f["id"]: f["message"] for f in status["failures"]}


def test_a_peer_posts_signed_objects_and_reads_the_status(served: Served) -> None:
    place = signed(location("osh", KGZ, Marking.AMBER), KGZ, [KAZ], None)
    event = signed(incident("osh", KGZ, Marking.AMBER), KGZ, [KAZ], None)
    link = signed(located_at(event, place["id"], KGZ, Marking.AMBER), KGZ, [KAZ], None)
    status = _post(
        served, KGZ, [place, event, link, {"type": "marking-definition", "id": TLP[Marking.AMBER]}]
    )
    assert status["status"] == "complete"
    assert (status["success_count"], status["failure_count"]) == (4, 0)
    again = served.client.get(f"/taxii2/cawarn/status/{status['id']}/", headers=served.headers(KGZ))
    assert again.json() == status
    # Another peer cannot read someone else's status.
    assert (
        served.client.get(
            f"/taxii2/cawarn/status/{status['id']}/", headers=served.headers(UN)
        ).status_code
        == 404
    )
    with served.engine.connect() as conn:
        rows = conn.execute(
            select(taxii_objects.c.stix_id, taxii_objects.c.origin, taxii_objects.c.marking)
        ).all()
        audience = conn.execute(select(taxii_audience.c.org).distinct()).scalars().all()
        audited = conn.execute(
            select(audit_log.c.action).where(audit_log.c.action == "taxii.post")
        ).all()
    assert {r.stix_id for r in rows} == {place["id"], event["id"], link["id"]}
    assert {r.origin for r in rows} == {"kgz-nctc"} and {r.marking for r in rows} == {"TLP:AMBER"}
    assert audience == [KAZ] and len(audited) == 1
    # Posting again stores nothing twice.
    assert _post(served, KGZ, [place])["success_count"] == 1
    with served.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(taxii_objects)).scalar() == 3


def test_every_check_refuses_with_its_reason_and_quarantines(served: Served) -> None:
    with served.engine.begin() as conn:
        release(conn, incident("held", KGZ, Marking.AMBER), KGZ, [KAZ], Marking.AMBER)
    unsigned = incident("unsigned", KGZ, Marking.GREEN)
    not_theirs = signed(incident("forged", UN, Marking.GREEN), KGZ, [KAZ])
    invalid = signed({**incident("bad", KGZ, Marking.GREEN), "created": "not a date"}, KGZ, [KAZ])
    dangling = signed(
        located_at(
            incident("x", KGZ, Marking.GREEN),
            "location--00000000-0000-4000-8000-000000000000",
            KGZ,
            Marking.GREEN,
        ),
        KGZ,
        [KAZ],
    )
    tampered = signed(incident("tampered", KGZ, Marking.GREEN), KGZ, [KAZ])
    tampered["name"] = "Something else"
    lowered = signed(
        incident("held", KGZ, Marking.GREEN, modified="2026-11-09T00:00:00.000Z"), KGZ, [KAZ]
    )
    unmarked = signed(
        {
            k: v
            for k, v in incident("nomark", KGZ, Marking.GREEN).items()
            if k != "object_marking_refs"
        },
        KGZ,
        [KAZ],
    )
    by_other_key = signed(incident("otherkey", KGZ, Marking.GREEN), UN, [KAZ])
    batch = [unsigned, not_theirs, invalid, dangling, tampered, lowered, unmarked, by_other_key]
    status = _post(served, KGZ, batch)
    assert status["success_count"] == 0 and status["failure_count"] == len(batch)
    reasons = _failures(status)
    assert "not signed" in reasons[unsigned["id"]]
    assert "not created by the sending organisation" in reasons[not_theirs["id"]]
    assert "not valid STIX 2.1" in reasons[invalid["id"]]
    assert "neither sent with it nor held here" in reasons[dangling["id"]]
    assert "does not match" in reasons[tampered["id"]], reasons
    assert "may not be lowered" in reasons[lowered["id"]]
    assert "no TLP 2.0 marking" in reasons[unmarked["id"]]
    assert "not registered for its sender" in reasons[by_other_key["id"]]
    with served.engine.connect() as conn:
        kept = conn.execute(select(taxii_quarantine.c.stix_id, taxii_quarantine.c.reason)).all()
        stored = conn.execute(select(taxii_objects.c.stix_id)).scalars().all()
    assert {k.stix_id for k in kept} == {o["id"] for o in batch}
    assert stored == [incident("held", KGZ, Marking.AMBER)["id"]]


def test_a_bad_envelope_and_a_read_only_key(served: Served) -> None:
    headers = {**served.headers(KGZ), "Content-Type": MEDIA}
    assert served.client.post(OBJECTS, headers=headers, content=b"not json").status_code == 400
    assert served.client.post(OBJECTS, headers=headers, content=b'{"x": 1}').status_code == 400
    from cawarn.accounts import audit
    from cawarn.accounts.apikeys import create_key

    with served.engine.begin() as conn:
        key, _ = create_key(conn, "node.kgz-nctc", read_only=True, lifetime=None, actor=audit.CLI)
    read_only = {"Authorization": f"Bearer {key}", "Accept": MEDIA, "Content-Type": MEDIA}
    refused = served.client.post(OBJECTS, headers=read_only, content=b'{"objects": []}')
    assert refused.status_code == 403 and refused.json()["http_status"] == "403"


def test_only_the_creator_may_delete(served: Served) -> None:
    with served.engine.begin() as conn:
        theirs = release(conn, incident("k", KGZ, Marking.GREEN), KGZ, [KGZ, UN], Marking.GREEN)
        hidden = release(conn, incident("h", KGZ, Marking.GREEN), KGZ, [KGZ], Marking.GREEN)
    url = f"{OBJECTS}{theirs['id']}/"
    assert served.client.delete(url, headers=served.headers(UN)).status_code == 403
    assert (
        served.client.delete(f"{OBJECTS}{hidden['id']}/", headers=served.headers(UN)).status_code
        == 404
    )
    assert served.client.delete(url, headers=served.headers(KGZ)).status_code == 200
    assert served.client.get(url, headers=served.headers(UN)).status_code == 404
    with served.engine.connect() as conn:
        assert conn.execute(
            select(audit_log.c.object_id).where(audit_log.c.action == "taxii.delete")
        ).scalars().all() == [theirs["id"]]
