"""TAXII reads over HTTP: discovery, collections, objects with every filter, paging, manifest."""

from __future__ import annotations

import pytest

from cawarn.domain.events import Marking
from cawarn.network.taxii.reads import COLLECTION_ID
from tests.network.stixdata import KAZ, KGZ, UN, incident, release
from tests.network.taxii.conftest import MEDIA, Served

ROOT = "/taxii2/cawarn/"
OBJECTS = f"{ROOT}collections/{COLLECTION_ID}/objects/"


def _seed(served: Served, n: int = 5) -> list[str]:
    ids = []
    with served.engine.begin() as conn:
        for i in range(n):
            obj = release(conn, incident(f"i{i}", KAZ, Marking.AMBER), KAZ, [KGZ], Marking.AMBER)
            ids.append(obj["id"])
        release(conn, incident("un-only", KAZ, Marking.GREEN), KAZ, [UN], Marking.GREEN)
        release(conn, incident("red", KAZ, Marking.RED), KAZ, [KGZ, UN], Marking.RED)
    return ids


def test_discovery_root_and_collections(served: Served) -> None:
    answer = served.client.get("/taxii2/", headers=served.headers(KGZ))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == MEDIA
    assert answer.json()["api_roots"] == ["http://testserver/taxii2/cawarn/"]
    root = served.client.get(ROOT, headers=served.headers(KGZ, basic=False)).json()
    assert root["versions"] == [MEDIA]
    collections = served.client.get(f"{ROOT}collections/", headers=served.headers(KGZ)).json()
    assert [c["id"] for c in collections["collections"]] == [COLLECTION_ID]
    assert collections["collections"][0]["can_write"] is True


def test_authentication_and_media_types(served: Served) -> None:
    assert served.client.get("/taxii2/").status_code == 401
    bad = {**served.headers(KGZ), "Authorization": "Bearer cawarn_nope"}
    answer = served.client.get("/taxii2/", headers=bad)
    assert answer.status_code == 401 and answer.json()["http_status"] == "401"
    import base64

    mixed = base64.b64encode(f"node.un-rcca:{served.setup.keys[KGZ]}".encode()).decode()
    wrong_user = {**served.headers(KGZ), "Authorization": f"Basic {mixed}"}
    assert served.client.get("/taxii2/", headers=wrong_user).status_code == 401
    assert served.client.get("/taxii2/", headers=served.headers(UN)).status_code == 200
    xml = {**served.headers(KGZ), "Accept": "application/xml"}
    assert served.client.get("/taxii2/", headers=xml).status_code == 406
    old = {**served.headers(KGZ), "Accept": "application/taxii+json;version=2.0"}
    assert served.client.get("/taxii2/", headers=old).status_code == 406
    post = served.client.post(OBJECTS, headers=served.headers(KGZ), content=b"{}")
    assert post.status_code == 415
    assert served.client.get("/taxii2/nope/", headers=served.headers(KGZ)).status_code == 404


def test_a_peer_receives_only_what_was_released_to_it(served: Served) -> None:
    ids = _seed(served)
    kgz = served.client.get(OBJECTS, headers=served.headers(KGZ)).json()
    assert [o["id"] for o in kgz["objects"]] == ids  # not UN's, never RED
    un = served.client.get(OBJECTS, headers=served.headers(UN)).json()
    assert [o["name"] for o in un["objects"]] == ["Armed clash un-only"]
    hidden = served.client.get(f"{OBJECTS}{ids[0]}/", headers=served.headers(UN))
    assert hidden.status_code == 404 and hidden.json()["http_status"] == "404"
    seen = served.client.get(f"{OBJECTS}{ids[0]}/", headers=served.headers(KGZ))
    assert seen.status_code == 200 and seen.json()["objects"][0]["id"] == ids[0]


def test_paging_with_next_reaches_every_object_once(served: Served) -> None:
    ids = _seed(served, 7)
    got, params, pages = [], {"limit": "3"}, 0
    while True:
        answer = served.client.get(OBJECTS, headers=served.headers(KGZ), params=params)
        body = answer.json()
        got += [o["id"] for o in body.get("objects", [])]
        pages += 1
        assert (
            answer.headers["X-TAXII-Date-Added-First"] <= answer.headers["X-TAXII-Date-Added-Last"]
        )
        if not body["more"]:
            break
        params = {"limit": "3", "next": body["next"]}
    assert got == ids and pages == 3


def test_a_next_token_is_bound_to_its_filter(served: Served) -> None:
    _seed(served, 4)
    first = served.client.get(OBJECTS, headers=served.headers(KGZ), params={"limit": "2"}).json()
    changed = served.client.get(
        OBJECTS,
        headers=served.headers(KGZ),
        params={"limit": "2", "next": first["next"], "match[type]": "location"},
    )
    assert changed.status_code == 400
    forged = served.client.get(
        OBJECTS, headers=served.headers(KGZ), params={"next": "1." + "0" * 32}
    )
    assert forged.status_code == 400
    # Another peer cannot reuse the token either.
    stolen = served.client.get(
        OBJECTS, headers=served.headers(UN), params={"limit": "2", "next": first["next"]}
    )
    assert stolen.status_code == 400


def test_added_after_and_match_filters(served: Served) -> None:
    ids = _seed(served, 3)
    first = served.client.get(OBJECTS, headers=served.headers(KGZ), params={"limit": "1"})
    after = first.headers["X-TAXII-Date-Added-Last"]
    rest = served.client.get(OBJECTS, headers=served.headers(KGZ), params={"added_after": after})
    assert [o["id"] for o in rest.json()["objects"]] == ids[1:]
    by_id = served.client.get(
        OBJECTS, headers=served.headers(KGZ), params={"match[id]": f"{ids[2]},{ids[0]}"}
    )
    assert sorted(o["id"] for o in by_id.json()["objects"]) == sorted([ids[0], ids[2]])
    none = served.client.get(
        OBJECTS, headers=served.headers(KGZ), params={"match[type]": "location"}
    )
    assert none.json() == {"more": False}
    spec = served.client.get(
        OBJECTS, headers=served.headers(KGZ), params={"match[spec_version]": "2.0"}
    )
    assert "objects" not in spec.json()
    bad = served.client.get(OBJECTS, headers=served.headers(KGZ), params={"added_after": "soon"})
    assert bad.status_code == 400


def test_versions_and_the_version_filter(served: Served) -> None:
    with served.engine.begin() as conn:
        for day in ("01", "02", "03"):
            release(
                conn,
                incident("v", KAZ, Marking.GREEN, modified=f"2026-11-{day}T10:00:00.000Z"),
                KAZ,
                [KGZ],
                Marking.GREEN,
            )
    the_id = incident("v", KAZ, Marking.GREEN)["id"]
    versions = served.client.get(f"{OBJECTS}{the_id}/versions/", headers=served.headers(KGZ)).json()
    assert [v[:10] for v in versions["versions"]] == ["2026-11-01", "2026-11-02", "2026-11-03"]

    def modified(version: str) -> list[str]:
        answer = served.client.get(
            OBJECTS, headers=served.headers(KGZ), params={"match[version]": version}
        )
        return [o["modified"][:10] for o in answer.json().get("objects", [])]

    assert modified("last") == ["2026-11-03"]
    assert modified("first") == ["2026-11-01"]
    assert modified("all") == ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert modified("2026-11-02T10:00:00Z") == ["2026-11-02"]
    assert versions["more"] is False
    assert (
        served.client.get(f"{OBJECTS}{the_id}/versions/", headers=served.headers(UN)).status_code
        == 404
    )


def test_manifest_lists_what_objects_lists(served: Served) -> None:
    ids = _seed(served, 3)
    manifest = served.client.get(
        f"{ROOT}collections/{COLLECTION_ID}/manifest/", headers=served.headers(KGZ)
    ).json()
    assert [m["id"] for m in manifest["objects"]] == ids
    assert manifest["objects"][0]["media_type"] == "application/stix+json;version=2.1"


@pytest.mark.parametrize("path", ["", "collections/", f"collections/{COLLECTION_ID}/objects/"])
def test_an_account_that_is_not_a_peer_gets_404(served: Served, path: str) -> None:
    from cawarn.accounts import audit
    from cawarn.accounts.apikeys import create_key
    from cawarn.accounts.directory import create_user
    from cawarn.domain.access import Role

    with served.engine.begin() as conn:
        create_user(
            conn, "kaz.analyst", KAZ, Role.ANALYST, "correct horse battery 9", actor=audit.CLI
        )
        key, _ = create_key(conn, "kaz.analyst", read_only=False, lifetime=None, actor=audit.CLI)
    answer = served.client.get(
        f"{ROOT}{path}", headers={"Authorization": f"Bearer {key}", "Accept": MEDIA}
    )
    assert answer.status_code == 404


def test_reading_amber_objects_is_audited_and_green_is_not(served: Served) -> None:
    from sqlalchemy import select

    from cawarn.store.tables import audit_log

    amber = _seed(served, n=2)
    with served.engine.begin() as conn:
        green = release(conn, incident("g", KAZ, Marking.GREEN), KAZ, [KGZ], Marking.GREEN)
    assert served.client.get(OBJECTS, headers=served.headers(KGZ)).status_code == 200
    one = served.client.get(f"{OBJECTS}{green['id']}/", headers=served.headers(KGZ))
    assert one.status_code == 200
    with served.engine.connect() as conn:
        rows = conn.execute(
            select(audit_log.c.action, audit_log.c.details).where(
                audit_log.c.action == "taxii.read"
            )
        ).all()
    assert len(rows) == 1  # the listing served AMBER; reading the GREEN object alone did not
    assert sorted(rows[0].details["objects"]) == sorted(amber)


def test_last_and_first_are_the_versions_the_reader_may_see(served: Served) -> None:
    # Released to KGZ on the 1st, then a newer version to UN only on the 2nd: KGZ's "last" is
    # still the version released to it, not nothing.
    with served.engine.begin() as conn:
        release(
            conn,
            incident("w", KAZ, Marking.GREEN, modified="2026-11-01T10:00:00.000Z"),
            KAZ,
            [KGZ],
            Marking.GREEN,
        )
        release(
            conn,
            incident("w", KAZ, Marking.GREEN, modified="2026-11-02T10:00:00.000Z"),
            KAZ,
            [UN],
            Marking.GREEN,
        )

    def seen(org: str, version: str) -> list[str]:
        answer = served.client.get(
            OBJECTS, headers=served.headers(org), params={"match[version]": version}
        )
        return [o["modified"][:10] for o in answer.json().get("objects", [])]

    assert seen(KGZ, "last") == ["2026-11-01"]
    assert seen(UN, "last") == ["2026-11-02"]
    assert seen(UN, "first") == ["2026-11-02"]
    assert seen(KGZ, "first") == ["2026-11-01"]
