"""The trust group API: the node's administrators keep the groups; everyone lists them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cawarn.domain.access import Role
from tests.web.conftest import NODE_ORG, OTHER_ORG, PARTNER_ORG, Node


def test_groups_are_created_extended_and_listed(node: Node, client: TestClient) -> None:
    admin = node.headers(NODE_ORG, Role.ADMIN)
    made = client.post(
        "/api/v1/trust-groups", json={"name": "CA", "orgs": [PARTNER_ORG]}, headers=admin
    )
    assert made.status_code == 201, made.text
    assert made.json() == {"name": "CA", "members": [PARTNER_ORG]}
    added = client.post(
        "/api/v1/trust-groups/CA/members", json={"orgs": [OTHER_ORG]}, headers=admin
    )
    assert added.json()["members"] == sorted([PARTNER_ORG, OTHER_ORG])
    listed = client.get("/api/v1/trust-groups", headers=node.headers(PARTNER_ORG, Role.REPORTER))
    assert listed.json() == [{"name": "CA", "members": sorted([PARTNER_ORG, OTHER_ORG])}]
    unknown = client.post(
        "/api/v1/trust-groups", json={"name": "X", "orgs": ["NOPE"]}, headers=admin
    )
    assert unknown.status_code == 422 and "no organisation 'NOPE'" in unknown.json()["detail"]
    missing = client.post(
        "/api/v1/trust-groups/NOPE/members", json={"orgs": [OTHER_ORG]}, headers=admin
    )
    assert missing.status_code == 404
