"""Every /api/v1 route × every role × two organisations: who gets through, who gets 404.

The routes are read from the app, so a route added without a rule here fails this test. The rule
names the route's action; what each role may do comes from the domain's permission table, and
what each organisation may see is checked object by object (events by marking and owner, users
by organisation).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cawarn.accounts.totp import code_at
from cawarn.domain import Marking
from cawarn.domain.access import Action, Role, allows, may_read_marking
from cawarn.domain.alerts import AlertState
from cawarn.domain.reports import ReportState
from tests.web.conftest import (
    NODE_ORG,
    OTHER_ORG,
    PARTNER_ORG,
    PASSWORD,
    Node,
    insert_alert,
    username,
)
from tests.web.reports_seed import BODY, insert_report

ORGS = (NODE_ORG, PARTNER_ORG)


@dataclass(frozen=True)
class Case:
    """One request and the status it must get when the role may take the route's action."""

    url: str
    expected: int
    body: dict[str, Any] | None = None
    check: Callable[[Any], None] | None = None


Cases = Callable[[Node, TestClient, str, Role], Iterator[Case]]


def _one(url: str, expected: int, body: dict[str, Any] | None = None) -> Cases:
    def cases(node: Node, client: TestClient, org: str, role: Role) -> Iterator[Case]:
        yield Case(url, expected, body)

    return cases


def _other(org: str) -> str:
    return PARTNER_ORG if org == NODE_ORG else NODE_ORG


def _event_cases(node: Node, client: TestClient, org: str, role: Role) -> Iterator[Case]:
    for (owner, marking), uid in node.event_uids.items():
        ok = may_read_marking(role, marking, own_organisation=owner == org)
        yield Case(f"/api/v1/events/{uid}", 200 if ok else 404)


def _event_list_cases(node: Node, client: TestClient, org: str, role: Role) -> Iterator[Case]:
    expected = {
        uid
        for (owner, marking), uid in node.event_uids.items()
        if may_read_marking(role, marking, own_organisation=owner == org)
    }

    def check(body: Any) -> None:
        assert {item["uid"] for item in body["items"]} == expected, (org, role)

    yield Case("/api/v1/events?per_page=1000", 200, check=check)


def _user_cases(node: Node, client: TestClient, org: str, role: Role) -> Iterator[Case]:
    yield Case(f"/api/v1/users/{username(org, Role.REPORTER)}", 200)
    other = username(_other(org), Role.REPORTER)
    yield Case(f"/api/v1/users/{other}", 200 if org == NODE_ORG else 404)


def _user_list_cases(node: Node, client: TestClient, org: str, role: Role) -> Iterator[Case]:
    expected = set(ORGS) if org == NODE_ORG else {org}

    def check(body: Any) -> None:
        assert {user["organisation"] for user in body} == expected, (org, role)

    yield Case("/api/v1/users", 200, check=check)


def _user_create_cases(node: Node, client: TestClient, org: str, role: Role) -> Iterator[Case]:
    for target in (org, OTHER_ORG):
        name = f"new.{org[:3]}.{role.value}.{target[:3]}".lower().replace("_", "-")
        body = {
            "username": name,
            "organisation": target,
            "role": "analyst",
            "password": "another long password",
        }
        yield Case("/api/v1/users", 201 if target == org or org == NODE_ORG else 404, body)


def _user_patch_cases(node: Node, client: TestClient, org: str, role: Role) -> Iterator[Case]:
    for target in (org, _other(org)):
        yield Case(
            f"/api/v1/users/{username(target, Role.REPORTER)}",
            200 if target == org or org == NODE_ORG else 404,
            {"active": True},
        )


def _org_create_cases(node: Node, client: TestClient, org: str, role: Role) -> Iterator[Case]:
    body = {"code": f"ORG-{org[:3]}-{role.value}", "title": "A new organisation", "kind": "osce"}
    yield Case("/api/v1/organisations", 201 if org == NODE_ORG else 404, body)


def _audit_cases(node: Node, client: TestClient, org: str, role: Role) -> Iterator[Case]:
    def check(body: Any) -> None:
        assert body, "the requests before were audited"
        orgs = {row["org"] for row in body}
        if org != NODE_ORG:
            assert orgs == {org}, orgs

    yield Case("/api/v1/audit?limit=1000", 200, check=check)


def _totp_confirm_cases(node: Node, client: TestClient, org: str, role: Role) -> Iterator[Case]:
    import datetime as dt

    started = client.post("/api/v1/me/totp", headers=node.headers(org, role))
    if started.status_code != 201:  # a role that may not enrol: the confirm must 404 too
        yield Case("/api/v1/me/totp/confirm", 204, {"code": "000000"})
        return
    code = code_at(started.json()["secret"], dt.datetime.now(dt.UTC))
    yield Case("/api/v1/me/totp/confirm", 204, {"code": code})


def _key_revoke_cases(node: Node, client: TestClient, org: str, role: Role) -> Iterator[Case]:
    made = client.post(
        "/api/v1/me/apikeys", json={"expires_in_days": 1}, headers=node.headers(org, role)
    )
    own = made.json()["prefix"] if made.status_code == 201 else "nokey000"
    yield Case(f"/api/v1/me/apikeys/{own}", 204)
    # Someone else's key is not the caller's to see or revoke.
    other = node.keys[(_other(org), role)].split("_")[1]
    yield Case(f"/api/v1/me/apikeys/{other}", 404)


def _alert_list_cases(node: Node, client: TestClient, org: str, role: Role) -> Iterator[Case]:
    def check(body: Any) -> None:
        assert {item["organisation"] for item in body["items"]} == {org}, (org, role)
        assert node.alert_ids[org] in {item["id"] for item in body["items"]}

    yield Case("/api/v1/alerts?per_page=1000", 200, check=check)


def _alert_cases(node: Node, client: TestClient, org: str, role: Role) -> Iterator[Case]:
    yield Case(f"/api/v1/alerts/{node.alert_ids[org]}", 200)
    yield Case(f"/api/v1/alerts/{node.alert_ids[_other(org)]}", 404)


def _alert_metrics_cases(node: Node, client: TestClient, org: str, role: Role) -> Iterator[Case]:
    def check(body: Any) -> None:
        assert body["organisation"] == org and body["alerts"] >= 1, body

    yield Case("/api/v1/alerts/metrics", 200, check=check)


def _alert_move(
    step: str, action: Action, state: AlertState, body: dict[str, Any] | None = None
) -> Cases:
    def cases(node: Node, client: TestClient, org: str, role: Role) -> Iterator[Case]:
        if not allows(role, action):  # refused before any alert is looked at
            yield Case(f"/api/v1/alerts/{node.alert_ids[org]}/{step}", 404, body)
            return
        with node.engine.begin() as conn:
            own = insert_alert(conn, org, state=state)
            other = insert_alert(conn, _other(org), state=state)
        yield Case(f"/api/v1/alerts/{own}/{step}", 200, body)
        yield Case(f"/api/v1/alerts/{other}/{step}", 404, body)

    return cases


def _decide(node: Node, org: str) -> int:
    """A release of an AMBER event of ``org`` to the other organisation, by its officer."""
    from cawarn.accounts.directory import get_user
    from cawarn.domain.releases import ItemKind
    from cawarn.network import keys
    from cawarn.network.releases import create_release

    with node.engine.begin() as conn:
        release = create_release(
            conn,
            kind=ItemKind.EVENT,
            item_id=node.event_uids[(org, Marking.AMBER)],
            orgs=[_other(org)],
            groups=[],
            marking=Marking.AMBER,
            expires_at=None,
            officer=get_user(conn, username(org, Role.RELEASING_OFFICER)),
            key=keys.load(node.settings.home),
            node_org=NODE_ORG,
        )
    return release.id


def _sees_every_release(org: str, role: Role) -> bool:
    return org == NODE_ORG and role is Role.AUDITOR


def _release_create_cases(node: Node, client: TestClient, org: str, role: Role) -> Iterator[Case]:
    for owner in (org, _other(org)):
        body = {
            "kind": "event",
            "item": node.event_uids[(owner, Marking.AMBER)],
            "to": [OTHER_ORG],
            "tlp": "AMBER+STRICT",
        }
        yield Case("/api/v1/releases", 201 if owner == org else 404, body)


def _release_list_cases(node: Node, client: TestClient, org: str, role: Role) -> Iterator[Case]:
    if not allows(role, Action.READ_RELEASES):
        yield Case("/api/v1/releases", 404)
        return
    own, other = _decide(node, org), _decide(node, _other(org))

    def check(body: Any) -> None:
        ids = {item["id"] for item in body}
        assert own in ids, (org, role)
        assert (other in ids) == _sees_every_release(org, role), (org, role)
        if not _sees_every_release(org, role):
            assert {item["owner_org"] for item in body} == {org}

    yield Case("/api/v1/releases", 200, check=check)


def _release_cases(node: Node, client: TestClient, org: str, role: Role) -> Iterator[Case]:
    if not allows(role, Action.READ_RELEASES):
        yield Case("/api/v1/releases/1", 404)
        return
    own, other = _decide(node, org), _decide(node, _other(org))
    yield Case(f"/api/v1/releases/{own}", 200)
    yield Case(f"/api/v1/releases/{other}", 200 if _sees_every_release(org, role) else 404)


def _release_revoke_cases(node: Node, client: TestClient, org: str, role: Role) -> Iterator[Case]:
    if not allows(role, Action.RELEASE):
        yield Case("/api/v1/releases/1/revoke", 404)
        return
    own, other = _decide(node, org), _decide(node, _other(org))
    yield Case(f"/api/v1/releases/{own}/revoke", 200)
    yield Case(f"/api/v1/releases/{other}/revoke", 404)


def _trust_group_create_cases(
    node: Node, client: TestClient, org: str, role: Role
) -> Iterator[Case]:
    body = {"name": f"G-{org[:3]}-{role.value}", "orgs": [PARTNER_ORG, OTHER_ORG]}
    yield Case("/api/v1/trust-groups", 201 if org == NODE_ORG else 404, body)


def _trust_group_add_cases(node: Node, client: TestClient, org: str, role: Role) -> Iterator[Case]:
    from cawarn.accounts import audit
    from cawarn.network.trust import create_group

    name = f"A-{org[:3]}-{role.value}"
    with node.engine.begin() as conn:
        create_group(conn, name, [PARTNER_ORG], actor=audit.CLI)
    url = f"/api/v1/trust-groups/{name}/members"
    yield Case(url, 200 if org == NODE_ORG else 404, {"orgs": [OTHER_ORG]})


def _forecast_cases(node: Node, client: TestClient, org: str, role: Role) -> Iterator[Case]:
    def check(body: Any) -> None:
        assert [run["id"] for run in body] == [node.live_run_id], body

    yield Case("/api/v1/forecasts", 200, check=check)


def _report_list_cases(node: Node, client: TestClient, org: str, role: Role) -> Iterator[Case]:
    with node.engine.begin() as conn:
        own = insert_report(conn, org)
        insert_report(conn, _other(org))

    def check(body: Any) -> None:
        assert {item["organisation"] for item in body} == {org}, (org, role)
        assert own in {item["id"] for item in body}, (org, role)

    yield Case("/api/v1/reports", 200, check=check)


def _report_cases(node: Node, client: TestClient, org: str, role: Role) -> Iterator[Case]:
    with node.engine.begin() as conn:
        own = insert_report(conn, org)
        other = insert_report(conn, _other(org))
    yield Case(f"/api/v1/reports/{own}", 200)
    yield Case(f"/api/v1/reports/{other}", 404)


def _report_move(step: str, action: Action, state: ReportState, body: dict[str, Any]) -> Cases:
    def cases(node: Node, client: TestClient, org: str, role: Role) -> Iterator[Case]:
        if not allows(role, action):  # refused before any report is looked at
            yield Case(f"/api/v1/reports/1{step}", 404, body)
            return
        with node.engine.begin() as conn:
            own = insert_report(conn, org, state=state)
            other = insert_report(conn, _other(org), state=state)
        yield Case(f"/api/v1/reports/{own}{step}", 200, body)
        yield Case(f"/api/v1/reports/{other}{step}", 404, body)

    return cases


def _gazetteer_cases(node: Node, client: TestClient, org: str, role: Role) -> Iterator[Case]:
    def check(body: Any) -> None:
        assert body["items"] == [] and "GeoNames" in body["attribution"], body

    yield Case("/api/v1/gazetteer?q=Bish", 200, check=check)


#: Every route: its action (None = open to anyone) and the requests that exercise it.
RULES: dict[tuple[str, str], tuple[Action | None, Cases]] = {
    ("POST", "/api/v1/auth/login"): (None, _one("/api/v1/auth/login", 401)),
    ("POST", "/api/v1/auth/logout"): (Action.READ_SELF, _one("/api/v1/auth/logout", 204)),
    ("GET", "/api/v1/me"): (Action.READ_SELF, _one("/api/v1/me", 200)),
    ("POST", "/api/v1/me/totp"): (Action.WRITE_SELF, _one("/api/v1/me/totp", 201)),
    ("POST", "/api/v1/me/totp/confirm"): (Action.WRITE_SELF, _totp_confirm_cases),
    ("POST", "/api/v1/me/password"): (
        Action.WRITE_SELF,
        _one("/api/v1/me/password", 204, {"current": PASSWORD, "new": PASSWORD + " again"}),
    ),
    ("GET", "/api/v1/me/apikeys"): (Action.READ_SELF, _one("/api/v1/me/apikeys", 200)),
    ("POST", "/api/v1/me/apikeys"): (
        Action.WRITE_SELF,
        _one("/api/v1/me/apikeys", 201, {"read_only": True, "expires_in_days": 1}),
    ),
    ("DELETE", "/api/v1/me/apikeys/{prefix}"): (Action.WRITE_SELF, _key_revoke_cases),
    ("GET", "/api/v1/events"): (Action.READ_EVENTS, _event_list_cases),
    ("GET", "/api/v1/events/{uid}"): (Action.READ_EVENTS, _event_cases),
    ("GET", "/api/v1/units"): (Action.READ_UNITS, _one("/api/v1/units", 200)),
    ("GET", "/api/v1/panels"): (Action.READ_PANELS, _one("/api/v1/panels", 200)),
    ("GET", "/api/v1/panels/{panel_id}"): (
        Action.READ_PANELS,
        lambda node, client, org, role: iter([Case(f"/api/v1/panels/{node.panel_id}", 200)]),
    ),
    ("GET", "/api/v1/alerts"): (Action.READ_ALERTS, _alert_list_cases),
    ("GET", "/api/v1/alerts/metrics"): (Action.READ_ALERTS, _alert_metrics_cases),
    ("GET", "/api/v1/alerts/{alert_id}"): (Action.READ_ALERTS, _alert_cases),
    ("POST", "/api/v1/alerts/{alert_id}/ack"): (
        Action.ACKNOWLEDGE_ALERTS,
        _alert_move("ack", Action.ACKNOWLEDGE_ALERTS, AlertState.NEW),
    ),
    ("POST", "/api/v1/alerts/{alert_id}/assess"): (
        Action.ASSESS_ALERTS,
        _alert_move(
            "assess",
            Action.ASSESS_ALERTS,
            AlertState.ACKNOWLEDGED,
            {"text": "Spillover from the border districts.", "confidence": "high"},
        ),
    ),
    ("POST", "/api/v1/alerts/{alert_id}/escalate"): (
        Action.ESCALATE_ALERTS,
        _alert_move(
            "escalate", Action.ESCALATE_ALERTS, AlertState.ASSESSED, {"text": "Needs a decision."}
        ),
    ),
    ("POST", "/api/v1/alerts/{alert_id}/respond"): (
        Action.RESPOND_ALERTS,
        _alert_move(
            "respond", Action.RESPOND_ALERTS, AlertState.ASSESSED, {"text": "Patrols doubled."}
        ),
    ),
    ("POST", "/api/v1/alerts/{alert_id}/close"): (
        Action.CLOSE_ALERTS,
        _alert_move("close", Action.CLOSE_ALERTS, AlertState.RESPONDED),
    ),
    ("GET", "/api/v1/forecasts"): (Action.READ_FORECASTS, _forecast_cases),
    ("GET", "/api/v1/forecasts/{run_id}/units/{unit}"): (
        Action.READ_FORECASTS,
        lambda node, client, org, role: iter(
            [Case(f"/api/v1/forecasts/{node.live_run_id}/units/KGZ", 200)]
        ),
    ),
    ("GET", "/api/v1/evaluations"): (Action.READ_FORECASTS, _one("/api/v1/evaluations", 200)),
    ("GET", "/api/v1/evaluations/{run_id}"): (
        Action.READ_FORECASTS,
        lambda node, client, org, role: iter(
            [Case(f"/api/v1/evaluations/{node.evaluation_id}", 200)]
        ),
    ),
    ("GET", "/api/v1/organisations"): (
        Action.READ_ORGANISATIONS,
        _one("/api/v1/organisations", 200),
    ),
    ("GET", "/api/v1/organisations/{code}"): (
        Action.READ_ORGANISATIONS,
        _one(f"/api/v1/organisations/{OTHER_ORG}", 200),
    ),
    ("POST", "/api/v1/organisations"): (Action.WRITE_ORGANISATIONS, _org_create_cases),
    ("GET", "/api/v1/users"): (Action.READ_USERS, _user_list_cases),
    ("GET", "/api/v1/users/{username}"): (Action.READ_USERS, _user_cases),
    ("POST", "/api/v1/users"): (Action.WRITE_USERS, _user_create_cases),
    ("PATCH", "/api/v1/users/{username}"): (Action.WRITE_USERS, _user_patch_cases),
    ("POST", "/api/v1/reports"): (Action.FILE_REPORTS, _one("/api/v1/reports", 201, BODY)),
    ("GET", "/api/v1/reports"): (Action.READ_REPORTS, _report_list_cases),
    ("GET", "/api/v1/reports/{report_id}"): (Action.READ_REPORTS, _report_cases),
    ("PUT", "/api/v1/reports/{report_id}"): (
        Action.FILE_REPORTS,
        _report_move("", Action.FILE_REPORTS, ReportState.RETURNED, BODY),
    ),
    ("POST", "/api/v1/reports/{report_id}/approve"): (
        Action.VERIFY_REPORTS,
        _report_move(
            "/approve",
            Action.VERIFY_REPORTS,
            ReportState.SUBMITTED,
            {"reliability": "B", "credibility": "2"},
        ),
    ),
    ("POST", "/api/v1/reports/{report_id}/return"): (
        Action.VERIFY_REPORTS,
        _report_move(
            "/return", Action.VERIFY_REPORTS, ReportState.SUBMITTED, {"reason": "Which district?"}
        ),
    ),
    ("GET", "/api/v1/gazetteer"): (Action.READ_GAZETTEER, _gazetteer_cases),
    ("POST", "/api/v1/releases"): (Action.RELEASE, _release_create_cases),
    ("GET", "/api/v1/releases"): (Action.READ_RELEASES, _release_list_cases),
    ("GET", "/api/v1/releases/{release_id}"): (Action.READ_RELEASES, _release_cases),
    ("POST", "/api/v1/releases/{release_id}/revoke"): (
        Action.RELEASE,
        _release_revoke_cases,
    ),
    ("GET", "/api/v1/trust-groups"): (Action.READ_ORGANISATIONS, _one("/api/v1/trust-groups", 200)),
    ("POST", "/api/v1/trust-groups"): (Action.WRITE_ORGANISATIONS, _trust_group_create_cases),
    ("POST", "/api/v1/trust-groups/{name}/members"): (
        Action.WRITE_ORGANISATIONS,
        _trust_group_add_cases,
    ),
    ("GET", "/api/v1/audit"): (Action.READ_AUDIT, _audit_cases),
}


def _api_routes(client: TestClient) -> set[tuple[str, str]]:
    # The OpenAPI document lists every operation the app serves (none is hidden from it).
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    return {(method.upper(), path) for path, item in paths.items() for method in item}


def test_every_route_has_a_rule(client: TestClient) -> None:
    routes = _api_routes(client)
    assert routes - set(RULES) == set(), "routes without a rule in RULES"
    assert set(RULES) - routes == set(), "rules for routes that no longer exist"


def test_role_organisation_action_matrix(node: Node, client: TestClient) -> None:
    failures = []
    # In the order of RULES: the audit log is read last, when every role has written to it.
    for (method, _path), (action, cases) in RULES.items():
        if action is None:
            continue
        for org in ORGS:
            for role in Role:
                for case in cases(node, client, org, role):
                    expected = case.expected if allows(role, action) else 404
                    response = client.request(
                        method, case.url, json=case.body, headers=node.headers(org, role)
                    )
                    if response.status_code != expected:
                        failures.append(
                            f"{method} {case.url} as {role.value}@{org}: "
                            f"{response.status_code} (expected {expected}) {response.text[:120]}"
                        )
                    elif case.check is not None and expected < 300:
                        case.check(response.json())
    assert failures == []


def test_every_protected_route_needs_authentication(node: Node, client: TestClient) -> None:
    for (method, _path), (action, cases) in RULES.items():
        if action is None:
            continue
        for case in cases(node, client, NODE_ORG, Role.ANALYST):
            response = client.request(method, case.url, json=case.body)
            assert response.status_code == 401, (method, case.url, response.text)
            assert response.headers["www-authenticate"] == "Bearer"
            bad = client.request(
                method, case.url, json=case.body, headers={"Authorization": "Bearer cawarn_x_y"}
            )
            assert bad.status_code == 401, (method, case.url)
            break


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMIN])
def test_a_hidden_event_and_a_missing_one_answer_alike(
    node: Node, client: TestClient, role: Role
) -> None:
    hidden = node.event_uids[(PARTNER_ORG, Marking.RED)]
    missing = "00000000-0000-4000-8000-000000000000"
    answers = [
        client.get(f"/api/v1/events/{uid}", headers=node.headers(NODE_ORG, role))
        for uid in (hidden, missing)
    ]
    assert [a.status_code for a in answers] == [404, 404]
    assert answers[0].json()["detail"].replace(hidden, "X") == answers[1].json()["detail"].replace(
        missing, "X"
    )


def test_a_forbidden_route_looks_like_a_missing_one(node: Node, client: TestClient) -> None:
    headers = node.headers(PARTNER_ORG, Role.REPORTER)
    forbidden = client.get("/api/v1/audit", headers=headers)
    missing = client.get("/api/v1/nothing-here", headers=headers)
    assert (forbidden.status_code, forbidden.json()) == (missing.status_code, missing.json())
    assert forbidden.headers["cache-control"] == "no-store"
    assert forbidden.headers["x-content-type-options"] == "nosniff"
