"""The alert inbox pages in-process: who sees them, their order, the forms and their moves."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient

from cawarn.domain.access import Action, Role, allows
from cawarn.domain.alerts import AlertState, Severity
from tests.web.conftest import NODE_ORG, PARTNER_ORG, Node, insert_alert
from tests.web.ui.conftest import form_token, log_in


@pytest.mark.parametrize("role", list(Role))
def test_the_inbox_is_for_the_roles_that_read_alerts(
    ui: TestClient, ui_node: Node, role: Role
) -> None:
    log_in(ui, NODE_ORG, role)
    inbox = ui.get("/alerts")
    alert = ui.get(f"/alerts/{ui_node.alert_ids[NODE_ORG]}")
    overview = ui.get("/")
    if allows(role, Action.READ_ALERTS):
        assert inbox.status_code == alert.status_code == 200
        assert 'href="/alerts"' in overview.text
        assert f'data-alert="{ui_node.alert_ids[NODE_ORG]}"' in overview.text
    else:
        assert inbox.status_code == alert.status_code == 404
        assert 'href="/alerts"' not in overview.text
        assert "data-alert=" not in overview.text


def test_the_inbox_orders_by_severity_and_deadline_and_marks_the_overdue(
    ui: TestClient, ui_node: Node
) -> None:
    now = dt.datetime.now(dt.UTC)
    with ui_node.engine.begin() as conn:
        low = insert_alert(conn, NODE_ORG, severity=Severity.LOW)
        late = insert_alert(
            conn,
            NODE_ORG,
            severity=Severity.CRITICAL,
            created=now - dt.timedelta(hours=3),
            due_in=dt.timedelta(hours=1),
        )
        closed = insert_alert(conn, NODE_ORG, state=AlertState.RESPONDED)
    log_in(ui, NODE_ORG, Role.DUTY_OFFICER)
    page = ui.get("/alerts").text
    order = [int(i) for i in re.findall(r'data-alert="(\d+)"', page)]
    assert order == [late, ui_node.alert_ids[NODE_ORG], low]  # the responded one is not open
    assert closed not in order
    row = re.search(rf'<tr class="([^"]*)" data-alert="{late}"', page)
    assert row and "overdue" in row.group(1)
    assert ui_node.alert_ids[PARTNER_ORG] not in order


def test_another_organisations_alert_is_not_found(ui: TestClient, ui_node: Node) -> None:
    log_in(ui, NODE_ORG, Role.ANALYST)
    assert ui.get(f"/alerts/{ui_node.alert_ids[PARTNER_ORG]}").status_code == 404


def test_a_duty_officer_acknowledges_and_an_analyst_assesses_through_the_forms(
    ui: TestClient, ui_node: Node
) -> None:
    alert_id = ui_node.alert_ids[NODE_ORG]
    log_in(ui, NODE_ORG, Role.DUTY_OFFICER)
    page = ui.get(f"/alerts/{alert_id}").text
    assert re.findall(r'data-step="(\w+)"', page) == ["acknowledge"]
    token = form_token(page)
    forged = ui.post(f"/alerts/{alert_id}/acknowledge", data={"csrf": "wrong"})
    assert forged.status_code == 404
    done = ui.post(f"/alerts/{alert_id}/acknowledge", data={"csrf": token})
    assert done.status_code == 200 and done.url.path == f"/alerts/{alert_id}"
    assert "Nothing for you to do" in done.text  # assessing is the analyst's move
    again = ui.post(f"/alerts/{alert_id}/acknowledge", data={"csrf": token})
    assert again.status_code == 409 and "cannot become acknowledged" in again.text
    planted = ui.get(f"/alerts/{alert_id}", params={"error": "Call +1 555 0100 now"})
    assert "Call +1 555 0100 now" not in planted.text
    ui.cookies.clear()
    log_in(ui, NODE_ORG, Role.ANALYST)
    page = ui.get(f"/alerts/{alert_id}").text
    assert re.findall(r'data-step="(\w+)"', page) == ["assess"]
    assessed = ui.post(
        f"/alerts/{alert_id}/assess",
        data={"csrf": form_token(page), "text": "Raid across the border.", "confidence": "high"},
    )
    assert "Raid across the border." in assessed.text
    assert re.findall(r'data-step="(\w+)"', assessed.text) == ["escalate"]


def test_the_russian_alert_page(ui: TestClient, ui_node: Node) -> None:
    log_in(ui, NODE_ORG, Role.DUTY_OFFICER)
    ui.cookies.set("cawarn_lang", "ru")
    page = ui.get(f"/alerts/{ui_node.alert_ids[NODE_ORG]}", headers={"accept-language": "ru"})
    assert "Подтвердить получение" in page.text and "Основания" in page.text


def test_the_unit_page_shows_its_open_alerts(ui: TestClient, ui_node: Node) -> None:
    unit = ui_node.unit  # type: ignore[attr-defined]
    with ui_node.engine.begin() as conn:
        here = insert_alert(conn, NODE_ORG, unit=unit)
    log_in(ui, NODE_ORG, Role.ANALYST)
    page = ui.get(f"/units/{unit}").text
    assert re.findall(r'data-alert="(\d+)"', page) == [str(here)]
