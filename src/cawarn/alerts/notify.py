"""Notifications of new and escalated alerts: an outbox, delivered by e-mail and signed webhooks.

A notification is queued in the same transaction as the alert change that causes it (the outbox
pattern), so a crash can neither lose one nor send one for a change that was rolled back. Delivery
(:func:`deliver_due`) takes the due items, tries each once, and on failure waits
``base · 2^(attempts − 1)`` before the next try, up to ``max_attempts`` tries; then the item is
``failed`` with its last error kept. Webhooks carry ``X-Cawarn-Signature: sha256=<hex>``, the
HMAC-SHA256 of the exact body bytes under the shared secret, so the receiver can check who sent it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import smtplib
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from sqlalchemy import Connection, Engine, select

from cawarn.store.tables import alerts, notifications

SIGNATURE_HEADER = "X-Cawarn-Signature"
#: The wait after the first failed try; each further failure doubles it.
BACKOFF_BASE = dt.timedelta(minutes=1)
TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Channels:
    """Where notifications go: mailboxes per severity (``all`` for every one) and a webhook."""

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = "cawarn@localhost"
    recipients: dict[str, list[str]] = field(default_factory=dict)
    webhook_url: str | None = None
    webhook_secret: str | None = None
    max_attempts: int = 6

    @classmethod
    def from_settings(cls, settings: Any) -> Channels:
        """The channels a node's settings configure."""
        return cls(
            smtp_host=settings.smtp_host,
            smtp_port=settings.smtp_port,
            smtp_sender=settings.smtp_sender,
            recipients=dict(settings.smtp_recipients),
            webhook_url=settings.webhook_url,
            webhook_secret=settings.webhook_secret,
            max_attempts=settings.notify_max_attempts,
        )

    def mailboxes(self, severity: str) -> list[str]:
        """The addresses for an alert of this severity."""
        return list(
            dict.fromkeys([*self.recipients.get(severity, []), *self.recipients.get("all", [])])
        )


def signature(secret: str, body: bytes) -> str:
    """The value of the signature header for a body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _payload(conn: Connection, alert_id: int, event: str) -> dict[str, Any]:
    row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).mappings().one()
    due = row["due_at"]
    return {
        "event": event,
        "alert": {
            "id": row["id"],
            "organisation": row["organisation"],
            "unit": row["unit"],
            "detector": row["detector"],
            "severity": row["severity"],
            "state": row["state"],
            "escalation_level": row["escalation_level"],
            "title": row["title"],
            "first_triggered": row["first_triggered"].isoformat(),
            "last_triggered": row["last_triggered"].isoformat(),
            "due_step": row["due_step"],
            "due_at": due.replace(tzinfo=dt.UTC).isoformat() if due else None,
            "model_version": row["model_version"],
            "events": row["evidence"].get("events", []),
        },
    }


def enqueue(
    conn: Connection, alert_id: int, event: str, *, now: dt.datetime, channels: Channels | None
) -> int:
    """Queue the notifications of an alert's change; returns how many were queued."""
    if channels is None:
        return 0
    payload = _payload(conn, alert_id, event)
    targets: list[tuple[str, str]] = []
    mailboxes = channels.mailboxes(payload["alert"]["severity"])
    if channels.smtp_host and mailboxes:
        targets.append(("email", ",".join(mailboxes)))
    if channels.webhook_url:
        targets.append(("webhook", channels.webhook_url))
    for channel, target in targets:
        conn.execute(
            notifications.insert().values(
                alert_id=alert_id,
                event=event,
                channel=channel,
                target=target,
                payload=payload,
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
    return len(targets)


def _send_email(channels: Channels, target: str, payload: dict[str, Any]) -> None:
    alert = payload["alert"]
    message = EmailMessage()
    message["From"] = channels.smtp_sender
    message["To"] = target
    message["Subject"] = (
        f"[cawarn {alert['severity']}] alert {alert['id']} {payload['event']}: {alert['title']}"
    )
    message.set_content(
        f"Alert {alert['id']} ({alert['severity']}, {alert['state']}) is {payload['event']}.\n"
        f"{alert['title']}\n"
        f"Triggered {alert['first_triggered']} to {alert['last_triggered']}; "
        f"next step {alert['due_step']} due {alert['due_at']}.\n"
        f"Evidence: {len(alert['events'])} events; model {alert['model_version']}.\n"
        f"Open it with: cawarn alerts show {alert['id']}\n"
    )
    assert channels.smtp_host is not None
    with smtplib.SMTP(channels.smtp_host, channels.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
        smtp.send_message(message)


def _send_webhook(channels: Channels, target: str, payload: dict[str, Any]) -> None:
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json"}
    if channels.webhook_secret:
        headers[SIGNATURE_HEADER] = signature(channels.webhook_secret, body)
    request = urllib.request.Request(target, data=body, headers=headers, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
        if not 200 <= response.status < 300:
            raise OSError(f"HTTP {response.status}")


@dataclass
class DeliveryReport:
    """What one delivery round did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0


def deliver_due(engine: Engine, channels: Channels, *, now: dt.datetime) -> DeliveryReport:
    """Try every pending notification that is due; each result is committed on its own."""
    report = DeliveryReport()
    with engine.connect() as conn:
        due = (
            conn.execute(
                select(notifications)
                .where(notifications.c.status == "pending", notifications.c.next_attempt_at <= now)
                .order_by(notifications.c.id)
            )
            .mappings()
            .all()
        )
    for item in due:
        error = None
        try:
            if item["channel"] == "email":
                _send_email(channels, item["target"], item["payload"])
            else:
                _send_webhook(channels, item["target"], item["payload"])
        except (OSError, smtplib.SMTPException, urllib.error.URLError) as err:
            error = f"{type(err).__name__}: {err}"
        attempts = item["attempts"] + 1
        values: dict[str, Any] = {"attempts": attempts, "last_error": error}
        if error is None:
            values.update(status="sent", sent_at=now)
            report.sent += 1
        elif attempts >= channels.max_attempts:
            values.update(status="failed")
            report.failed += 1
        else:
            values.update(next_attempt_at=now + BACKOFF_BASE * 2 ** (attempts - 1))
            report.retrying += 1
        with engine.begin() as conn:
            conn.execute(
                notifications.update().where(notifications.c.id == item["id"]).values(**values)
            )
    return report


def list_notifications(conn: Connection, alert_id: int | None = None) -> list[dict[str, Any]]:
    """Outbox items, oldest first."""
    query = select(notifications).order_by(notifications.c.id)
    if alert_id is not None:
        query = query.where(notifications.c.alert_id == alert_id)
    return [dict(r) for r in conn.execute(query).mappings()]
