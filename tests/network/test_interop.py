"""Interoperability with TAXII software others wrote: taxii2-client and medallion (OASIS).

taxii2-client reads and writes our server, served by a real ``cawarn serve`` process; our sync
client pulls from and pushes to medallion (memory backend), started by the test.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import select
from taxii2client.v21 import ApiRoot, Server, as_pages

from cawarn.config import Settings
from cawarn.domain.events import Marking
from cawarn.network import sync
from cawarn.network.peers import add_peer, get_peer
from cawarn.network.taxii.reads import COLLECTION_ID
from cawarn.store.engine import create_engine_for, migrate
from cawarn.store.schema_taxii import taxii_objects
from tests.network.servers import init_node, medallion, medallion_config, serving
from tests.network.stixdata import (
    KAZ,
    KGZ,
    UN,
    incident,
    public_key_b64,
    release,
    setup_node,
    signed,
)

pytestmark = pytest.mark.slow


def test_taxii2_client_reads_pages_and_adds_objects(tmp_path: Path) -> None:
    home = tmp_path / "kaz"
    engine = init_node(home, KAZ)
    with engine.begin() as conn:
        setup = setup_node(conn, KAZ, [KGZ, UN])
        released = [
            release(conn, incident(f"k{i}", KAZ, Marking.AMBER), KAZ, [KGZ], Marking.AMBER)["id"]
            for i in range(23)
        ]
        release(conn, incident("un-only", KAZ, Marking.GREEN), KAZ, [UN], Marking.GREEN)
    engine.dispose()
    with serving(home) as base:
        server = Server(base, user="node.kgz-nctc", password=setup.keys[KGZ])
        assert server.title == "cawarn node"
        root = server.default
        assert root is not None and [c.id for c in root.collections] == [COLLECTION_ID]
        collection = root.collections[0]
        assert collection.can_read and collection.can_write
        got = []
        pages = 0
        for envelope in as_pages(collection.get_objects, per_request=5):
            got += [obj["id"] for obj in envelope.get("objects", [])]
            pages += 1
        assert got == released and pages == 5
        one = collection.get_object(released[3])
        assert one["objects"][0]["id"] == released[3]
        manifest = collection.get_manifest()
        assert len(manifest["objects"]) == 23
        theirs = signed(incident("from-kgz", KGZ, Marking.GREEN), KGZ, [KAZ])
        status = collection.add_objects({"objects": [theirs]})
        assert status.status == "complete" and status.success_count == 1
        tampered = signed(incident("tampered", KGZ, Marking.GREEN), KGZ, [KAZ])
        tampered["name"] = "changed"
        refused = collection.add_objects({"objects": [tampered]})
        assert refused.failure_count == 1 and "does not match" in refused.failures[0]["message"]
        status.refresh()
        assert status.success_count == 1


def test_our_sync_client_against_medallion(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # medallion holds objects KAZ released to KGZ (signed by KAZ), and one tampered.
    kaz_objects = [signed(incident(f"m{i}", KAZ, Marking.AMBER), KAZ, [KGZ]) for i in range(12)]
    tampered = signed(incident("m-bad", KAZ, Marking.AMBER), KAZ, [KGZ])
    tampered["name"] = "changed"
    collection = str(uuid.uuid4())
    config = medallion_config(
        collection, [*kaz_objects, tampered], user="kgz", password="medallion-pass", page=5
    )
    home = tmp_path / "kgz"
    home.mkdir()
    settings = Settings(home=home, organisation=KGZ)  # type: ignore[call-arg]
    engine = create_engine_for(settings)
    migrate(engine)
    monkeypatch.setenv("MEDALLION_KEY", "medallion-pass")
    monkeypatch.setattr(sync, "PAGE_SIZE", 5)
    with engine.begin() as conn:
        setup_node(conn, KGZ, [])
        mine = [
            release(conn, incident(f"g{i}", KGZ, Marking.GREEN), KGZ, [KAZ], Marking.GREEN)["id"]
            for i in range(4)
        ]
    with medallion(tmp_path, config) as base:
        with engine.begin() as conn:
            add_peer(
                conn,
                "kaz-medallion",
                url=base,
                api_root="api1",
                org=KAZ,
                username="kgz",
                key_env="MEDALLION_KEY",
                public_key=public_key_b64(KAZ),
            )
            peer = get_peer(conn, "kaz-medallion")
        report = sync.sync_peer(engine, settings, peer)
        assert (report.pulled_new, report.quarantined, report.pushed) == (12, 1, 4), report
        with engine.connect() as conn:
            pulled = (
                conn.execute(
                    select(taxii_objects.c.stix_id).where(taxii_objects.c.origin == "kaz-medallion")
                )
                .scalars()
                .all()
            )
        assert sorted(pulled) == sorted(o["id"] for o in kaz_objects)
        again = sync.sync_peer(engine, settings, peer)
        assert (again.pulled_new, again.pushed) == (0, 0)
        # medallion now holds what KGZ pushed, read back with taxii2-client.
        api_root = ApiRoot(f"{base}api1/", user="kgz", password="medallion-pass")
        held = [
            o["id"]
            for page in as_pages(api_root.collections[0].get_objects, per_request=5)
            for o in page.get("objects", [])
        ]
        assert set(mine) <= set(held)
    engine.dispose()
