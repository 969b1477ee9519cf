"""Three nodes as separate processes on loopback: two states and the UN regional office.

Each node ingests its own UCDP events, runs ``cawarn serve``, and shares only what a releasing
officer decided with ``cawarn release create``; ``cawarn sync`` runs on each as a command, and
each verifies the others with the keys ``cawarn node key`` printed. What each node ends up
holding as events shows the rules hold: RED never leaves its organisation, AMBER reaches only its
audience, an expired release is not served and a revoked one is withdrawn where it had arrived,
a tampered object is refused.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from contextlib import ExitStack
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from cawarn.accounts import audit
from cawarn.accounts.directory import create_user
from cawarn.domain.access import Role
from cawarn.store.schema_network import releases
from cawarn.store.schema_taxii import peers, taxii_objects, taxii_quarantine
from cawarn.store.tables import events
from tests.conftest import BOUNDARIES, GED_SAMPLE
from tests.network.servers import cawarn, free_port, init_node, node_key, serving
from tests.network.stixdata import KAZ, KGZ, UN, setup_node

pytestmark = pytest.mark.slow
ORGS = (KAZ, KGZ, UN)
OFFICER = {KAZ: "kaz.ro", KGZ: "kgz.ro"}


def _split_sample(folder: Path) -> dict[str, Path]:
    """The GED sample's rows split between KAZ and KGZ, so each holds events of its own."""
    with GED_SAMPLE.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    files = {}
    for org, part in ((KAZ, rows[0::2]), (KGZ, rows[1::2])):
        files[org] = folder / org / GED_SAMPLE.name
        files[org].parent.mkdir(parents=True)
        with files[org].open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(part)
    return files


def _release(home: Path, org: str, uid: str, to: str, tlp: str, *extra: str) -> int:
    """``cawarn release create`` as the organisation's officer; the new release's id."""
    done = cawarn(
        home, "release", "create", "--kind", "event", "--item", uid, "--to", to, "--tlp", tlp,
        "--as", OFFICER[org], *extra,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[1].rstrip(":"))


def _events(engine: sa.Engine, owner: str) -> tuple[set[str], set[str]]:
    """The uids of events received from ``owner``: (current, withdrawn)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(events.c.uid, events.c.is_current).where(
                events.c.source == "stix", events.c.owner_org == owner
            )
        ).all()
    current = {r.uid for r in rows if r.is_current}
    return current, {r.uid for r in rows} - current


def test_three_nodes_exchange_only_what_was_released(tmp_path: Path) -> None:
    homes = {org: tmp_path / org for org in ORGS}
    ports = {org: free_port() for org in ORGS}
    urls = {org: f"http://127.0.0.1:{ports[org]}/taxii2/" for org in ORGS}
    samples = _split_sample(tmp_path / "samples")
    engines: dict[str, sa.Engine] = {}
    keys: dict[str, dict[str, str]] = {}
    for org in ORGS:
        engines[org] = init_node(homes[org], org)
        assert cawarn(homes[org], "geo", "import", str(BOUNDARIES)).returncode == 0
        partners = [p for p in ORGS if p != org]
        with engines[org].begin() as conn:
            keys[org] = setup_node(
                conn, org, partners, register_peers={p: urls[p] for p in partners}
            ).keys
    node_keys = {org: node_key(homes[org]) for org in ORGS}
    for org in ORGS:  # register each partner's real node key, as operators do
        with engines[org].begin() as conn:
            for partner in ORGS:
                if partner != org:
                    conn.execute(
                        peers.update()
                        .where(peers.c.org == partner)
                        .values(public_key=node_keys[partner])
                    )
    env = {
        f"KEY_{org.replace('-', '_')}_AT_{partner.replace('-', '_')}": keys[partner][org]
        for org in ORGS
        for partner in ORGS
        if partner != org
    }
    uids: dict[str, list[str]] = {}
    for org in (KAZ, KGZ):
        done = cawarn(homes[org], "ingest", "ucdp-ged", str(samples[org]))
        assert done.returncode == 0, done.stderr
        with engines[org].begin() as conn:
            create_user(
                conn, OFFICER[org], org, Role.RELEASING_OFFICER, "correct horse battery 9",
                actor=audit.CLI,
            )  # fmt: skip
            uids[org] = list(
                conn.execute(
                    select(events.c.uid).where(events.c.is_current).order_by(events.c.id).limit(6)
                ).scalars()
            )
    amber, green, revoked, expired, red, strict = uids[KAZ]
    kg_amber, kg_tampered = uids[KGZ][:2]

    # KAZ's decisions. A RED event is refused whatever the marking asked for.
    _release(homes[KAZ], KAZ, amber, KGZ, "AMBER")
    _release(homes[KAZ], KAZ, green, f"{KGZ},{UN}", "GREEN")
    revoked_id = _release(homes[KAZ], KAZ, revoked, f"{KGZ},{UN}", "GREEN")
    expired_id = _release(homes[KAZ], KAZ, expired, f"{KGZ},{UN}", "GREEN", "--expires", "12h")
    _release(homes[KAZ], KAZ, strict, UN, "AMBER+STRICT")
    with engines[KAZ].begin() as conn:
        conn.execute(events.update().where(events.c.uid == red).values(marking="TLP:RED"))
    for tlp in ("RED", "AMBER"):
        refused = cawarn(
            homes[KAZ], "release", "create", "--kind", "event", "--item", red, "--to", UN,
            "--tlp", tlp, "--as", OFFICER[KAZ],
        )  # fmt: skip
        assert refused.returncode != 0 and "Traceback" not in refused.stderr
    # The 12 hours of the expiring release pass at KAZ before anyone syncs.
    with engines[KAZ].begin() as conn:
        past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        conn.execute(releases.update().where(releases.c.id == expired_id).values(expires_at=past))
        conn.execute(
            taxii_objects.update()
            .where(taxii_objects.c.expires_at.is_not(None))
            .values(expires_at=past)
        )

    # KGZ's decisions: one event to KAZ, and one whose stored object is then tampered with.
    _release(homes[KGZ], KGZ, kg_amber, KAZ, "AMBER")
    _release(homes[KGZ], KGZ, kg_tampered, KAZ, "GREEN")
    with engines[KGZ].begin() as conn:
        body = conn.execute(
            select(taxii_objects.c.id, taxii_objects.c.body).where(
                taxii_objects.c.stix_id == f"incident--{kg_tampered}"
            )
        ).one()
        obj = json.loads(body.body)
        obj["name"] = f"{obj['name']} (edited in transit)"
        conn.execute(
            taxii_objects.update()
            .where(taxii_objects.c.id == body.id)
            .values(body=json.dumps(obj, separators=(",", ":"), ensure_ascii=False))
        )

    with ExitStack() as stack:
        for org in ORGS:
            stack.enter_context(serving(homes[org], port=ports[org]))
        # UN syncs first and receives the event KAZ then revokes.
        result = cawarn(homes[UN], "sync", "--json", env=env)
        assert result.returncode == 0, result.stderr
        assert _events(engines[UN], KAZ) == ({green, revoked, strict}, set())
        done = cawarn(homes[KAZ], "release", "revoke", str(revoked_id), "--as", OFFICER[KAZ])
        assert done.returncode == 0, done.stderr
        for org in (KGZ, KAZ, UN):
            result = cawarn(homes[org], "sync", "--json", env=env)
            assert result.returncode == 0, result.stderr

    # AMBER reached only its audience; the revoked event is withdrawn where it had arrived and
    # never became an event where it had not; the expired release reached no one.
    assert _events(engines[KGZ], KAZ) == ({amber, green}, set())
    assert _events(engines[UN], KAZ) == ({green, strict}, {revoked})
    assert _events(engines[KAZ], KGZ) == ({kg_amber}, set())
    assert _events(engines[UN], KGZ) == (set(), set())
    with engines[UN].connect() as conn:
        withdrawn = audit.list_rows(conn, action="event.withdraw")
    assert [(r["object_id"], r["details"]["origin"]) for r in withdrawn] == [(revoked, "kaz-ctc")]
    for org in (KGZ, UN):
        with engines[org].connect() as conn:
            held = set(conn.execute(select(taxii_objects.c.stix_id)).scalars())
        # RED never left KAZ, nor did the expired release.
        assert f"incident--{red}" not in held and f"incident--{expired}" not in held
    with engines[UN].connect() as conn:
        marking = conn.execute(
            select(events.c.marking).where(events.c.uid == strict, events.c.is_current)
        ).scalar_one()
    assert marking == "TLP:AMBER+STRICT"
    # The tampered object is refused twice at KAZ: pushed by KGZ, then pulled from KGZ.
    with engines[KAZ].connect() as conn:
        reasons = conn.execute(select(taxii_quarantine.c.stix_id, taxii_quarantine.c.reason)).all()
    assert {r.stix_id for r in reasons} == {f"incident--{kg_tampered}"}, reasons
    assert all("does not match" in r.reason for r in reasons) and len(reasons) == 2, reasons
    for engine in engines.values():
        engine.dispose()
