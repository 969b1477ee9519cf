"""Notifications through real local servers: an SMTP server (aiosmtpd) receives the e-mail, an
HTTP server checks the webhook's HMAC signature and fails the first try to show the retry."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from cawarn.alerts.candidates import Candidate, group_episodes
from cawarn.alerts.notify import SIGNATURE_HEADER, Channels, deliver_due, list_notifications
from cawarn.alerts.store import upsert_drafts
from cawarn.domain.alerts import Severity

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
SECRET = "a shared webhook secret, long enough"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[_Mailbox, int]]:
    mailbox = _Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


class _Hook:
    def __init__(self) -> None:
        self.requests: list[tuple[bool, dict[str, Any]]] = []
        self.fail_first = True


@pytest.fixture
def webhook() -> Iterator[tuple[_Hook, str]]:
    hook = _Hook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            valid = hmac.compare_digest(expected, self.headers.get(SIGNATURE_HEADER, ""))
            hook.requests.append((valid, json.loads(body)))
            failing = hook.fail_first and len(hook.requests) == 1
            self.send_response(500 if failing or not valid else 204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook, f"http://127.0.0.1:{server.server_address[1]}/cawarn"
    finally:
        server.shutdown()
        server.server_close()


def _raise_alert(engine: sa.Engine, channels: Channels) -> int:
    candidate = Candidate(
        detector="flash",
        unit="TJ-SU",
        day=dt.date(2026, 3, 1),
        severity=Severity.HIGH,
        observed=12.0,
        expected=float("nan"),
        threshold=10.0,
        score=12.0,
        params={"kind": "deaths", "min_deaths": 10},
        model_version="rules",
        event_ids=("e1",),
        rule="mass-casualty",
    )
    with engine.begin() as conn:
        result = upsert_drafts(conn, "NODE", group_episodes([candidate]), now=T0, channels=channels)
    (alert_id,) = result.new
    return alert_id


def test_email_and_signed_webhook_with_a_retry(
    engine: sa.Engine, smtp: tuple[_Mailbox, int], webhook: tuple[_Hook, str]
) -> None:
    mailbox, port = smtp
    hook, url = webhook
    channels = Channels(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_sender="cawarn@node.example",
        recipients={"high": ["duty@nctc.example"], "critical": ["chief@nctc.example"]},
        webhook_url=url,
        webhook_secret=SECRET,
    )
    alert_id = _raise_alert(engine, channels)
    with engine.connect() as conn:
        queued = list_notifications(conn, alert_id)
    assert sorted(n["channel"] for n in queued) == ["email", "webhook"]

    first = deliver_due(engine, channels, now=T0)
    assert (first.sent, first.retrying, first.failed) == (1, 1, 0)
    assert len(mailbox.messages) == 1
    mail = mailbox.messages[0]
    assert mail.rcpt_tos == ["duty@nctc.example"]  # high only, not the critical mailbox
    assert f"alert {alert_id} new" in mail.content.decode()
    assert len(hook.requests) == 1 and hook.requests[0][0]  # signed, but answered 500
    with engine.connect() as conn:
        item = next(n for n in list_notifications(conn, alert_id) if n["channel"] == "webhook")
    assert item["attempts"] == 1 and "500" in item["last_error"]

    # Not due yet: the first wait is a minute.
    early = deliver_due(engine, channels, now=T0 + dt.timedelta(seconds=30))
    assert (early.sent, early.retrying) == (0, 0) and len(hook.requests) == 1
    second = deliver_due(engine, channels, now=T0 + dt.timedelta(seconds=61))
    assert (second.sent, second.retrying) == (1, 0)
    valid, body = hook.requests[1]
    assert valid and body["event"] == "new" and body["alert"]["id"] == alert_id
    assert body["alert"]["events"] == ["e1"]
    assert len(mailbox.messages) == 1  # the e-mail was not sent twice
    with engine.connect() as conn:
        assert {n["status"] for n in list_notifications(conn, alert_id)} == {"sent"}


def test_a_wrong_secret_is_rejected_and_given_up_after_max_attempts(
    engine: sa.Engine, webhook: tuple[_Hook, str]
) -> None:
    hook, url = webhook
    hook.fail_first = False
    channels = Channels(webhook_url=url, webhook_secret="not the shared secret", max_attempts=2)
    alert_id = _raise_alert(engine, channels)
    deliver_due(engine, channels, now=T0)
    report = deliver_due(engine, channels, now=T0 + dt.timedelta(minutes=5))
    assert report.failed == 1
    assert [valid for valid, _ in hook.requests] == [False, False]
    with engine.connect() as conn:
        (item,) = list_notifications(conn, alert_id)
    assert item["status"] == "failed" and item["attempts"] == 2
