"""Sync between two nodes in process: pull by cursor, push, idempotence, resume after a crash."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cawarn.config import Settings
from cawarn.domain.events import Marking
from cawarn.network import sync
from cawarn.network.peers import get_peer
from cawarn.store.engine import create_engine_for, migrate
from cawarn.store.schema_taxii import taxii_objects, taxii_quarantine
from cawarn.web.app import create_app
from tests.network.stixdata import (
    KAZ,
    KGZ,
    UN,
    incident,
    located_at,
    location,
    release,
    setup_node,
)
from tests.network.taxii.conftest import SECRET

KEY_ENV = "KEY_KGZ_NCTC_AT_KAZ_CTC"


@pytest.fixture
def kaz(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[sa.Engine, TestClient]]:
    """Node KAZ-CTC (always SQLite) serving TAXII in process; KGZ-NCTC's key in the env."""
    home = tmp_path / "kaz"
    home.mkdir()
    settings = Settings(home=home, organisation=KAZ, secret_key=SECRET)  # type: ignore[call-arg]
    engine = create_engine_for(settings)
    migrate(engine)
    with engine.begin() as conn:
        setup = setup_node(conn, KAZ, [KGZ, UN])
    monkeypatch.setenv(KEY_ENV, setup.keys[KGZ])
    with TestClient(create_app(settings, engine=engine)) as client:
        yield engine, client
    engine.dispose()


@pytest.fixture
def kgz(backend: Settings, engine: sa.Engine) -> tuple[sa.Engine, Settings]:
    """Node KGZ-NCTC on the backend under test, with KAZ-CTC as its peer."""
    with engine.begin() as conn:
        setup_node(conn, KGZ, [KAZ], register_peers={KAZ: "http://testserver/taxii2/"})
    return engine, backend.model_copy(update={"organisation": KGZ})


def _ids(engine: sa.Engine, origin: str) -> list[str]:
    with engine.connect() as conn:
        return sorted(
            conn.execute(
                select(taxii_objects.c.stix_id).where(taxii_objects.c.origin == origin)
            ).scalars()
        )


def test_pull_and_push_then_nothing_twice(
    kaz: tuple[sa.Engine, TestClient], kgz: tuple[sa.Engine, Settings]
) -> None:
    kaz_engine, client = kaz
    kgz_engine, kgz_settings = kgz
    with kaz_engine.begin() as conn:
        released = [
            release(conn, incident(f"k{i}", KAZ, Marking.AMBER), KAZ, [KGZ], Marking.AMBER)["id"]
            for i in range(5)
        ]
        release(conn, incident("un", KAZ, Marking.GREEN), KAZ, [UN], Marking.GREEN)
        release(conn, incident("red", KAZ, Marking.RED), KAZ, [KGZ], Marking.RED)
    with kgz_engine.begin() as conn:
        mine = [
            release(conn, incident(f"g{i}", KGZ, Marking.GREEN), KGZ, [KAZ], Marking.GREEN)["id"]
            for i in range(3)
        ]
        release(conn, incident("not-kaz", KGZ, Marking.GREEN), KGZ, [UN], Marking.GREEN)
        peer = get_peer(conn, "kaz-ctc")
    report = sync.sync_peer(kgz_engine, kgz_settings, peer, http=client)
    assert (report.pulled_new, report.quarantined, report.pushed) == (5, 0, 3), report
    assert _ids(kgz_engine, "kaz-ctc") == sorted(released)
    assert _ids(kaz_engine, "kgz-nctc") == sorted(mine)
    again = sync.sync_peer(kgz_engine, kgz_settings, peer, http=client)
    assert (again.pulled_new, again.pushed, again.quarantined) == (0, 0, 0)
    with kgz_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(taxii_objects)).scalar() == 9
    # A new release is pulled on the next run, from the cursor.
    with kaz_engine.begin() as conn:
        late = release(conn, incident("late", KAZ, Marking.AMBER), KAZ, [KGZ], Marking.AMBER)
    third = sync.sync_peer(kgz_engine, kgz_settings, peer, http=client)
    assert third.pulled_new == 1 and late["id"] in _ids(kgz_engine, "kaz-ctc")


class _Dies:
    """Passes requests to the app until the n-th objects page, then fails like a killed link."""

    def __init__(self, inner: TestClient, pages: int) -> None:
        self.inner, self.pages = inner, pages

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        if method == "GET" and url.endswith("/objects/"):
            self.pages -= 1
            if self.pages < 0:
                raise httpx.ConnectError("connection reset")
        return self.inner.request(method, url, **kwargs)


def test_a_sync_cut_off_mid_way_resumes_without_loss_or_duplicates(
    kaz: tuple[sa.Engine, TestClient],
    kgz: tuple[sa.Engine, Settings],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kaz_engine, client = kaz
    kgz_engine, kgz_settings = kgz
    monkeypatch.setattr(sync, "PAGE_SIZE", 3)
    with kaz_engine.begin() as conn:
        released = [
            release(conn, incident(f"k{i}", KAZ, Marking.AMBER), KAZ, [KGZ], Marking.AMBER)["id"]
            for i in range(10)
        ]
    with kgz_engine.connect() as conn:
        peer = get_peer(conn, "kaz-ctc")
    for pages in (1, 2):  # cut after one page, then after two more
        cut: Any = _Dies(client, pages)
        with pytest.raises(sync.SyncError, match="did not answer"):
            sync.sync_peer(kgz_engine, kgz_settings, peer, http=cut)
    sync.sync_peer(kgz_engine, kgz_settings, peer, http=client)
    assert _ids(kgz_engine, "kaz-ctc") == sorted(released)
    with kgz_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(taxii_objects)).scalar() == 10


def test_a_tampered_object_is_quarantined_on_pull(
    kaz: tuple[sa.Engine, TestClient], kgz: tuple[sa.Engine, Settings]
) -> None:
    kaz_engine, client = kaz
    kgz_engine, kgz_settings = kgz
    with kaz_engine.begin() as conn:
        good = release(conn, incident("good", KAZ, Marking.AMBER), KAZ, [KGZ], Marking.AMBER)
        bad = release(conn, incident("bad", KAZ, Marking.AMBER), KAZ, [KGZ], Marking.AMBER)
        conn.execute(
            taxii_objects.update()
            .where(taxii_objects.c.stix_id == bad["id"])
            .values(body=func.replace(taxii_objects.c.body, "Armed clash bad", "Armed clash 99"))
        )
    with kgz_engine.connect() as conn:
        peer = get_peer(conn, "kaz-ctc")
    report = sync.sync_peer(kgz_engine, kgz_settings, peer, http=client)
    assert (report.pulled_new, report.quarantined) == (1, 1)
    assert _ids(kgz_engine, "kaz-ctc") == [good["id"]]
    with kgz_engine.connect() as conn:
        reason = conn.execute(select(taxii_quarantine.c.reason)).scalar_one()
    assert "does not match" in reason


def test_each_import_bundles_only_what_its_incidents_refer_to(
    kaz: tuple[sa.Engine, TestClient], kgz: tuple[sa.Engine, Settings]
) -> None:
    kaz_engine, client = kaz
    kgz_engine, kgz_settings = kgz

    def share(name: str) -> dict[str, Any]:
        found = incident(name, KAZ, Marking.GREEN)
        place = location(name, KAZ, Marking.GREEN)
        with kaz_engine.begin() as conn:
            for obj in (found, place, located_at(found, place["id"], KAZ, Marking.GREEN)):
                release(conn, obj, KAZ, [KGZ], Marking.GREEN)
        return found

    with kgz_engine.connect() as conn:
        peer = get_peer(conn, "kaz-ctc")
    first = share("first")
    sync.sync_peer(kgz_engine, kgz_settings, peer, http=client)
    second = share("second")
    sync.sync_peer(kgz_engine, kgz_settings, peer, http=client)
    bundles = sorted(
        (kgz_settings.home / "received").glob("kaz-ctc-*.json"), key=lambda p: p.stat().st_mtime
    )
    assert len(bundles) == 2
    ids = [{o["id"] for o in json.loads(b.read_text())["objects"]} for b in bundles]
    assert first["id"] in ids[0] and second["id"] in ids[1]
    assert location("second", KAZ, Marking.GREEN)["id"] in ids[1]
    # The second import does not carry the first incident's place or relationship again.
    assert not {i for i in ids[1] if i.startswith(("location", "relationship"))} & ids[0]
