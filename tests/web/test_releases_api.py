"""The release API: a decision comes back signed; refusals answer 422 with the rule broken."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from cawarn.domain import Marking
from cawarn.domain.access import Role
from cawarn.network import keys
from cawarn.network.signing import verify
from tests.web.conftest import NODE_ORG, OTHER_ORG, PARTNER_ORG, Node


def _post(client: TestClient, node: Node, **body: Any) -> Any:
    return client.post(
        "/api/v1/releases", json=body, headers=node.headers(NODE_ORG, Role.RELEASING_OFFICER)
    )


def test_a_release_is_signed_and_can_be_revoked(node: Node, client: TestClient) -> None:
    uid = node.event_uids[(NODE_ORG, Marking.AMBER)]
    made = _post(
        client, node, kind="event", item=uid, to=[PARTNER_ORG, OTHER_ORG], tlp="amber",
        expires_at="2099-01-01T00:00:00Z",
    )  # fmt: skip
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["audience"] == sorted([PARTNER_ORG, OTHER_ORG])
    assert (body["marking"], body["active"], body["decided_by"]) == (
        "TLP:AMBER",
        True,
        "node.releasing-officer",
    )
    assert body["expires_at"] == "2099-01-01T00:00:00Z"
    node_key = keys.load(node.settings.home)
    assert body["key_id"] == node_key.key_id
    from cawarn.network.releases import get_release

    with node.engine.connect() as conn:
        release = get_release(conn, body["id"])
    verify(release.record(), body["signature"], node_key.public)
    headers = node.headers(NODE_ORG, Role.RELEASING_OFFICER)
    revoked = client.post(f"/api/v1/releases/{body['id']}/revoke", headers=headers)
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    again = client.post(f"/api/v1/releases/{body['id']}/revoke", headers=headers)
    assert again.status_code == 422 and "already revoked" in again.json()["detail"]


def test_refusals_name_the_rule(node: Node, client: TestClient) -> None:
    red = node.event_uids[(NODE_ORG, Marking.RED)]
    cases = [
        ({"tlp": "GREEN", "to": [PARTNER_ORG]}, "lower marking"),
        ({"tlp": "RED", "groups": ["CA"]}, "never leaves its organisation"),
        ({"tlp": "RED", "to": []}, "audience is empty"),
        ({"tlp": "RED", "to": [PARTNER_ORG], "expires_at": "2001-01-01T00:00:00Z"}, "future"),
        ({"tlp": "BLUE", "to": [PARTNER_ORG]}, "not a TLP 2.0 marking"),
    ]
    from cawarn.accounts import audit
    from cawarn.network.trust import create_group

    with node.engine.begin() as conn:
        create_group(conn, "CA", [PARTNER_ORG], actor=audit.CLI)
    for extra, message in cases:
        answer = _post(client, node, kind="event", item=red, **extra)
        assert answer.status_code == 422, (extra, answer.text)
        assert message in answer.json()["detail"], (extra, answer.text)
