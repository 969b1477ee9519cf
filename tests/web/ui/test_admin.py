"""The administration pages in-process: the forms, their scope, CSRF and the audit log."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from fastapi.testclient import TestClient

from cawarn.accounts import audit, directory
from cawarn.accounts.apikeys import list_keys
from cawarn.domain.access import Action, Role, allows
from cawarn.store.tables import batches
from tests.web.conftest import NODE_ORG, PARTNER_ORG, Node, username
from tests.web.ui.conftest import log_in


def audited(node: Node, action: str, object_id: str) -> list[dict[str, object]]:
    """Audit rows of one action on one object."""
    with node.engine.begin() as conn:
        return [
            row
            for row in audit.list_rows(conn, action=action, limit=1000)
            if row["object_id"] == object_id
        ]


def user(node: Node, name: str) -> directory.User:
    with node.engine.begin() as conn:
        return directory.get_user(conn, name)


def shown_secret(html: str, kind: str) -> str:
    match = re.search(rf'data-secret="{kind}">([^<]+)</code>', html)
    assert match, f"no {kind} shown"
    return match.group(1)


def test_a_node_administrator_adds_an_organisation_and_a_user_who_can_log_in(
    ui: TestClient, ui_node: Node
) -> None:
    csrf = log_in(ui, NODE_ORG, Role.ADMIN)
    done = ui.post(
        "/admin/organisations",
        data={"csrf": csrf, "code": "TJK-CTC", "title": "Tajik CT centre", "kind": "state"},
    )
    assert done.status_code == 200 and done.url.path == "/admin"
    assert 'data-org="TJK-CTC"' in done.text
    assert audited(ui_node, "organisation.create", "TJK-CTC")[0]["actor"] == username(
        NODE_ORG, Role.ADMIN
    )
    answer = ui.post(
        "/admin/users",
        data={"csrf": csrf, "username": "tjk.duty1", "organisation": "TJK-CTC", "role": "analyst"},
    )
    assert answer.status_code == 201
    password = shown_secret(answer.text, "password")
    assert len(password) >= 20
    assert password not in ui.get("/admin").text  # shown once, never again
    created = user(ui_node, "tjk.duty1")
    assert (created.org.code, created.role) == ("TJK-CTC", Role.ANALYST)
    assert audited(ui_node, "user.create", "tjk.duty1")
    ui.cookies.clear()
    login = ui.post("/api/v1/auth/login", json={"username": "tjk.duty1", "password": password})
    assert login.status_code == 200


def test_a_refused_creation_says_why_and_changes_nothing(ui: TestClient, ui_node: Node) -> None:
    csrf = log_in(ui, NODE_ORG, Role.ADMIN)
    taken = username(PARTNER_ORG, Role.ANALYST)
    answer = ui.post(
        "/admin/users",
        data={"csrf": csrf, "username": taken, "organisation": NODE_ORG, "role": "analyst"},
    )
    assert answer.status_code == 400 and "already exists" in answer.text
    assert 'data-secret="password"' not in answer.text
    assert user(ui_node, taken).org.code == PARTNER_ORG


def test_role_change_deactivation_and_reactivation_are_audited(
    ui: TestClient, ui_node: Node
) -> None:
    csrf = log_in(ui, NODE_ORG, Role.ADMIN)
    target = username(PARTNER_ORG, Role.ANALYST)
    assert ui.post(f"/admin/users/{target}/role", data={"csrf": csrf, "role": "duty_officer"})
    assert user(ui_node, target).role is Role.DUTY_OFFICER
    ui.post(f"/admin/users/{target}/active", data={"csrf": csrf, "active": "0"})
    assert not user(ui_node, target).active
    ui.post(f"/admin/users/{target}/active", data={"csrf": csrf, "active": "1"})
    assert user(ui_node, target).active
    changes = [row["details"] for row in audited(ui_node, "user.update", target)]
    assert changes == [{"active": True}, {"active": False}, {"role": "duty_officer"}]


def test_an_administrator_cannot_change_their_own_account(ui: TestClient, ui_node: Node) -> None:
    csrf = log_in(ui, NODE_ORG, Role.ADMIN)
    me = username(NODE_ORG, Role.ADMIN)
    answer = ui.post(f"/admin/users/{me}/active", data={"csrf": csrf, "active": "0"})
    assert answer.status_code == 400 and "cannot change their own role" in answer.text
    assert user(ui_node, me).active


def test_an_api_key_is_shown_once_works_and_is_revoked(ui: TestClient, ui_node: Node) -> None:
    csrf = log_in(ui, NODE_ORG, Role.ADMIN)
    owner = username(NODE_ORG, Role.ANALYST)
    answer = ui.post(
        f"/admin/users/{owner}/apikeys",
        data={"csrf": csrf, "read_only": "1", "expires_days": "30"},
    )
    assert answer.status_code == 201
    key = shown_secret(answer.text, "apikey")
    prefix = key.split("_")[1]
    assert key not in ui.get("/admin").text
    with ui_node.engine.begin() as conn:
        record = next(k for k in list_keys(conn, username=owner) if k.prefix == prefix)
    assert record.read_only and record.expires_at is not None
    assert (record.expires_at - record.created_at).days == 30
    bearer = {"Authorization": f"Bearer {key}"}
    assert ui.get("/api/v1/me", headers=bearer).status_code == 200
    done = ui.post(f"/admin/apikeys/{prefix}/revoke", data={"csrf": csrf})
    assert done.status_code == 200
    assert ui.get("/api/v1/me", headers=bearer).status_code == 401
    assert audited(ui_node, "apikey.create", prefix) and audited(ui_node, "apikey.revoke", prefix)


def _forms(ui: TestClient, ui_node: Node, csrf: str, target_org: str) -> dict[str, int]:
    """The status of every admin form sent about the given organisation's accounts."""
    target = username(target_org, Role.ANALYST)
    with ui_node.engine.begin() as conn:
        prefix = list_keys(conn, username=target)[0].prefix
    return {
        "organisation": ui.post(
            "/admin/organisations",
            data={"csrf": csrf, "code": "NEW-ORG", "title": "New", "kind": "other"},
        ).status_code,
        "user": ui.post(
            "/admin/users",
            data={
                "csrf": csrf,
                "username": "new.user",
                "organisation": target_org,
                "role": "analyst",
            },
        ).status_code,
        "role": ui.post(
            f"/admin/users/{target}/role", data={"csrf": csrf, "role": "auditor"}
        ).status_code,
        "key": ui.post(f"/admin/users/{target}/apikeys", data={"csrf": csrf}).status_code,
        "active": ui.post(
            f"/admin/users/{target}/active", data={"csrf": csrf, "active": "0"}
        ).status_code,
        "revoke": ui.post(f"/admin/apikeys/{prefix}/revoke", data={"csrf": csrf}).status_code,
    }


def _unchanged(ui_node: Node, org: str) -> None:
    target = username(org, Role.ANALYST)
    assert user(ui_node, target).role is Role.ANALYST and user(ui_node, target).active
    with ui_node.engine.begin() as conn:
        assert directory.find_user(conn, "new.user") is None
        assert directory.find_organisation(conn, "NEW-ORG") is None
        keys = list_keys(conn, username=target)
    assert len(keys) == 1 and keys[0].revoked_at is None


def test_forms_without_the_session_csrf_token_are_refused(ui: TestClient, ui_node: Node) -> None:
    log_in(ui, NODE_ORG, Role.ADMIN)
    statuses = _forms(ui, ui_node, "forged", NODE_ORG)
    assert set(statuses.values()) == {404}
    _unchanged(ui_node, NODE_ORG)


def test_a_partner_administrator_manages_only_their_own_organisation(
    ui: TestClient, ui_node: Node
) -> None:
    csrf = log_in(ui, PARTNER_ORG, Role.ADMIN)
    page = ui.get("/admin").text
    assert 'data-form="organisation"' not in page
    assert f'data-user="{username(NODE_ORG, Role.ANALYST)}"' not in page
    assert set(_forms(ui, ui_node, csrf, NODE_ORG).values()) == {404}
    _unchanged(ui_node, NODE_ORG)
    own = _forms(ui, ui_node, csrf, PARTNER_ORG)
    assert own == {
        "organisation": 404,
        "user": 201,
        "role": 200,
        "key": 201,
        "active": 200,
        "revoke": 200,
    }
    assert user(ui_node, "new.user").org.code == PARTNER_ORG


@pytest.mark.parametrize("role", [role for role in Role if role is not Role.ADMIN])
def test_other_roles_cannot_administer(ui: TestClient, ui_node: Node, role: Role) -> None:
    csrf = log_in(ui, NODE_ORG, role)
    page = ui.get("/admin")
    assert page.status_code == (200 if allows(role, Action.READ_USERS) else 404)
    if page.status_code == 200:
        assert "<form" not in page.text.split("<main", 1)[-1].split("</main>", 1)[0]
    assert set(_forms(ui, ui_node, csrf, NODE_ORG).values()) == {404}
    _unchanged(ui_node, NODE_ORG)


def test_the_data_sources_show_batches_and_the_last_import(ui: TestClient, ui_node: Node) -> None:
    started = dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.UTC)
    with ui_node.engine.begin() as conn:
        for status, new, version in (("committed", 5, "25.1"), ("failed", 0, "25.2")):
            conn.execute(
                batches.insert().values(
                    uid=str(uuid.uuid4()),
                    source="test",
                    source_version=version,
                    location="test",
                    status=status,
                    started_at=started,
                    events_new=new,
                    events_revised=2,
                )
            )
    log_in(ui, NODE_ORG, Role.ADMIN)
    page = ui.get("/admin").text
    row = re.search(r'<tr data-source="test">(.*?)</tr>', page, re.S)
    assert row, "no row for the source 'test'"
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1))
    # Three batches (the seed's, one committed, one failed); the last import is the committed one.
    assert cells[:4] == ["test", "5", "3", "1"]
    assert cells[5:8] == ["25.1", "5", "2"]
