"""Field reports through the API: file, approve into the event store, return and resubmit."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from cawarn.domain.access import Role
from cawarn.geo.gazetteer import import_places, read_places
from cawarn.store.geography import replace_country_boundaries
from tests.geo.test_gazetteer import SAMPLE
from tests.web.conftest import NODE_ORG, PARTNER_ORG, Node
from tests.web.reports_seed import BODY


@pytest.fixture
def placed(node: Node, region_boundaries: list) -> Node:  # type: ignore[type-arg]
    """The node with the region's admin-1 boundaries and the sample gazetteer loaded."""
    with node.engine.begin() as conn:
        for item in region_boundaries:
            replace_country_boundaries(
                conn, item.source, item.units, item.outline, location="test", warnings=[]
            )
        import_places(conn, read_places(SAMPLE), region=node.settings.region, location="sample")
    return node


def _as(node: Node, role: Role, org: str = PARTNER_ORG) -> dict[str, str]:
    return node.headers(org, role)


def test_an_approved_report_becomes_a_placed_event(placed: Node, client: TestClient) -> None:
    filed = client.post("/api/v1/reports", json=BODY, headers=_as(placed, Role.REPORTER))
    assert filed.status_code == 201, filed.text
    report = filed.json()
    assert (report["state"], report["organisation"], report["date_end"]) == (
        "submitted",
        PARTNER_ORG,
        "2026-11-20",
    )
    pending = client.get(
        "/api/v1/reports?state=submitted", headers=_as(placed, Role.VERIFIER)
    ).json()
    assert [item["id"] for item in pending] == [report["id"]]
    approved = client.post(
        f"/api/v1/reports/{report['id']}/approve",
        json={"reliability": "B", "credibility": "2"},
        headers=_as(placed, Role.VERIFIER),
    )
    assert approved.status_code == 200, approved.text
    uid = approved.json()["event_uid"]
    assert (approved.json()["reliability"], approved.json()["credibility"]) == ("B", "2")
    event = client.get(f"/api/v1/events/{uid}", headers=_as(placed, Role.ANALYST)).json()
    # In geoBoundaries' 2017 boundaries the city of Bishkek lies inside Chuy Region.
    assert (event["source"], event["admin1"], event["owner_org"], event["marking"]) == (
        "field-report",
        "KG-C",
        PARTNER_ORG,
        "TLP:AMBER",
    )
    assert event["source_event_id"] == f"{NODE_ORG}:{report['id']}"
    # AMBER stays in the organisation: the node's analysts do not see the event.
    other = client.get(f"/api/v1/events/{uid}", headers=_as(placed, Role.ANALYST, NODE_ORG))
    assert other.status_code == 404
    again = client.post(
        f"/api/v1/reports/{report['id']}/approve",
        json={"reliability": "A", "credibility": "1"},
        headers=_as(placed, Role.VERIFIER),
    )
    assert again.status_code == 409 and "is approved" in again.json()["detail"]


def test_return_edit_and_resubmit(placed: Node, client: TestClient) -> None:
    reporter, verifier = _as(placed, Role.REPORTER), _as(placed, Role.VERIFIER)
    report_id = client.post("/api/v1/reports", json=BODY, headers=reporter).json()["id"]
    early = client.put(f"/api/v1/reports/{report_id}", json=BODY, headers=reporter)
    assert early.status_code == 409 and "is submitted" in early.json()["detail"]
    returned = client.post(
        f"/api/v1/reports/{report_id}/return", json={"reason": "Which district?"}, headers=verifier
    )
    assert returned.json()["state"] == "returned"
    mine = client.get("/api/v1/reports?mine=true&state=returned", headers=reporter).json()
    assert [(r["id"], r["return_reason"]) for r in mine] == [(report_id, "Which district?")]
    edited = {**BODY, "summary": "Exchange of fire in Alamedin district.", "place": None}
    resubmitted = client.put(f"/api/v1/reports/{report_id}", json=edited, headers=reporter)
    assert resubmitted.status_code == 200, resubmitted.text
    assert (resubmitted.json()["state"], resubmitted.json()["submissions"]) == ("resubmitted", 2)
    approved = client.post(
        f"/api/v1/reports/{report_id}/approve",
        json={"reliability": "C", "credibility": "3"},
        headers=verifier,
    )
    assert approved.json()["state"] == "approved"


def test_another_organisation_gets_404(placed: Node, client: TestClient) -> None:
    report_id = client.post(
        "/api/v1/reports", json=BODY, headers=_as(placed, Role.REPORTER)
    ).json()["id"]
    for method, path, body in (
        ("GET", f"/api/v1/reports/{report_id}", None),
        ("POST", f"/api/v1/reports/{report_id}/approve", {"reliability": "B", "credibility": "2"}),
        ("POST", f"/api/v1/reports/{report_id}/return", {"reason": "No."}),
    ):
        answer = client.request(
            method, path, json=body, headers=_as(placed, Role.VERIFIER, NODE_ORG)
        )
        assert answer.status_code == 404, (method, path, answer.text)
    assert client.get("/api/v1/reports", headers=_as(placed, Role.VERIFIER, NODE_ORG)).json() == []


def test_a_reporter_cannot_verify(placed: Node, client: TestClient) -> None:
    reporter = _as(placed, Role.REPORTER)
    report_id = client.post("/api/v1/reports", json=BODY, headers=reporter).json()["id"]
    answer = client.post(
        f"/api/v1/reports/{report_id}/approve",
        json={"reliability": "B", "credibility": "2"},
        headers=reporter,
    )
    assert answer.status_code == 404


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"fatalities_low": 5}, 422),
        ({"country": "kgz"}, 422),
        ({"country": "PAK"}, 422),  # not a country of the node's region
        ({"latitude": 91}, 422),
        ({"marking": "TLP:WHITE"}, 422),
        ({"name_of_victim": "x"}, 422),  # unknown fields are refused, not stored
    ],
)
def test_unusable_reports_are_refused(
    placed: Node, client: TestClient, change: dict[str, Any], status: int
) -> None:
    answer = client.post(
        "/api/v1/reports", json={**BODY, **change}, headers=_as(placed, Role.REPORTER)
    )
    assert answer.status_code == status, answer.text


def test_every_report_write_is_audited(placed: Node, client: TestClient) -> None:
    reporter, verifier = _as(placed, Role.REPORTER), _as(placed, Role.VERIFIER)
    report_id = client.post("/api/v1/reports", json=BODY, headers=reporter).json()["id"]
    client.post(
        f"/api/v1/reports/{report_id}/return", json={"reason": "Which district?"}, headers=verifier
    )
    client.put(f"/api/v1/reports/{report_id}", json=BODY, headers=reporter)
    client.post(
        f"/api/v1/reports/{report_id}/approve",
        json={"reliability": "B", "credibility": "2"},
        headers=verifier,
    )
    with placed.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT action, actor FROM audit_log WHERE object_type = 'report' "
                "AND object_id = :id AND action != 'reports.read' ORDER BY id"
            ),
            {"id": str(report_id)},
        ).all()
    assert [tuple(row) for row in rows] == [
        ("reports.file", "kgz.reporter"),
        ("reports.return", "kgz.verifier"),
        ("reports.resubmit", "kgz.reporter"),
        ("reports.approve", "kgz.verifier"),
    ]


@pytest.mark.parametrize(
    ("query", "names"),
    [("Хорог", ["Khorugh"]), ("osh", ["Osh", "Osh Region"]), ("Кашгар", [])],
)
def test_gazetteer_search(placed: Node, client: TestClient, query: str, names: list[str]) -> None:
    answer = client.get(
        "/api/v1/gazetteer", params={"q": query}, headers=_as(placed, Role.REPORTER)
    )
    assert answer.status_code == 200
    assert [item["name"] for item in answer.json()["items"]] == names
    assert "CC BY 4.0" in answer.json()["attribution"]
