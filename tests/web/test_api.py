"""The API in process: sessions, CSRF, second factor, keys, rate limits, events and audit."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import cast

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cawarn.accounts import audit
from cawarn.accounts.apikeys import KEY_CACHE_SECONDS, KeyCache, create_key, revoke_key
from cawarn.accounts.directory import update_user
from cawarn.accounts.login import MAX_FAILURES
from cawarn.accounts.totp import code_at
from cawarn.domain import Marking
from cawarn.domain.access import Role
from cawarn.store.tables import api_keys, audit_log
from tests.web.conftest import NODE_ORG, PARTNER_ORG, PASSWORD, Node, insert_event, username


def _login(client: TestClient, user: str, password: str = PASSWORD, **extra: str) -> dict:  # type: ignore[type-arg]
    response = client.post(
        "/api/v1/auth/login", json={"username": user, "password": password, **extra}
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _audit_rows(node: Node, action: str) -> list[dict]:  # type: ignore[type-arg]
    with node.engine.connect() as conn:
        query = sa.select(audit_log).where(audit_log.c.action == action).order_by(audit_log.c.id)
        return [dict(row) for row in conn.execute(query).mappings()]


def test_session_cookie_is_secure_and_writes_need_the_csrf_token(
    node: Node, client: TestClient
) -> None:
    session = _login(client, username(NODE_ORG, Role.ADMIN))
    cookie = client.cookies.jar._cookies  # type: ignore[attr-defined]
    raw = next(c for domain in cookie.values() for path in domain.values() for c in path.values())
    assert raw.secure and raw.has_nonstandard_attr("HttpOnly")
    assert raw.get_nonstandard_attr("SameSite").lower() == "strict"
    me = client.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["authenticated_by"] == "session"
    body = {"code": "OSCE-PO", "title": "OSCE Programme Office", "kind": "osce"}
    refused = client.post("/api/v1/organisations", json=body)
    assert refused.status_code == 403 and "X-CSRF-Token" in refused.json()["detail"]
    wrong = client.post("/api/v1/organisations", json=body, headers={"X-CSRF-Token": "x" * 43})
    assert wrong.status_code == 403
    made = client.post(
        "/api/v1/organisations", json=body, headers={"X-CSRF-Token": session["csrf_token"]}
    )
    assert made.status_code == 201, made.text
    assert client.get("/api/v1/organisations/OSCE-PO").json()["kind"] == "osce"
    [row] = _audit_rows(node, "organisation.create")[-1:]
    assert row["actor"] == username(NODE_ORG, Role.ADMIN) and row["object_id"] == "OSCE-PO"
    stolen = client.cookies["cawarn_session"]
    out = client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": session["csrf_token"]})
    assert out.status_code == 204
    assert client.get("/api/v1/me").status_code == 401
    # Logging out ends the session itself, not only the browser's copy of the cookie.
    client.cookies.set("cawarn_session", stolen)
    assert client.get("/api/v1/me").status_code == 401
    assert _audit_rows(node, "logout")[-1]["actor"] == username(NODE_ORG, Role.ADMIN)


def test_a_tampered_or_foreign_cookie_is_no_session(node: Node, client: TestClient) -> None:
    _login(client, username(NODE_ORG, Role.ANALYST))
    value = client.cookies["cawarn_session"]
    client.cookies.clear()
    client.cookies.set("cawarn_session", value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
    assert client.get("/api/v1/me").status_code == 401


def test_wrong_passwords_lock_the_account(node: Node, client: TestClient) -> None:
    user = username(NODE_ORG, Role.ANALYST)
    for _ in range(MAX_FAILURES):
        bad = client.post("/api/v1/auth/login", json={"username": user, "password": "wrong"})
        assert (
            bad.status_code == 401 and bad.json()["detail"] == "The username or password is wrong."
        )
    locked = client.post("/api/v1/auth/login", json={"username": user, "password": PASSWORD})
    assert locked.status_code == 401 and "locked" in locked.json()["detail"]
    failures = _audit_rows(node, "login.failure")
    assert failures[-1]["details"] == {"reason": "bad_credentials", "locked": True}
    # An unknown user answers exactly like a wrong password.
    unknown = client.post("/api/v1/auth/login", json={"username": "nobody", "password": "x"})
    assert unknown.json() == {"detail": "The username or password is wrong."}


def test_logins_are_rate_limited(node: Node, client: TestClient) -> None:
    limiter = client.app.state.login_limiters["user"]  # type: ignore[attr-defined]
    statuses = [
        client.post("/api/v1/auth/login", json={"username": "ghost", "password": "x"}).status_code
        for _ in range(limiter.limit + 1)
    ]
    assert statuses[:-1] == [401] * limiter.limit
    assert statuses[-1] == 429
    last = client.post("/api/v1/auth/login", json={"username": "ghost", "password": "x"})
    assert last.status_code == 429 and int(last.headers["retry-after"]) >= 1


def test_totp_enrolment_then_login_needs_the_code(node: Node, client: TestClient) -> None:
    user = username(PARTNER_ORG, Role.DUTY_OFFICER)
    session = _login(client, user)
    csrf = {"X-CSRF-Token": session["csrf_token"]}
    started = client.post("/api/v1/me/totp", headers=csrf)
    assert started.status_code == 201
    secret = started.json()["secret"]
    assert started.json()["otpauth_uri"].startswith("otpauth://totp/cawarn:")
    wrong = client.post("/api/v1/me/totp/confirm", json={"code": "000000"}, headers=csrf)
    assert wrong.status_code == 422 or code_at(secret, dt.datetime.now(dt.UTC)) == "000000"
    now_code = code_at(secret, dt.datetime.now(dt.UTC))
    assert (
        client.post("/api/v1/me/totp/confirm", json={"code": now_code}, headers=csrf).status_code
        == 204
    )
    client.cookies.clear()
    asked = client.post("/api/v1/auth/login", json={"username": user, "password": PASSWORD})
    assert asked.status_code == 401 and "one-time code" in asked.json()["detail"]
    bad_code = "111111" if now_code != "111111" else "222222"
    bad = client.post(
        "/api/v1/auth/login", json={"username": user, "password": PASSWORD, "totp": bad_code}
    )
    assert bad.status_code == 401
    # The code that confirmed the enrolment was used; the next one (one step of drift) is good,
    # once.
    following = code_at(secret, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30))
    ok = _login(client, user, totp=following)
    assert ok["user"]["totp_enabled"] is True
    client.cookies.clear()
    replay = client.post(
        "/api/v1/auth/login", json={"username": user, "password": PASSWORD, "totp": following}
    )
    assert replay.status_code == 401 and "one-time code is wrong" in replay.json()["detail"]


def test_read_only_expired_revoked_and_deactivated_keys(node: Node, client: TestClient) -> None:
    admin = username(NODE_ORG, Role.ADMIN)
    with node.engine.begin() as conn:
        read_only, _ = create_key(conn, admin, read_only=True, lifetime=None, actor=audit.CLI)
        short, record = create_key(
            conn, admin, read_only=False, lifetime=dt.timedelta(hours=1), actor=audit.CLI
        )
        revoked, revoked_record = create_key(
            conn, admin, read_only=False, lifetime=None, actor=audit.CLI
        )
        revoke_key(conn, revoked_record.prefix, actor=audit.CLI)
        conn.execute(
            api_keys.update()
            .where(api_keys.c.prefix == record.prefix)
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    ro = {"Authorization": f"Bearer {read_only}"}
    assert client.get("/api/v1/users", headers=ro).status_code == 200
    body = {"code": "RO-TEST", "title": "x", "kind": "other"}
    refused = client.post("/api/v1/organisations", json=body, headers=ro)
    assert refused.status_code == 403 and "read-only" in refused.json()["detail"]
    for key in (short, revoked):
        assert (
            client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401
        )
    # Deactivating a user shuts out their keys at once.
    target = username(PARTNER_ORG, Role.ANALYST)
    assert (
        client.get("/api/v1/me", headers=node.headers(PARTNER_ORG, Role.ANALYST)).status_code == 200
    )
    patched = client.patch(
        f"/api/v1/users/{target}",
        json={"active": False},
        headers=node.headers(NODE_ORG, Role.ADMIN),
    )
    assert patched.status_code == 200 and patched.json()["active"] is False
    assert (
        client.get("/api/v1/me", headers=node.headers(PARTNER_ORG, Role.ANALYST)).status_code == 401
    )
    assert _audit_rows(node, "user.update")[-1]["details"] == {"active": False}


def test_a_key_revoked_elsewhere_is_refused_within_the_cache_bound(
    node: Node, client: TestClient
) -> None:
    """A key revoked by another process (the CLI) works for at most the cache's seconds."""
    clock = [0.0]
    app = cast(FastAPI, client.app)
    app.state.api_keys = KeyCache(ttl=KEY_CACHE_SECONDS, clock=lambda: clock[0])
    admin = username(NODE_ORG, Role.ADMIN)
    with node.engine.begin() as conn:
        key, record = create_key(conn, admin, read_only=True, lifetime=None, actor=audit.CLI)
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with node.engine.begin() as conn:
        revoke_key(conn, record.prefix, actor=audit.CLI)
    # Still within the bound: this server verified the key less than KEY_CACHE_SECONDS ago.
    clock[0] += KEY_CACHE_SECONDS / 2
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    clock[0] += KEY_CACHE_SECONDS
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    # A role changed elsewhere takes effect within the same bound.
    analyst = node.headers(PARTNER_ORG, Role.ANALYST)
    assert client.get("/api/v1/events", headers=analyst).status_code == 200
    with node.engine.begin() as conn:
        update_user(conn, username(PARTNER_ORG, Role.ANALYST), actor=audit.CLI, role=Role.REPORTER)
    clock[0] += KEY_CACHE_SECONDS + 0.1
    assert client.get("/api/v1/me", headers=analyst).json()["user"]["role"] == "reporter"


def test_reading_amber_or_red_events_is_audited(node: Node, client: TestClient) -> None:
    headers = node.headers(NODE_ORG, Role.ANALYST)
    clear = node.event_uids[(NODE_ORG, Marking.CLEAR)]
    assert client.get(f"/api/v1/events/{clear}", headers=headers).status_code == 200
    assert _audit_rows(node, "events.read") == []
    red = node.event_uids[(NODE_ORG, Marking.RED)]
    assert client.get(f"/api/v1/events/{red}", headers=headers).json()["marking"] == "TLP:RED"
    [row] = _audit_rows(node, "events.read")
    assert (row["object_id"], row["marking"], row["actor"]) == (
        red,
        "TLP:RED",
        username(NODE_ORG, Role.ANALYST),
    )
    listing = client.get("/api/v1/events", params={"country": "KGZ"}, headers=headers)
    assert listing.status_code == 200
    last = _audit_rows(node, "events.read")[-1]
    assert last["marking"] == "TLP:RED" and last["details"]["restricted_count"] == 3
    assert last["details"]["filter"]["country"] == ["KGZ"]
    # An observer's listing holds nothing restricted, so it is not audited.
    before = len(_audit_rows(node, "events.read"))
    client.get("/api/v1/events", headers=node.headers(NODE_ORG, Role.PARTNER_OBSERVER))
    assert len(_audit_rows(node, "events.read")) == before


def test_event_filters_pagination_and_exports(node: Node, client: TestClient) -> None:
    with node.engine.begin() as conn:
        batch_id = conn.execute(sa.text("SELECT max(id) FROM batches")).scalar_one()
        for day in range(1, 8):
            insert_event(
                conn,
                batch_id,
                owner=NODE_ORG,
                marking=Marking.GREEN,
                country="TJK",
                category="protest" if day % 2 else "armed_clash",
                day=dt.date(2023, 3, day),
            )
    headers = node.headers(NODE_ORG, Role.REPORTER)
    tjk = {"country": "TJK"}
    first = client.get("/api/v1/events", params={**tjk, "per_page": 3}, headers=headers).json()
    assert (first["total"], first["next_page"], len(first["items"])) == (7, 2, 3)
    pages = [first]
    while pages[-1]["next_page"]:
        pages.append(
            client.get(
                "/api/v1/events",
                params={**tjk, "per_page": 3, "page": pages[-1]["next_page"]},
                headers=headers,
            ).json()
        )
    days = [item["date_start"] for page in pages for item in page["items"]]
    assert days == [f"2023-03-0{day}" for day in range(1, 8)]
    protests = client.get(
        "/api/v1/events", params={**tjk, "category": "protest"}, headers=headers
    ).json()
    assert protests["total"] == 4
    window = client.get(
        "/api/v1/events", params={**tjk, "from": "2023-03-02", "to": "2023-03-04"}, headers=headers
    ).json()
    assert window["total"] == 3
    assert (
        client.get("/api/v1/events", params={"source": "other"}, headers=headers).json()["total"]
        == 0
    )
    # Every seeded event lies at 42.87 N 74.59 E (Bishkek).
    inside = client.get("/api/v1/events", params={"bbox": "74,42,75,43"}, headers=headers).json()
    outside = client.get("/api/v1/events", params={"bbox": "60,35,70,40"}, headers=headers).json()
    assert inside["total"] == 7 + 4 + 2 and outside["total"] == 0
    for bad in ("1,2,3", "75,42,74,43", "a,b,c,d", "0,0,0,nan"):
        answer = client.get("/api/v1/events", params={"bbox": bad}, headers=headers)
        assert answer.status_code == 422 and "min_lon" in answer.json()["detail"], bad
    backwards = client.get(
        "/api/v1/events", params={"from": "2023-03-04", "to": "2023-03-01"}, headers=headers
    )
    assert backwards.status_code == 422 and "swap" in backwards.json()["detail"]
    # Exports hold every match the caller may see, and nothing else.
    exported = client.get("/api/v1/events", params={"format": "csv", "hxl": True}, headers=headers)
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert rows[0]["uid"] == "#event+id"
    markings = {row["marking"] for row in rows[1:]}
    assert len(rows) - 1 == 7 + 2 + 2 + 2  # TJK; own CLEAR/GREEN/AMBER/AMBER+STRICT; others' open
    assert "TLP:RED" not in markings
    geo = client.get("/api/v1/events", params={**tjk, "format": "geojson"}, headers=headers)
    assert geo.headers["content-type"] == "application/geo+json"
    features = json.loads(geo.text)["features"]
    assert len(features) == 7 and features[0]["geometry"]["type"] == "Point"


def test_audit_chain_holds_and_tampering_is_found(node: Node, client: TestClient) -> None:
    client.post(
        "/api/v1/users",
        json={
            "username": "kgz.new",
            "organisation": PARTNER_ORG,
            "role": "reporter",
            "password": "a long enough password",
        },
        headers=node.headers(PARTNER_ORG, Role.ADMIN),
    )
    with node.engine.begin() as conn:
        assert audit.verify_chain(conn) is None
        row = conn.execute(
            sa.select(audit_log.c.id).where(audit_log.c.object_id == "kgz.new")
        ).scalar_one()
        conn.execute(
            audit_log.update().where(audit_log.c.id == row).values(details={"role": "admin"})
        )
        assert audit.verify_chain(conn) == row


def test_large_exports_stream_every_row(node: Node, client: TestClient) -> None:
    with node.engine.begin() as conn:
        batch_id = conn.execute(sa.text("SELECT max(id) FROM batches")).scalar_one()
        for number in range(700):
            insert_event(
                conn,
                batch_id,
                owner=PARTNER_ORG,
                marking=Marking.AMBER if number % 7 == 0 else Marking.CLEAR,
                country="UZB",
                day=dt.date(2022, 1, 1) + dt.timedelta(days=number),
            )
    headers = node.headers(PARTNER_ORG, Role.ANALYST)
    with client.stream(
        "GET", "/api/v1/events", params={"country": "UZB", "format": "csv"}, headers=headers
    ) as response:
        assert response.status_code == 200
        text = "".join(response.iter_text())
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 700 and len(text) > 2 * 65536  # sent in several pieces
    assert [row["date_start"] for row in rows] == sorted(row["date_start"] for row in rows)
    [row] = _audit_rows(node, "events.read")
    assert row["details"]["restricted_count"] == 100 and row["details"]["format"] == "csv"
    geo = client.get(
        "/api/v1/events", params={"country": "UZB", "format": "geojson"}, headers=headers
    )
    assert len(json.loads(geo.text)["features"]) == 700


def test_deactivation_or_a_new_role_ends_sessions(node: Node, client: TestClient) -> None:
    user = username(PARTNER_ORG, Role.REPORTER)
    _login(client, user)
    admin = node.headers(PARTNER_ORG, Role.ADMIN)
    assert client.get("/api/v1/me").json()["user"]["role"] == "reporter"
    client.patch(f"/api/v1/users/{user}", json={"role": "analyst"}, headers=admin)
    assert client.get("/api/v1/me").status_code == 401
    assert _login(client, user)["user"]["role"] == "analyst"
    client.patch(f"/api/v1/users/{user}", json={"active": False}, headers=admin)
    client.patch(f"/api/v1/users/{user}", json={"active": True}, headers=admin)
    assert client.get("/api/v1/me").status_code == 401


def test_administrators_cannot_lock_themselves_out(node: Node, client: TestClient) -> None:
    me = username(NODE_ORG, Role.ADMIN)
    answer = client.patch(
        f"/api/v1/users/{me}", json={"active": False}, headers=node.headers(NODE_ORG, Role.ADMIN)
    )
    assert answer.status_code == 422 and "another administrator" in answer.json()["detail"]
    assert client.get("/api/v1/me", headers=node.headers(NODE_ORG, Role.ADMIN)).status_code == 200


def test_own_keys_and_password(node: Node, client: TestClient) -> None:
    user = username(NODE_ORG, Role.VERIFIER)
    headers = node.headers(NODE_ORG, Role.VERIFIER)
    made = client.post("/api/v1/me/apikeys", json={"read_only": True}, headers=headers)
    assert made.status_code == 201
    key = made.json()["key"]
    assert made.json()["read_only"] and made.json()["expires_at"] is not None
    listed = client.get("/api/v1/me/apikeys", headers=headers).json()
    assert made.json()["prefix"] in {k["prefix"] for k in listed}
    assert all("key" not in k for k in listed)
    new_key = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/me", headers=new_key).json()["read_only"] is True
    assert client.post("/api/v1/me/apikeys", json={}, headers=new_key).status_code == 403
    session = _login(client, user)
    wrong = client.post(
        "/api/v1/me/password",
        json={"current": "not it", "new": "a brand new password"},
        headers={"X-CSRF-Token": session["csrf_token"]},
    )
    assert wrong.status_code == 422
    changed = client.post(
        "/api/v1/me/password",
        json={"current": PASSWORD, "new": "a brand new password"},
        headers={"X-CSRF-Token": session["csrf_token"]},
    )
    assert changed.status_code == 204
    assert client.get("/api/v1/me").status_code == 401  # the session ended with the old password
    _login(client, user, password="a brand new password")
    assert (
        client.delete(f"/api/v1/me/apikeys/{made.json()['prefix']}", headers=headers).status_code
        == 204
    )
    assert client.get("/api/v1/me", headers=new_key).status_code == 401


def test_units_and_panels(store: sa.Engine, node: Node, client: TestClient) -> None:
    headers = node.headers(PARTNER_ORG, Role.DUTY_OFFICER)
    units = client.get("/api/v1/units", params={"country": "TJK"}, headers=headers).json()
    assert units and {unit["country"] for unit in units} == {"TJK"}
    assert all(unit["code"].startswith("TJ-") and unit["name_ru"] for unit in units)
    assert [unit["code"] for unit in units] == sorted(unit["code"] for unit in units)
    everything = client.get("/api/v1/units", headers=headers).json()
    assert {unit["country"] for unit in everything} == {"AFG", "KAZ", "KGZ", "TJK", "TKM", "UZB"}
    [panel] = client.get("/api/v1/panels", headers=headers).json()
    detail = client.get(f"/api/v1/panels/{panel['id']}", headers=headers).json()
    assert detail["level"] == "country" and detail["columns"] == ["ged_best"]
    assert client.get("/api/v1/panels/999999", headers=headers).status_code == 404


def test_the_listing_total_follows_new_events_and_long_events_are_kept(
    node: Node, client: TestClient
) -> None:
    from cawarn.store.tables import events
    from cawarn.web.api.schemas import EventPage

    headers = node.headers(NODE_ORG, Role.ANALYST)
    params = {"country": "UZB", "from": "2023-03-01", "to": "2023-03-31"}
    with node.engine.begin() as conn:
        batch_id = conn.execute(sa.text("SELECT max(id) FROM batches")).scalar_one()
        short = insert_event(
            conn,
            batch_id,
            owner=NODE_ORG,
            marking=Marking.GREEN,
            country="UZB",
            day=dt.date(2023, 3, 5),
        )
    first = client.get("/api/v1/events", params=params, headers=headers).json()
    assert first["total"] == 1
    with node.engine.begin() as conn:
        # Started three months before 'from' and still going on it: it overlaps the window.
        long = insert_event(
            conn,
            batch_id,
            owner=NODE_ORG,
            marking=Marking.GREEN,
            country="UZB",
            day=dt.date(2022, 12, 1),
        )
        conn.execute(
            events.update()
            .where(events.c.uid == long)
            .values(date_end=dt.date(2023, 3, 2), updated_at=dt.datetime.now(dt.UTC))
        )
    answer = client.get("/api/v1/events", params=params, headers=headers)
    page = EventPage.model_validate(answer.json())  # the hand-built JSON keeps the schema
    assert page.total == 2
    assert [item.uid for item in page.items] == [long, short]
    assert answer.headers["cache-control"] == "no-store"
