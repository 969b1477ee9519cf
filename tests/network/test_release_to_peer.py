"""End to end between two node processes: a releasing officer's decision on one node reaches the
other through its ``cawarn sync`` as a signed STIX incident that becomes an event there; a
revocation reaches it too and withdraws the event, as does the release's expiry, and a new
release brings it back. Each node verifies the other with the key ``cawarn node key`` printed,
as operators register it."""

from __future__ import annotations

import datetime as dt
import json
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy import select

from cawarn.accounts import audit
from cawarn.accounts.directory import create_user
from cawarn.domain.access import Role
from cawarn.network.peers import get_peer
from cawarn.network.received import EXPIRED, REVOKED, withdraw_lapsed
from cawarn.network.stix.ids import incident_id
from cawarn.network.taxii.reads import COLLECTION_ID
from cawarn.store.schema_network import releases
from cawarn.store.schema_taxii import peers, taxii_objects, taxii_quarantine
from cawarn.store.tables import events, quarantine
from tests.conftest import BOUNDARIES, GED_SAMPLE
from tests.network.servers import cawarn, free_port, init_node, node_key, serving
from tests.network.stixdata import KAZ, KGZ, setup_node

pytestmark = pytest.mark.slow


def _release(home: Path, uid: str, *extra: str) -> None:
    created = cawarn(
        home, "release", "create", "--kind", "event", "--item", uid, "--to", KGZ, *extra
    )
    assert created.returncode == 0, created.stderr


def _current(engine: sa.Engine, uid: str) -> bool:
    with engine.connect() as conn:
        return bool(
            conn.execute(
                select(events.c.id).where(events.c.uid == uid, events.c.is_current)
            ).first()
        )


def test_a_release_reaches_its_peer_as_an_event_and_a_revocation_withdraws_it(
    tmp_path: Path,
) -> None:
    homes = {org: tmp_path / org for org in (KAZ, KGZ)}
    ports = {org: free_port() for org in homes}
    urls = {org: f"http://127.0.0.1:{ports[org]}/taxii2/" for org in homes}
    engines: dict[str, sa.Engine] = {}
    keys: dict[str, dict[str, str]] = {}
    for org, home in homes.items():
        engines[org] = init_node(home, org)
        assert cawarn(home, "geo", "import", str(BOUNDARIES)).returncode == 0
        other = KGZ if org == KAZ else KAZ
        with engines[org].begin() as conn:
            keys[org] = setup_node(conn, org, [other], register_peers={other: urls[other]}).keys
    for org in homes:  # register the other's real node key, as operators do
        other = KGZ if org == KAZ else KAZ
        with engines[org].begin() as conn:
            conn.execute(
                peers.update().where(peers.c.org == other).values(public_key=node_key(homes[other]))
            )
    env = {
        "KEY_KAZ_CTC_AT_KGZ_NCTC": keys[KGZ][KAZ],
        "KEY_KGZ_NCTC_AT_KAZ_CTC": keys[KAZ][KGZ],
    }
    # KAZ holds UCDP events of its own and a releasing officer.
    assert cawarn(homes[KAZ], "ingest", "ucdp-ged", str(GED_SAMPLE)).returncode == 0
    with engines[KAZ].begin() as conn:
        create_user(
            conn, "kaz.ro", KAZ, Role.RELEASING_OFFICER, "correct horse battery 9", actor=audit.CLI
        )
        uid, short = conn.execute(
            select(events.c.uid).where(events.c.is_current).order_by(events.c.id).limit(2)
        ).scalars()
    _release(homes[KAZ], uid, "--tlp", "AMBER", "--as", "kaz.ro")
    _release(homes[KAZ], short, "--tlp", "GREEN", "--expires", "12h", "--as", "kaz.ro")
    with engines[KAZ].connect() as conn:
        release_id = conn.execute(select(releases.c.id).order_by(releases.c.id)).scalars().first()

    with ExitStack() as stack:
        stack.enter_context(serving(homes[KAZ], port=ports[KAZ]))
        synced = cawarn(homes[KGZ], "sync", "--json", env=env)
        assert synced.returncode == 0, synced.stderr
        report = json.loads(synced.stdout)
        with engines[KGZ].connect() as conn:
            refused = conn.execute(select(taxii_quarantine.c.reason)).scalars().all()
            dropped = conn.execute(select(quarantine.c.reason)).scalars().all()
        assert report[0]["events_new"] == 2, {"refused": refused, "dropped": dropped}
        with engines[KGZ].connect() as conn:
            got = conn.execute(
                select(events.c.source, events.c.owner_org, events.c.marking).where(
                    events.c.uid == uid, events.c.is_current
                )
            ).one()
            assert tuple(got) == ("stix", KAZ, "TLP:AMBER")
            held_ids = set(
                conn.execute(
                    select(taxii_objects.c.stix_id).where(taxii_objects.c.origin == "kaz-ctc")
                ).scalars()
            )
        assert incident_id(uid) in held_ids

        # The revocation: KAZ serves the incident only as its signed, revoked version, and
        # KGZ's next sync withdraws the event it made from it.
        revoked = cawarn(homes[KAZ], "release", "revoke", str(release_id), "--as", "kaz.ro")
        assert revoked.returncode == 0, revoked.stderr
        served = httpx.get(
            f"{urls[KAZ]}cawarn/collections/{COLLECTION_ID}/objects/{incident_id(uid)}/",
            auth=(f"node.{KGZ.lower()}", keys[KAZ][KGZ]),
            headers={"Accept": "application/taxii+json;version=2.1"},
        )
        assert served.status_code == 200
        assert [o.get("revoked") for o in served.json()["objects"]] == [True]
        again = cawarn(homes[KGZ], "sync", "--json", env=env)
        assert again.returncode == 0, again.stderr
        second = json.loads(again.stdout)[0]
        assert (second["events_new"], second["events_withdrawn"]) == (0, 1), second
        assert not _current(engines[KGZ], uid) and _current(engines[KGZ], short)
        with engines[KGZ].connect() as conn:
            withdrawals = audit.list_rows(conn, action="event.withdraw")
        assert [(r["object_id"], r["details"]["reason"]) for r in withdrawals] == [(uid, REVOKED)]

        # The expiry: once the 12 hours are over, the event goes even with the origin offline.
        with engines[KGZ].connect() as conn:
            peer = get_peer(conn, "kaz-ctc")
        now = dt.datetime.now(dt.UTC)
        assert withdraw_lapsed(engines[KGZ], peer, now=now + dt.timedelta(hours=11)) == 0
        assert withdraw_lapsed(engines[KGZ], peer, now=now + dt.timedelta(hours=13)) == 1
        assert not _current(engines[KGZ], short)
        with engines[KGZ].connect() as conn:
            reasons = [
                r["details"]["reason"] for r in audit.list_rows(conn, action="event.withdraw")
            ]
        assert sorted(reasons) == sorted([REVOKED, EXPIRED])

        # Released again, the withdrawn event comes back.
        _release(homes[KAZ], uid, "--tlp", "AMBER", "--as", "kaz.ro")
        third = cawarn(homes[KGZ], "sync", "--json", env=env)
        assert third.returncode == 0, third.stderr
        assert _current(engines[KGZ], uid)
    for engine in engines.values():
        engine.dispose()
