"""Headless Chromium through the main flows of a demo node served by ``cawarn serve``.

The node is built the way a user builds one (``cawarn demo --no-serve``, which stores live
forecasts, then ``cawarn forecast evaluate``), a duty officer with a TOTP second factor and an
administrator are enrolled through the accounts service, and Playwright drives Debian's Chromium
(``make test`` installs it). Screenshots go to .screenshots/.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cawarn.accounts import audit
from cawarn.accounts.directory import create_user
from cawarn.accounts.login import confirm_totp_enrolment, start_totp_enrolment
from cawarn.accounts.totp import STEP_SECONDS, code_at
from cawarn.alerts import moves
from cawarn.config import load_settings
from cawarn.domain.access import Role
from cawarn.store.engine import create_engine_for
from tests.cli.helpers import cawarn
from tests.conftest import BOUNDARIES, REPO

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = REPO / ".screenshots"
USER = "duty.officer"
ANALYST = "browser.analyst"
ADMIN = "browser.admin"
NEW_USER = "kgz.duty2"
PASSWORD = "a long browser-test password"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """A demo node with a live forecast and its alerts, served on a free port.

    Yields the url, the duty officer's TOTP secret and the node's home.
    """
    home = tmp_path_factory.mktemp("browser") / "node"
    env = {"CAWARN_GEO_SOURCE": str(BOUNDARIES)}
    built = cawarn(home, "demo", "--no-serve", "--start", "2020-01", "--end", "2024-12", env=env)
    assert built.returncode == 0, built.stderr
    evaluation = cawarn(
        home,
        "forecast",
        "evaluate",
        "--level",
        "country",
        "--test-start",
        "2023-01",
        "--test-end",
        "2023-06",
        "--steps",
        "3",
        "--samples",
        "100",
        "--seeds",
        "1",
        "--models",
        "zero,hurdle",
    )
    assert evaluation.returncode == 0, evaluation.stderr
    scan = cawarn(home, "alerts", "scan")
    assert scan.returncode == 0, scan.stderr
    settings = load_settings(home)
    engine = create_engine_for(settings)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        user = create_user(
            conn, USER, settings.organisation, Role.DUTY_OFFICER, PASSWORD, actor=audit.CLI
        )
        create_user(conn, ANALYST, settings.organisation, Role.ANALYST, PASSWORD, actor=audit.CLI)
        create_user(conn, ADMIN, settings.organisation, Role.ADMIN, PASSWORD, actor=audit.CLI)
        secret, _ = start_totp_enrolment(conn, user, actor=audit.CLI)
        confirm_totp_enrolment(conn, user, code_at(secret, now), actor=audit.CLI, now=now)
    engine.dispose()
    port = _free_port()
    log = (home / "serve.log").open("w", encoding="utf-8")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cawarn",
            "--home",
            str(home),
            "--quiet",
            "serve",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=log,
        env={**os.environ},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/login", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, (home / "serve.log").read_text(encoding="utf-8")
            assert time.monotonic() < deadline, "the server did not start within 60 s"
            time.sleep(0.2)
        yield url, secret, home
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _next_code(secret: str) -> str:
    """A code of a step after the one the enrolment used (a code is good once)."""
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=STEP_SECONDS)
    return code_at(secret, later)


def test_a_duty_officer_logs_in_finds_an_event_opens_a_unit_answers_an_alert_reads_russian(
    served: tuple[str, str, Path],
) -> None:
    if not CHROMIUM.exists():
        pytest.fail(
            "Debian's chromium is missing: `make test` installs it (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    url, secret, home = served
    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="en-GB")
        outside: list[str] = []
        page.on("request", lambda r: None if r.url.startswith(url) else outside.append(r.url))
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on(
            "response",
            lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        # Console errors include what the Content-Security-Policy blocked.
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

        page.goto(url + "/")
        assert page.url.startswith(url + "/login")
        page.fill("#username", USER)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("#code")
        page.fill("#code", _next_code(secret))
        page.click("button[type=submit]")
        page.wait_for_selector("body[data-ready='1']")
        assert page.url == url + "/"
        assert page.locator(".banner.synthetic").is_visible()
        # The choropleth drew the units, and the headline names the riskiest ones.
        page.wait_for_selector("#map path.leaflet-interactive")
        assert page.locator("#map path.leaflet-interactive").count() > 50
        assert page.locator("canvas[data-trend]").count() >= 5
        page.screenshot(path=str(SHOTS / "overview.png"), full_page=True)

        page.click("nav >> text=Events")
        page.select_option("select[name=category]", "attack_on_civilians")
        page.click("form.filters button[type=submit]")
        page.wait_for_selector("table.events tbody tr td a")
        assert "category=attack_on_civilians" in page.url
        page.screenshot(path=str(SHOTS / "events.png"), full_page=True)
        page.locator("table.events tbody tr td a").first.click()
        page.wait_for_selector("text=Provenance")
        assert page.locator(".banner.tlp").is_visible()
        assert "Attack on civilians" in page.inner_text("h1")
        page.screenshot(path=str(SHOTS / "event.png"), full_page=True)

        page.locator("dd a[href^='/units/']").first.click()
        page.wait_for_selector("#fan-chart")
        page.wait_for_selector("body[data-ready='1']")
        assert page.locator("ul.neighbours a").count() >= 1
        page.screenshot(path=str(SHOTS / "unit.png"), full_page=True)
        unit_url = page.url

        page.click("nav >> text=Forecasts")
        page.wait_for_selector("#map-step-12 path.leaflet-interactive")
        plots = page.locator(".plots img")
        assert plots.count() == 3
        for i in range(3):
            plots.nth(i).scroll_into_view_if_needed()
            assert plots.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
        page.screenshot(path=str(SHOTS / "forecasts.png"), full_page=True)

        # The alert inbox: the scan's alerts; the duty officer acknowledges the first one, an
        # analyst assesses it (through the lifecycle service), the duty officer records the
        # response and closes it.
        page.click("nav >> text=Alert inbox")
        page.wait_for_selector("table.alerts tbody tr")
        page.screenshot(path=str(SHOTS / "alerts.png"), full_page=True)
        link = page.locator("table.alerts tbody tr td a").first
        alert_id = int(str(link.get_attribute("href")).rsplit("/", 1)[1])
        link.click()
        page.wait_for_selector("form[data-step=acknowledge]")
        page.click("form[data-step=acknowledge] button")
        page.wait_for_selector("text=Nothing for you to do on this alert now.")
        assert page.inner_text("#alert-state") == "acknowledged"
        engine = create_engine_for(load_settings(home))
        with engine.begin() as conn:
            moves.move(
                conn,
                alert_id,
                ANALYST,
                "assess",
                now=dt.datetime.now(dt.UTC),
                text="Raids across the border are likely to go on.",
                confidence="moderate",
            )
        engine.dispose()
        page.reload()
        page.fill("form[data-step=respond] textarea[name=text]", "Border posts reinforced.")
        page.click("form[data-step=respond] button")
        page.wait_for_selector("form[data-step=close]")
        page.click("form[data-step=close] button")
        page.wait_for_selector("#alert-state:text('closed')")
        assert page.locator("text=Border posts reinforced.").count() == 1
        assert page.locator("text=Raids across the border are likely to go on.").count() == 1
        page.screenshot(path=str(SHOTS / "alert.png"), full_page=True)
        page.goto(unit_url)
        page.wait_for_selector("body[data-ready='1']")

        page.click("a[hreflang=ru]")
        page.wait_for_selector("html[lang=ru]")
        assert "Соседние регионы" in page.content()
        page.wait_for_selector("body[data-ready='1']")
        page.screenshot(path=str(SHOTS / "unit-ru.png"), full_page=True)
        page.click("nav >> text=Обзор")
        page.wait_for_selector("#map path.leaflet-interactive")
        page.screenshot(path=str(SHOTS / "overview-ru.png"), full_page=True)

        page.click("text=Выйти")
        page.wait_for_selector("#username")
        browser.close()
    assert outside == [], f"the pages asked for something outside the node: {outside}"
    assert errors == [], f"scripts failed in the browser: {errors}"


def test_an_administrator_adds_a_user_sees_the_password_once_and_makes_an_api_key(
    served: tuple[str, str, Path],
) -> None:
    if not CHROMIUM.exists():
        pytest.fail(
            "Debian's chromium is missing: `make test` installs it (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    url, _secret, _home = served
    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="en-GB")
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

        page.goto(url + "/login")
        page.fill("#username", ADMIN)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("body[data-ready='1']")
        page.click("nav >> text=Administration")
        page.wait_for_selector("form[data-form=user]")
        assert page.locator(f"tr[data-user='{NEW_USER}']").count() == 0

        # A new user: the node makes up the password and shows it once.
        form = page.locator("form[data-form=user]")
        form.locator("input[name=username]").fill(NEW_USER)
        form.locator("select[name=role]").select_option("duty_officer")
        form.locator("button[type=submit]").click()
        page.wait_for_selector("code[data-secret=password]")
        password = page.inner_text("code[data-secret=password]").strip()
        assert len(password) >= 20
        assert page.locator(f"tr[data-user='{NEW_USER}']").count() == 1
        page.screenshot(path=str(SHOTS / "admin-user.png"), full_page=True)
        login = httpx.post(
            f"{url}/api/v1/auth/login",
            json={"username": NEW_USER, "password": password},
            timeout=30,
        )
        assert login.status_code == 200, login.text

        # A read-only key for that user, shown once; it works as the user, and only reads.
        row = page.locator(f"tr[data-user='{NEW_USER}']")
        row.locator("form[data-form=apikey] select[name=expires_days]").select_option("30")
        row.locator("form[data-form=apikey] button[type=submit]").click()
        page.wait_for_selector("code[data-secret=apikey]")
        key = page.inner_text("code[data-secret=apikey]").strip()
        assert key.startswith("cawarn_")
        prefix = key.split("_")[1]
        assert page.locator(f"table.keys tr[data-key='{prefix}']").count() == 1
        page.screenshot(path=str(SHOTS / "admin.png"), full_page=True)
        me = httpx.get(f"{url}/api/v1/me", headers={"Authorization": f"Bearer {key}"}, timeout=30)
        assert me.status_code == 200 and me.json()["user"]["username"] == NEW_USER
        assert me.json()["read_only"] is True

        # Shown once: the page reloaded shows neither secret again.
        page.goto(url + "/admin")
        page.wait_for_selector("form[data-form=user]")
        assert page.locator("code[data-secret]").count() == 0
        assert password not in page.content() and key not in page.content()
        browser.close()
    assert errors == [], f"scripts failed in the browser: {errors}"
