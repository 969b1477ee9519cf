"""The field report pages in-process: file through the form, verify, return, resubmit, in EN/RU."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from cawarn.domain.access import Role
from tests.web.conftest import NODE_ORG, PARTNER_ORG, Node
from tests.web.reports_seed import BODY
from tests.web.ui.conftest import form_token, log_in

FORM = {key: str(value) for key, value in BODY.items()}


def _file(ui: TestClient, csrf: str, **change: str) -> tuple[int, str]:
    answer = ui.post("/reports/new", data={**FORM, **change, "csrf": csrf}, follow_redirects=False)
    if answer.status_code != 303:
        return answer.status_code, answer.text
    return 303, answer.headers["location"]


def _switch(ui: TestClient, org: str, role: Role) -> str:
    ui.cookies.clear()
    return log_in(ui, org, role)


def test_file_approve_and_see_the_grade_on_the_event(ui: TestClient, ui_node: Node) -> None:
    csrf = log_in(ui, PARTNER_ORG, Role.REPORTER)
    form = ui.get("/reports/new")
    assert form.status_code == 200
    assert 'id="pick-map"' in form.text and "/static/reports.js" in form.text
    assert "GeoNames (CC BY 4.0)" in form.text
    status, location = _file(ui, csrf)
    assert status == 303 and re.fullmatch(r"/reports/\d+", location), location
    page = ui.get(location)
    assert "submitted" in page.text and 'id="approve-form"' not in page.text
    csrf = _switch(ui, PARTNER_ORG, Role.VERIFIER)
    queue = ui.get("/reports")
    assert f'href="{location}"' in queue.text
    page = ui.get(location)
    assert 'id="approve-form"' in page.text
    answer = ui.post(
        f"{location}/approve",
        data={"csrf": form_token(page.text), "reliability": "B", "credibility": "2"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    page = ui.get(location)
    uid = re.search(r'id="report-event">([0-9a-f-]{36})<', page.text)
    assert uid and "B2" in page.text
    event = ui.get(f"/events/{uid.group(1)}")
    assert event.status_code == 200
    assert re.search(r'id="field-report">.*Admiralty grade.*<strong>B2</strong>', event.text)
    assert csrf


def test_return_and_resubmit_through_the_forms(ui: TestClient, ui_node: Node) -> None:
    csrf = log_in(ui, PARTNER_ORG, Role.REPORTER)
    _, location = _file(ui, csrf)
    _switch(ui, PARTNER_ORG, Role.VERIFIER)
    page = ui.get(location)
    ui.post(
        f"{location}/return",
        data={"csrf": form_token(page.text), "reason": "Which district of Bishkek?"},
    )
    csrf = _switch(ui, PARTNER_ORG, Role.REPORTER)
    mine = ui.get("/reports")
    assert "Which district of Bishkek?" in mine.text
    edit = ui.get(f"{location}/edit")
    assert edit.status_code == 200 and "Which district of Bishkek?" in edit.text
    assert 'value="42.87"' in edit.text
    answer = ui.post(
        f"{location}/edit",
        data={**FORM, "summary": "Exchange of fire in Sverdlov district.", "csrf": csrf},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert "resubmitted" in ui.get(location).text


def test_a_refused_report_shows_the_form_with_the_reason(ui: TestClient, ui_node: Node) -> None:
    csrf = log_in(ui, PARTNER_ORG, Role.REPORTER)
    status, text = _file(ui, csrf, fatalities_low="9")
    assert status == 422
    assert 'id="form-error"' in text and "Fatalities must be low" in text
    assert "Exchange of fire at the edge of the city." in text  # what was typed is kept
    status, text = _file(ui, csrf, latitude="north")
    assert status == 422 and "latitude" in text
    forged = ui.post("/reports/new", data={**FORM, "csrf": "forged"})
    assert forged.status_code == 404


def test_reports_are_not_seen_across_organisations_or_roles(ui: TestClient, ui_node: Node) -> None:
    csrf = log_in(ui, PARTNER_ORG, Role.REPORTER)
    _, location = _file(ui, csrf)
    _switch(ui, NODE_ORG, Role.VERIFIER)
    assert ui.get(location).status_code == 404
    assert location not in ui.get("/reports?state=all").text
    _switch(ui, PARTNER_ORG, Role.DUTY_OFFICER)
    assert ui.get("/reports").status_code == 404
    assert ui.get("/reports/new").status_code == 404
    assert 'href="/reports"' not in ui.get("/").text


def test_the_report_pages_in_russian(ui: TestClient, ui_node: Node) -> None:
    log_in(ui, PARTNER_ORG, Role.REPORTER)
    ui.get("/lang/ru")
    form = ui.get("/reports/new")
    assert "Новое донесение" in form.text and "Поиск места" in form.text
    assert "Донесения" in ui.get("/reports").text
