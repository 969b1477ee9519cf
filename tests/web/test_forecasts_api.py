"""Forecast and evaluation runs over the API: newest live run per level, one unit, scores."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cawarn.domain.access import Role
from tests.web.conftest import NODE_ORG, Node


def test_the_newest_live_run_per_level_or_the_one_asked_for(node: Node, client: TestClient) -> None:
    headers = node.headers(NODE_ORG, Role.ANALYST)
    newest = client.get("/api/v1/forecasts", headers=headers).json()
    assert [(run["id"], run["level"], run["kind"]) for run in newest] == [
        (node.live_run_id, "country", "live")
    ]
    older = node.live_run_id - 1
    asked = client.get(f"/api/v1/forecasts?run={older}", headers=headers).json()
    assert [run["id"] for run in asked] == [older]
    # An evaluation is not a live run.
    wrong = client.get(f"/api/v1/forecasts?run={node.evaluation_id}", headers=headers)
    assert wrong.status_code == 404


def test_one_units_forecasts_by_step(node: Node, client: TestClient) -> None:
    headers = node.headers(NODE_ORG, Role.DUTY_OFFICER)
    url = f"/api/v1/forecasts/{node.live_run_id}/units"
    body = client.get(f"{url}/KGZ", headers=headers).json()
    assert body["run"]["id"] == node.live_run_id and body["unit"] == "KGZ"
    assert [(f["step"], f["month_id"], f["p_positive"]) for f in body["forecasts"]] == [
        (1, 539, 0.25),
        (2, 540, 0.5),
    ]
    assert body["forecasts"][0]["quantiles"]["q50"] == 3.0
    missing = client.get(f"{url}/TJK", headers=headers)
    assert missing.status_code == 404 and "TJK" in missing.json()["detail"]


def test_evaluations_list_without_scores_and_show_them_one_by_one(
    node: Node, client: TestClient
) -> None:
    headers = node.headers(NODE_ORG, Role.ANALYST)
    runs = client.get("/api/v1/evaluations", headers=headers).json()
    assert [run["id"] for run in runs] == [node.evaluation_id]
    assert "scores" not in runs[0]
    one = client.get(f"/api/v1/evaluations/{node.evaluation_id}", headers=headers).json()
    assert one["scores"] == {"crps": {"zero": 0.4}}
    live = client.get(f"/api/v1/evaluations/{node.live_run_id}", headers=headers)
    assert live.status_code == 404
    observer = client.get("/api/v1/evaluations", headers=node.headers(NODE_ORG, Role.AUDITOR))
    assert observer.status_code == 404
