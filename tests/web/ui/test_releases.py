"""The Release form on the event and alert pages: who sees it, a decision, a refusal, revoking."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from cawarn.domain import Marking
from cawarn.domain.access import Role
from tests.web.conftest import NODE_ORG, PARTNER_ORG, Node
from tests.web.ui.conftest import log_in


def test_only_releasing_officers_see_the_form(ui: TestClient, ui_node: Node) -> None:
    uid = ui_node.event_uids[(NODE_ORG, Marking.AMBER)]
    log_in(ui, NODE_ORG, Role.ANALYST)
    assert ui.get(f"/events/{uid}").status_code == 200
    assert 'action="/releases"' not in ui.get(f"/events/{uid}").text
    ui.cookies.clear()
    log_in(ui, NODE_ORG, Role.RELEASING_OFFICER)
    page = ui.get(f"/events/{uid}")
    assert 'action="/releases"' in page.text
    assert f'name="to" value="{PARTNER_ORG}"' in page.text
    assert f'name="to" value="{NODE_ORG}"' not in page.text, "not to itself"
    alert = ui.get(f"/alerts/{ui_node.alert_ids[NODE_ORG]}")
    assert 'name="kind" value="alert"' in alert.text


def test_release_then_revoke_from_the_event_page(ui: TestClient, ui_node: Node) -> None:
    uid = ui_node.event_uids[(NODE_ORG, Marking.AMBER)]
    csrf = log_in(ui, NODE_ORG, Role.RELEASING_OFFICER)
    form = {"csrf": csrf, "kind": "event", "item": uid, "to": [PARTNER_ORG], "tlp": "TLP:AMBER"}
    made = ui.post("/releases", data={**form, "expires": "2099-12-31"}, follow_redirects=False)
    assert made.status_code == 303 and made.headers["location"] == f"/events/{uid}"
    page = ui.get(f"/events/{uid}").text
    listed = re.search(r'action="/releases/(\d+)/revoke"', page)
    assert listed, "the new release is listed with a revoke button"
    assert PARTNER_ORG in page and "2099" in page
    gone = ui.post(f"/releases/{listed.group(1)}/revoke", data={"csrf": csrf})
    assert gone.status_code == 200
    assert 'action="/releases/' + listed.group(1) not in gone.text
    assert ui.post("/releases", data={**form, "csrf": "forged"}).status_code == 404


def test_a_refused_release_says_why(ui: TestClient, ui_node: Node) -> None:
    uid = ui_node.event_uids[(NODE_ORG, Marking.AMBER)]
    csrf = log_in(ui, NODE_ORG, Role.RELEASING_OFFICER)
    lower = {"csrf": csrf, "kind": "event", "item": uid, "to": [PARTNER_ORG], "tlp": "TLP:GREEN"}
    refused = ui.post("/releases", data=lower)
    assert refused.status_code == 422
    assert "lower marking" in refused.text and f'href="/events/{uid}"' in refused.text
    nobody = ui.post("/releases", data={**lower, "to": [], "tlp": "TLP:AMBER"})
    assert nobody.status_code == 422 and "audience is empty" in nobody.text
    other = ui_node.event_uids[(PARTNER_ORG, Marking.AMBER)]
    hidden = ui.post("/releases", data={**lower, "item": other, "tlp": "TLP:AMBER"})
    assert hidden.status_code == 404
