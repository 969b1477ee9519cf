"""Three nodes as separate processes on loopback: two states and the UN regional office.

Each runs ``cawarn serve``; ``cawarn sync`` runs on each as a command. What each node ends up
holding shows the markings are enforced: RED never leaves its organisation, AMBER reaches only
its audience, expired and revoked objects stop being served, a tampered object is refused.
"""

from __future__ import annotations

import datetime as dt
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy import select

from cawarn.domain.events import Marking
from cawarn.network import objects
from cawarn.network.taxii.reads import COLLECTION_ID
from cawarn.store.schema_taxii import taxii_objects, taxii_quarantine
from tests.network.servers import cawarn, free_port, init_node, serving
from tests.network.stixdata import KAZ, KGZ, UN, incident, release, setup_node

pytestmark = pytest.mark.slow
ORGS = (KAZ, KGZ, UN)


def _held(engine: sa.Engine, origin: str) -> set[str]:
    with engine.connect() as conn:
        return set(
            conn.execute(
                select(taxii_objects.c.stix_id).where(taxii_objects.c.origin == origin)
            ).scalars()
        )


def test_three_nodes_exchange_only_what_was_released(tmp_path: Path) -> None:
    ports = {org: free_port() for org in ORGS}
    urls = {org: f"http://127.0.0.1:{ports[org]}/taxii2/" for org in ORGS}
    engines, keys, env = {}, {}, {}
    for org in ORGS:
        engines[org] = init_node(tmp_path / org, org)
        partners = [p for p in ORGS if p != org]
        with engines[org].begin() as conn:
            keys[org] = setup_node(
                conn, org, partners, register_peers={p: urls[p] for p in partners}
            ).keys
    for org in ORGS:  # the key org uses on partner p is p's key for org
        for partner in ORGS:
            if partner != org:
                env[f"KEY_{org.replace('-', '_')}_AT_{partner.replace('-', '_')}"] = keys[partner][
                    org
                ]
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    with engines[KAZ].begin() as conn:
        amber = release(conn, incident("amber", KAZ, Marking.AMBER), KAZ, [KGZ], Marking.AMBER)
        green = release(conn, incident("green", KAZ, Marking.GREEN), KAZ, [KGZ, UN], Marking.GREEN)
        red = release(conn, incident("red", KAZ, Marking.RED), KAZ, [KGZ, UN], Marking.RED)
        expired = release(
            conn, incident("old", KAZ, Marking.GREEN), KAZ, [KGZ, UN], Marking.GREEN, expires=past
        )
        revoked = release(conn, incident("rv", KAZ, Marking.GREEN), KAZ, [KGZ, UN], Marking.GREEN)
    with engines[KGZ].begin() as conn:
        to_kaz = release(conn, incident("kg", KGZ, Marking.AMBER), KGZ, [KAZ], Marking.AMBER)
        tampered = release(conn, incident("kg-bad", KGZ, Marking.GREEN), KGZ, [KAZ], Marking.GREEN)
        conn.execute(
            taxii_objects.update()
            .where(taxii_objects.c.stix_id == tampered["id"])
            .values(body=sa.func.replace(taxii_objects.c.body, "kg-bad", "kg-good"))
        )
    with ExitStack() as stack:
        for org in ORGS:
            stack.enter_context(serving(tmp_path / org, port=ports[org]))
        # UN syncs first and receives the object that KAZ then revokes.
        result = cawarn(tmp_path / UN, "sync", env=env)
        assert result.returncode == 0, result.stderr
        assert _held(engines[UN], "kaz-ctc") == {green["id"], revoked["id"]}
        with engines[KAZ].begin() as conn:
            assert objects.revoke(conn, revoked["id"]) == 1
        gone = httpx.get(
            f"{urls[KAZ]}cawarn/collections/{COLLECTION_ID}/objects/{revoked['id']}/",
            auth=("node.un-rcca", keys[KAZ][UN]),
        )
        assert gone.status_code == 404
        for org in (KGZ, KAZ, UN):
            result = cawarn(tmp_path / org, "sync", env=env)
            assert result.returncode == 0, result.stderr
    assert _held(engines[KGZ], "kaz-ctc") == {amber["id"], green["id"]}
    assert red["id"] not in _held(engines[UN], "kaz-ctc") | _held(engines[UN], "kgz-nctc")
    assert expired["id"] not in _held(engines[KGZ], "kaz-ctc")
    # UN reads KAZ's GREEN again through KGZ (its audience), never KAZ's AMBER for KGZ.
    assert amber["id"] not in _held(engines[UN], "kgz-nctc") | _held(engines[UN], "kaz-ctc")
    assert _held(engines[KAZ], "kgz-nctc") == {to_kaz["id"]}
    with engines[KAZ].connect() as conn:
        reasons = conn.execute(select(taxii_quarantine.c.stix_id, taxii_quarantine.c.reason)).all()
    # Refused twice: pushed by KGZ, then pulled by KAZ from KGZ's collection.
    assert {r.stix_id for r in reasons} == {tampered["id"]}
    assert all("does not match" in r.reason for r in reasons) and len(reasons) == 2
    for engine in engines.values():
        engine.dispose()
