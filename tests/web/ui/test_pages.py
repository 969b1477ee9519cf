"""The UI's pages in-process: login, access per role, markings, languages, no CDN."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from cawarn.accounts import audit
from cawarn.accounts.directory import get_user
from cawarn.accounts.login import confirm_totp_enrolment, start_totp_enrolment
from cawarn.accounts.totp import code_at
from cawarn.domain import Marking
from cawarn.domain.access import Action, Role, allows, may_read_marking
from cawarn.store.tables import events
from tests.web.conftest import NODE_ORG, PARTNER_ORG, PASSWORD, Node, username
from tests.web.ui.conftest import add_synthetic_event, form_token, log_in

PAGES = ("/", "/events", "/units/{unit}", "/events/{uid}")
# Any URL that leaves the node: a scheme, or a protocol-relative //host.
EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//""", re.I)


def _pages(node: Node) -> list[str]:
    uid = node.event_uids[(NODE_ORG, next(iter(m for (_, m) in node.event_uids)))]
    return [p.format(unit=node.unit, uid=uid) for p in PAGES]  # type: ignore[attr-defined]


def test_every_page_sends_a_stranger_to_the_login_page(ui: TestClient, ui_node: Node) -> None:
    for path in _pages(ui_node):
        answer = ui.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/login?next=%2F"), path


def test_a_forged_or_ended_session_is_no_session(ui: TestClient, ui_node: Node) -> None:
    ui.cookies.set("cawarn_session", "forged.value.here")
    assert ui.get("/", follow_redirects=False).status_code == 303
    ui.cookies.clear()
    token = log_in(ui, NODE_ORG, Role.ANALYST)
    stolen = ui.cookies.get("cawarn_session")
    # Logging out needs the session's CSRF token...
    assert ui.post("/logout", data={"csrf": "wrong"}).status_code == 404
    assert ui.get("/", follow_redirects=False).status_code == 200
    # ...and ends the session everywhere, a copied cookie included.
    assert ui.post("/logout", data={"csrf": token}, follow_redirects=False).status_code == 303
    ui.cookies.set("cawarn_session", stolen or "")
    assert ui.get("/", follow_redirects=False).status_code == 303


def test_login_refuses_a_wrong_password_and_a_form_without_its_token(
    ui: TestClient, ui_node: Node
) -> None:
    page = ui.get("/login")
    data = {"username": username(NODE_ORG, Role.ANALYST), "password": "nope"}
    wrong = ui.post("/login", data={**data, "csrf": form_token(page.text)})
    assert wrong.status_code == 401
    assert "The username or password is wrong." in wrong.text
    assert not ui.cookies.get("cawarn_session")
    forged = ui.post("/login", data={**data, "password": PASSWORD, "csrf": "forged"})
    assert forged.status_code == 200 and 'action="/login"' in forged.text
    assert not ui.cookies.get("cawarn_session")
    # After login the browser goes back where it wanted to go, never to another site.
    ui.post(
        "/login",
        data={
            **data,
            "password": PASSWORD,
            "csrf": form_token(page.text),
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert ui.cookies.get("cawarn_session")


def test_login_asks_for_the_one_time_code_once_enrolled(ui: TestClient, ui_node: Node) -> None:
    name = username(NODE_ORG, Role.DUTY_OFFICER)
    now = dt.datetime.now(dt.UTC)
    with ui_node.engine.begin() as conn:
        user = get_user(conn, name)
        secret, _ = start_totp_enrolment(conn, user, actor=audit.CLI)
        confirm_totp_enrolment(conn, user, code_at(secret, now), actor=audit.CLI, now=now)
    page = ui.get("/login")
    token = form_token(page.text)
    first = ui.post(
        "/login",
        data={"username": name, "password": PASSWORD, "csrf": token, "next": "/events"},
    )
    assert first.status_code == 200 and 'action="/login/totp"' in first.text
    assert not ui.cookies.get("cawarn_session")
    wrong = ui.post("/login/totp", data={"code": "000000", "csrf": token, "next": "/events"})
    assert wrong.status_code == 401 and "one-time code is wrong" in wrong.text
    # The enrolment used this step's code; a code is good once, so the next step's is needed.
    code = code_at(secret, now + dt.timedelta(seconds=30))
    replay = ui.post("/login/totp", data={"code": code_at(secret, now), "csrf": token})
    assert replay.status_code == 401
    ok = ui.post(
        "/login/totp", data={"code": code, "csrf": token, "next": "/events"}, follow_redirects=False
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/events"
    assert ui.get("/events").status_code == 200


@pytest.mark.parametrize("org", [NODE_ORG, PARTNER_ORG])
@pytest.mark.parametrize("role", list(Role))
def test_pages_follow_the_roles_and_markings(
    ui: TestClient, ui_node: Node, org: str, role: Role
) -> None:
    log_in(ui, org, role)
    overview = ui.get("/")
    assert overview.status_code == 200
    # The forecast aggregates every event: only roles that read panels see it.
    assert ("/units/" + ui_node.units[0] in overview.text) is allows(role, Action.READ_PANELS)  # type: ignore[attr-defined]
    events_page = ui.get("/events")
    assert events_page.status_code == (200 if allows(role, Action.READ_EVENTS) else 404)
    for (owner, marking), uid in ui_node.event_uids.items():
        ok = may_read_marking(role, marking, own_organisation=owner == org)
        answer = ui.get(f"/events/{uid}")
        assert answer.status_code == (200 if ok else 404), (owner, marking)
        if ok:
            assert marking.value in answer.text
        assert (f"/events/{uid}" in events_page.text) is ok, (owner, marking)
    unit = ui.get(f"/units/{ui_node.unit}")  # type: ignore[attr-defined]
    assert unit.status_code == 200
    reads_forecasts = allows(role, Action.READ_PANELS)
    assert ui.get("/forecasts").status_code == (200 if reads_forecasts else 404)
    plot = f"/forecasts/evaluations/{ui_node.evaluation}/skill_by_step.png"  # type: ignore[attr-defined]
    assert ui.get(plot).status_code == (200 if reads_forecasts else 404)
    admin = ui.get("/admin")
    assert admin.status_code == (200 if allows(role, Action.READ_USERS) else 404)
    if admin.status_code == 200:
        # The node's own administrators and auditors see every organisation; others their own.
        other = username(PARTNER_ORG if org == NODE_ORG else NODE_ORG, Role.REPORTER)
        assert username(org, Role.REPORTER) in admin.text
        assert (other in admin.text) is (org == NODE_ORG)
    assert ('href="/admin"' in overview.text) is allows(role, Action.READ_USERS)
    assert ('id="fan-chart"' in unit.text) is allows(role, Action.READ_PANELS)
    assert ui.get("/units/NOPE").status_code == 404
    assert ui.get("/events/not-an-event").status_code == 404


def test_the_event_page_shows_provenance_and_the_marking(ui: TestClient, ui_node: Node) -> None:
    uid = ui_node.event_uids[(NODE_ORG, Marking.CLEAR)]
    with ui_node.engine.begin() as conn:
        row = dict(conn.execute(sa.select(events).where(events.c.uid == uid)).mappings().one())
        # An earlier revision that was RED: only readers of the owner's RED may see it.
        older = {**row, "revision": 0, "is_current": False, "marking": Marking.RED.value}
        older.pop("id")
        conn.execute(events.insert().values(**older))
        conn.execute(
            events.update()
            .where(events.c.uid == uid, events.c.is_current)
            .values(source_fields={"where_coordinates": "Bishkek"})
        )
    for org, rows in ((NODE_ORG, 2), (PARTNER_ORG, 1)):
        ui.cookies.clear()
        log_in(ui, org, Role.ANALYST)
        page = ui.get(f"/events/{uid}")
        assert page.status_code == 200
        for text in ("Provenance", "Government of Kyrgyzstan", uid, NODE_ORG, "where_coordinates"):
            assert text in page.text
        assert 'class="banner tlp tlp-clear"' in page.text
        revisions = page.text.split('class="revisions"')[1].split("</table>")[0]
        assert revisions.count("<tr><td>") == rows, org
        assert ("TLP:RED" in revisions) is (org == NODE_ORG)


def test_the_explorer_filters_and_pages(ui: TestClient, ui_node: Node) -> None:
    log_in(ui, NODE_ORG, Role.ANALYST)
    everything = ui.get("/events")
    assert "events match" in everything.text
    none = ui.get("/events", params={"country": "TJK"})
    assert "No events match these filters." in none.text
    by_unit = ui.get("/events", params={"admin1": ui_node.unit, "from": "2024-05-01"})  # type: ignore[attr-defined]
    assert by_unit.text.count("/events/") == everything.text.count("/events/")
    later = ui.get("/events", params={"from": "2024-05-02"})
    assert "No events match these filters." in later.text
    # The export links hand the same filters to the API, which answers the same session.
    link = re.search(r'href="(/api/v1/events\?format=csv[^"]*)"', none.text)
    assert link is not None
    export = ui.get(link.group(1).replace("&amp;", "&"))
    assert export.status_code == 200 and "country=TJK" in link.group(1)
    assert export.text.count("\n") == 2  # the header and the HXL row: no Tajik events


def test_the_unit_page_shows_history_forecast_and_neighbours(ui: TestClient, ui_node: Node) -> None:
    log_in(ui, NODE_ORG, Role.ANALYST)
    page = ui.get(f"/units/{ui_node.unit}")  # type: ignore[attr-defined]
    assert 'id="history-chart"' in page.text and 'id="fan-chart"' in page.text
    # Twelve forecast months in the table, and at least one neighbouring unit linked.
    assert len(re.findall(r"<tr><td>[^<]+</td><td class=\"num\">", page.text)) == 12
    links = set(re.findall(r'href="/units/([^"]+)"', page.text))
    assert links and ui_node.unit not in links  # type: ignore[attr-defined]


def test_pages_load_nothing_from_outside_the_node(ui: TestClient, ui_node: Node) -> None:
    log_in(ui, NODE_ORG, Role.ANALYST)
    for path in ["/login", *_pages(ui_node)]:
        page = ui.get(path)
        assert page.status_code == 200, path
        assert not EXTERNAL.search(page.text), (path, EXTERNAL.search(page.text))
        assert "default-src 'self'" in page.headers["content-security-policy"]
    # The pages' own script and the npm libraries (`make static`) are served by the node.
    for script in re.findall(r'src="(/static/[^"]+)"', ui.get("/").text):
        assert ui.get(script).status_code == 200, f"{script} is missing: run `make static`"
    assert ui.get("/static/vendor/leaflet/leaflet.css").status_code == 200


def test_switching_to_russian_translates_pages_dates_and_numbers(
    ui: TestClient, ui_node: Node
) -> None:
    log_in(ui, NODE_ORG, Role.ANALYST)
    english = ui.get("/events")
    assert "Events" in english.text and "May 1, 2024" in english.text
    answer = ui.get("/lang/ru", params={"next": "/events"}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/events"
    russian = ui.get("/events")
    assert '<html lang="ru">' in russian.text
    assert "События" in russian.text and "1 мая 2024" in russian.text
    assert "Events" not in russian.text.replace("/events", "")
    assert "Обзор" in ui.get("/").text
    assert ui.get("/lang/xx").status_code == 404


def test_simulated_data_is_marked_on_every_page(ui: TestClient, ui_node: Node) -> None:
    log_in(ui, NODE_ORG, Role.ANALYST)
    assert "SIMULATED DATA" not in ui.get("/").text
    add_synthetic_event(ui_node.engine)
    for path in ["/login", *_pages(ui_node)]:
        assert "SIMULATED DATA" in ui.get(path).text, path


def test_the_forecasts_page_maps_horizons_and_shows_the_evaluation(
    ui: TestClient, ui_node: Node
) -> None:
    log_in(ui, NODE_ORG, Role.ANALYST)
    page = ui.get("/forecasts")
    assert page.status_code == 200
    # The live run has 12 steps: maps at 1, 3, 6 and 12 months ahead.
    assert re.findall(r'id="map-step-(\d+)"', page.text) == ["1", "3", "6", "12"]
    assert "1.250" in page.text  # the overall CRPS of the stored evaluation
    run = ui_node.evaluation  # type: ignore[attr-defined]
    assert f'src="/forecasts/evaluations/{run}/skill_by_step.png"' in page.text
    assert "reliability.png" not in page.text  # the report has no such plot
    plot = ui.get(f"/forecasts/evaluations/{run}/skill_by_step.png")
    assert plot.status_code == 200 and plot.content.startswith(b"\x89PNG")
    # Nothing else of the report folder, and nothing outside it, is served.
    for name in ("secret.txt", "report.md", "..%2F..%2Fcawarn.toml", "reliability.png"):
        assert ui.get(f"/forecasts/evaluations/{run}/{name}").status_code == 404, name
    assert ui.get(f"/forecasts/evaluations/{run + 99}/skill_by_step.png").status_code == 404


def test_an_event_received_from_a_peer_shows_its_origin(ui: TestClient, ui_node: Node) -> None:
    uid = ui_node.event_uids[(PARTNER_ORG, Marking.GREEN)]
    with ui_node.engine.begin() as conn:
        conn.execute(
            events.update()
            .where(events.c.uid == uid, events.c.is_current)
            .values(
                source="stix",
                source_fields={"origin_source": "ucdp-ged", "origin_source_event_id": "123"},
            )
        )
    log_in(ui, NODE_ORG, Role.ANALYST)
    page = ui.get(f"/events/{uid}")
    assert page.status_code == 200
    origin = page.text.split('id="origin">')[1].split("</dd>")[0]
    assert PARTNER_ORG in origin and "ucdp-ged 123" in origin
    own = ui.get(f"/events/{ui_node.event_uids[(NODE_ORG, Marking.GREEN)]}")
    assert 'id="origin"' not in own.text
