"""The alert inbox API: order, filters, pages, the lifecycle over HTTP, errors, audit, metrics."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from fastapi.testclient import TestClient

from cawarn.accounts import audit
from cawarn.accounts.apikeys import create_key
from cawarn.domain import Marking
from cawarn.domain.access import Role
from cawarn.domain.alerts import AlertState, Severity
from cawarn.store.tables import alerts, audit_log
from tests.web.conftest import NODE_ORG, PARTNER_ORG, Node, insert_alert, username


def _seed_inbox(node: Node) -> dict[str, int]:
    now = dt.datetime.now(dt.UTC)
    with node.engine.begin() as conn:
        return {
            "low": insert_alert(conn, NODE_ORG, severity=Severity.LOW, unit="KAZ"),
            "critical_late": insert_alert(
                conn, NODE_ORG, severity=Severity.CRITICAL, due_in=dt.timedelta(hours=3)
            ),
            "critical_soon": insert_alert(
                conn,
                NODE_ORG,
                severity=Severity.CRITICAL,
                created=now - dt.timedelta(hours=3),
                due_in=dt.timedelta(hours=1),
            ),
            "closed": insert_alert(conn, NODE_ORG, state=AlertState.RESPONDED),
        }


def test_the_inbox_lists_by_severity_then_deadline_and_marks_the_overdue(
    node: Node, client: TestClient
) -> None:
    ids = _seed_inbox(node)
    body = client.get("/api/v1/alerts", headers=node.headers(NODE_ORG, Role.DUTY_OFFICER)).json()
    order = [item["id"] for item in body["items"]]
    assert order.index(ids["critical_soon"]) < order.index(ids["critical_late"])
    assert order.index(ids["critical_late"]) < order.index(node.alert_ids[NODE_ORG])
    assert order.index(node.alert_ids[NODE_ORG]) < order.index(ids["low"])
    overdue = {item["id"]: item["overdue"] for item in body["items"]}
    assert overdue[ids["critical_soon"]] is True  # due an hour after it came, two hours ago
    assert overdue[ids["critical_late"]] is False
    assert body["total"] == 5 and body["next_page"] is None


def test_the_inbox_filters_and_pages(node: Node, client: TestClient) -> None:
    ids = _seed_inbox(node)
    headers = node.headers(NODE_ORG, Role.ANALYST)
    critical = client.get("/api/v1/alerts?severity=critical", headers=headers).json()
    assert {item["id"] for item in critical["items"]} == {
        ids["critical_soon"],
        ids["critical_late"],
    }
    responded = client.get("/api/v1/alerts?state=responded", headers=headers).json()
    assert [item["id"] for item in responded["items"]] == [ids["closed"]]
    both = client.get("/api/v1/alerts?state=new&state=responded", headers=headers).json()
    assert both["total"] == 5
    first = client.get("/api/v1/alerts?per_page=2", headers=headers).json()
    second = client.get("/api/v1/alerts?per_page=2&page=3", headers=headers).json()
    assert (first["total"], first["next_page"], len(first["items"])) == (5, 2, 2)
    assert (len(second["items"]), second["next_page"]) == (1, None)
    bad = client.get("/api/v1/alerts?state=sleeping", headers=headers)
    assert bad.status_code == 422


def test_an_alert_goes_through_its_life_over_the_api(node: Node, client: TestClient) -> None:
    with node.engine.begin() as conn:
        event = node.event_uids[(NODE_ORG, Marking.AMBER)]
        alert_id = insert_alert(conn, NODE_ORG, event_uids=(event,))
    duty = node.headers(NODE_ORG, Role.DUTY_OFFICER)
    analyst = node.headers(NODE_ORG, Role.ANALYST)
    url = f"/api/v1/alerts/{alert_id}"
    # Responding before the assessment is a lifecycle error, answered 409 in one sentence.
    early = client.post(f"{url}/respond", json={"text": "Patrols"}, headers=duty)
    assert early.status_code == 409
    assert "is new and cannot become responded" in early.json()["detail"]
    acked = client.post(f"{url}/ack", headers=duty).json()
    assert (acked["state"], acked["assignee"]) == (
        "acknowledged",
        username(NODE_ORG, Role.DUTY_OFFICER),
    )
    assert client.post(f"{url}/ack", headers=duty).status_code == 409
    blank = client.post(f"{url}/assess", json={"text": " ", "confidence": "high"}, headers=analyst)
    assert blank.status_code == 409
    assessed = client.post(
        f"{url}/assess", json={"text": "Cross-border raid.", "confidence": "high"}, headers=analyst
    ).json()
    assert assessed["state"] == "assessed"
    escalated = client.post(f"{url}/escalate", json={"text": "Ministers"}, headers=analyst).json()
    assert (escalated["state"], escalated["escalation_level"]) == ("escalated", 1)
    client.post(f"{url}/respond", json={"text": "Border closed."}, headers=duty)
    closed = client.post(f"{url}/close", headers=duty).json()
    assert closed["state"] == "closed" and closed["due_at"] is None
    detail = client.get(url, headers=analyst).json()
    assert detail["evidence"]["events"] == [event]
    steps = [(t["to_state"], t["text"], t["confidence"]) for t in detail["transitions"]]
    assert steps == [
        ("acknowledged", None, None),
        ("assessed", "Cross-border raid.", "high"),
        ("escalated", "Ministers", None),
        ("responded", "Border closed.", None),
        ("closed", None, None),
    ]


def test_moves_and_reads_are_audited(node: Node, client: TestClient) -> None:
    alert_id = node.alert_ids[NODE_ORG]
    client.post(f"/api/v1/alerts/{alert_id}/ack", headers=node.headers(NODE_ORG, Role.DUTY_OFFICER))
    client.get(f"/api/v1/alerts/{alert_id}", headers=node.headers(NODE_ORG, Role.ANALYST))
    with node.engine.connect() as conn:
        rows = conn.execute(
            sa.select(audit_log.c.action, audit_log.c.actor).where(
                audit_log.c.object_id == str(alert_id), audit_log.c.object_type == "alert"
            )
        ).all()
    assert ("alert.acknowledge", username(NODE_ORG, Role.DUTY_OFFICER)) in rows
    assert ("alert.read", username(NODE_ORG, Role.ANALYST)) in rows


def test_a_read_only_key_may_read_but_not_move(node: Node, client: TestClient) -> None:
    with node.engine.begin() as conn:
        key, _ = create_key(
            conn,
            username(NODE_ORG, Role.DUTY_OFFICER),
            read_only=True,
            lifetime=None,
            actor=audit.CLI,
        )
    headers = {"Authorization": f"Bearer {key}"}
    alert_id = node.alert_ids[NODE_ORG]
    assert client.get(f"/api/v1/alerts/{alert_id}", headers=headers).status_code == 200
    assert client.post(f"/api/v1/alerts/{alert_id}/ack", headers=headers).status_code == 403
    with node.engine.connect() as conn:
        state = conn.execute(sa.select(alerts.c.state).where(alerts.c.id == alert_id)).scalar()
    assert state == "new"


def test_another_organisations_alert_answers_like_a_missing_one(
    node: Node, client: TestClient
) -> None:
    headers = node.headers(NODE_ORG, Role.DUTY_OFFICER)
    hidden = client.post(f"/api/v1/alerts/{node.alert_ids[PARTNER_ORG]}/ack", headers=headers)
    missing = client.post("/api/v1/alerts/999999/ack", headers=headers)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"].replace(str(node.alert_ids[PARTNER_ORG]), "X") == missing.json()[
        "detail"
    ].replace("999999", "X")


def test_metrics_count_the_callers_organisation(node: Node, client: TestClient) -> None:
    _seed_inbox(node)
    body = client.get("/api/v1/alerts/metrics", headers=node.headers(NODE_ORG, Role.ANALYST)).json()
    assert body["organisation"] == NODE_ORG
    assert (body["alerts"], body["open"], body["overdue"]) == (5, 4, 1)
    assert body["acknowledged"] == 1 and body["responded"] == 1
    assert body["median_hours_to_acknowledge"] is not None
    partner = client.get(
        "/api/v1/alerts/metrics", headers=node.headers(PARTNER_ORG, Role.ANALYST)
    ).json()
    assert (partner["alerts"], partner["open"]) == (1, 1)
