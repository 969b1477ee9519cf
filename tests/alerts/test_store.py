"""Stored alerts on both backends: one alert per episode, the lifecycle by role, the audit log,
overdue escalation by the clock, and the loop metrics."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from cawarn.accounts import audit
from cawarn.accounts.directory import create_organisation, create_user
from cawarn.alerts.candidates import Candidate, group_episodes
from cawarn.alerts.metrics import loop_metrics
from cawarn.alerts.moves import AlertPermissionError, escalate_overdue, move
from cawarn.alerts.notify import Channels, list_notifications
from cawarn.alerts.store import get_alert, list_alerts, upsert_drafts
from cawarn.domain import NotFoundError
from cawarn.domain.access import OrgKind, Role
from cawarn.domain.alerts import Severity, TransitionError
from cawarn.store.tables import alerts

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
ORG = "KGZ-NCTC"
PASSWORD = "a long and unguessable passphrase"


def _candidate(
    day: dt.date, *, unit: str = "KG-OS", severity: Severity = Severity.MEDIUM, events: int = 1
) -> Candidate:
    return Candidate(
        detector="cusum",
        unit=unit,
        day=day,
        severity=severity,
        observed=3.0,
        expected=0.4,
        threshold=2.5,
        score=4.1,
        params={"ratio": 2.0},
        model_version="cusum-nb",
        event_ids=tuple(f"{day.isoformat()}-{i}" for i in range(events)),
        period_start=day - dt.timedelta(days=6),
    )


def _upsert(engine: sa.Engine, *cands: Candidate, now: dt.datetime = T0):  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        return upsert_drafts(conn, ORG, group_episodes(cands), now=now)


@pytest.fixture
def people(engine: sa.Engine) -> sa.Engine:
    with engine.begin() as conn:
        create_organisation(conn, ORG, "Kyrgyz centre", OrgKind.STATE, actor=audit.CLI)
        create_organisation(conn, "TJK-NCTC", "Tajik centre", OrgKind.STATE, actor=audit.CLI)
        for name, role, org in (
            ("kgz.duty", Role.DUTY_OFFICER, ORG),
            ("kgz.analyst", Role.ANALYST, ORG),
            ("kgz.reporter", Role.REPORTER, ORG),
            ("tjk.duty", Role.DUTY_OFFICER, "TJK-NCTC"),
        ):
            create_user(conn, name, org, role, PASSWORD, actor=audit.CLI)
    return engine


def test_a_rescan_updates_one_alert_per_episode(engine: sa.Engine) -> None:
    first = _upsert(engine, _candidate(dt.date(2026, 2, 1)), _candidate(dt.date(2026, 2, 8)))
    assert len(first.new) == 1 and first.updated == []
    again = _upsert(engine, _candidate(dt.date(2026, 2, 1)), _candidate(dt.date(2026, 2, 8)))
    assert again.new == [] and again.updated == [] and again.unchanged == 1
    # A new trigger of the same episode, more severe: the same alert grows.
    grown = _upsert(engine, _candidate(dt.date(2026, 2, 22), severity=Severity.HIGH, events=2))
    assert grown.new == [] and grown.updated == first.new
    with engine.connect() as conn:
        row = get_alert(conn, first.new[0])
    assert row["severity"] == "high"
    # High severity: acknowledge within 4 hours of creation, not the 24 of a medium alert.
    assert row["due_at"].replace(tzinfo=dt.UTC) == T0 + dt.timedelta(hours=4)
    assert row["ack_due"].replace(tzinfo=dt.UTC) == T0 + dt.timedelta(hours=4)
    assert row["last_triggered"] == dt.date(2026, 2, 22)
    assert len(row["evidence"]["triggers"]) == 3
    assert row["evidence"]["events"] == [
        "2026-02-01-0",
        "2026-02-08-0",
        "2026-02-22-0",
        "2026-02-22-1",
    ]
    # After more than 35 quiet days, a new episode opens a new alert.
    later = _upsert(engine, _candidate(dt.date(2026, 4, 30)))
    assert len(later.new) == 1 and later.new != first.new
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(alerts)).scalar() == 2


def test_lifecycle_by_role_with_audit(people: sa.Engine) -> None:
    engine = people
    (alert_id,) = _upsert(engine, _candidate(dt.date(2026, 2, 1), severity=Severity.HIGH)).new
    with engine.connect() as conn:
        row = get_alert(conn, alert_id)
    assert row["state"] == "new" and row["due_step"] == "acknowledge"
    assert row["ack_due"].replace(tzinfo=dt.UTC) == T0 + dt.timedelta(hours=4)

    def step(user: str, what: str, minutes: int, **kw: str) -> dict:  # type: ignore[type-arg]
        with engine.begin() as conn:
            return move(conn, alert_id, user, what, now=T0 + dt.timedelta(minutes=minutes), **kw)

    with pytest.raises(AlertPermissionError, match="reporter and may not acknowledge"):
        step("kgz.reporter", "acknowledge", 5)
    with pytest.raises(NotFoundError, match="no alert"):
        step("tjk.duty", "acknowledge", 5)  # another organisation's alert does not exist for it
    with pytest.raises(TransitionError, match="is new and cannot become assessed"):
        step("kgz.analyst", "assess", 5, text="x", confidence="high")
    assert step("kgz.duty", "acknowledge", 30)["assignee"] == "kgz.duty"
    with pytest.raises(AlertPermissionError, match="duty_officer and may not assess"):
        step("kgz.duty", "assess", 40, text="x", confidence="high")
    with pytest.raises(TransitionError, match="not a level"):
        step("kgz.analyst", "assess", 40, text="x", confidence="sure")
    step("kgz.analyst", "assess", 60, text="Local feud, not a campaign.", confidence="medium")
    step("kgz.analyst", "escalate", 70, text="Two districts now.")
    with pytest.raises(AlertPermissionError):
        step("kgz.analyst", "respond", 80, text="x")
    row = step("kgz.duty", "respond", 120, text="Police reinforced in Osh.")
    assert row["due_step"] is None
    row = step("kgz.duty", "close", 150)
    assert row["state"] == "closed"
    moves = [(t["from_state"], t["to_state"], t["actor"]) for t in row["transitions"]]
    assert moves == [
        ("new", "acknowledged", "kgz.duty"),
        ("acknowledged", "assessed", "kgz.analyst"),
        ("assessed", "escalated", "kgz.analyst"),
        ("escalated", "responded", "kgz.duty"),
        ("responded", "closed", "kgz.duty"),
    ]
    assert row["transitions"][1]["confidence"] == "moderate"
    assert row["transitions"][1]["text"] == "Local feud, not a campaign."
    with engine.connect() as conn:
        logged = [
            (r["actor"], r["action"]) for r in audit.iter_rows(conn) if r["object_type"] == "alert"
        ]
        assert audit.verify_chain(conn) is None
    assert logged == [
        ("system", "alert.create"),
        ("kgz.duty", "alert.acknowledge"),
        ("kgz.analyst", "alert.assess"),
        ("kgz.analyst", "alert.escalate"),
        ("kgz.duty", "alert.respond"),
        ("kgz.duty", "alert.close"),
    ]
    # The closed alert takes no new work: a later trigger of its episode opens a follow-up.
    assert _upsert(engine, _candidate(dt.date(2026, 2, 1))).unchanged == 1
    follow = _upsert(engine, _candidate(dt.date(2026, 2, 10)), now=T0 + dt.timedelta(hours=3))
    assert len(follow.new) == 1 and follow.new != [alert_id] and follow.updated == []
    with engine.connect() as conn:
        assert len(get_alert(conn, alert_id)["evidence"]["triggers"]) == 1
        fresh = get_alert(conn, follow.new[0])
    assert fresh["state"] == "new" and fresh["first_triggered"] == dt.date(2026, 2, 10)
    again = _upsert(engine, _candidate(dt.date(2026, 2, 1)), _candidate(dt.date(2026, 2, 10)))
    assert again.new == [] and again.updated == []
    with engine.connect() as conn:
        metrics = loop_metrics(conn, now=T0 + dt.timedelta(hours=3))[ORG]
    assert metrics["median_hours_to_acknowledge"] == 0.5
    assert metrics["median_hours_to_response"] == 2.0
    assert metrics["open"] == 1 and metrics["overdue"] == 0


def test_overdue_alerts_escalate_by_themselves(people: sa.Engine) -> None:
    engine = people
    (critical,) = _upsert(engine, _candidate(dt.date(2026, 2, 1), severity=Severity.CRITICAL)).new
    (low,) = _upsert(
        engine, _candidate(dt.date(2026, 2, 1), unit="KG-BA", severity=Severity.LOW)
    ).new
    with engine.connect() as conn:
        assert [r["id"] for r in list_alerts(conn, ORG)] == [critical, low]
    at = T0 + dt.timedelta(hours=1, minutes=1)  # critical: acknowledge within 1 h
    with engine.begin() as conn:
        assert escalate_overdue(conn, now=at) == [critical]
    with engine.begin() as conn:
        assert escalate_overdue(conn, now=at) == []  # its deadline started again
        row = get_alert(conn, critical)
    assert row["escalation_level"] == 1 and row["state"] == "new"
    assert row["transitions"][-1]["actor"] == "system"
    assert row["due_at"].replace(tzinfo=dt.UTC) == at + dt.timedelta(hours=1)
    with engine.connect() as conn:
        m = loop_metrics(conn, now=at + dt.timedelta(hours=2))[ORG]
    assert m["overdue"] == 1 and m["escalated_by_deadline"] == 1 and m["open"] == 2


def test_new_and_escalated_alerts_queue_notifications(people: sa.Engine) -> None:
    engine = people
    channels = Channels(
        smtp_host="127.0.0.1",
        recipients={"critical": ["duty@nctc.example"]},
        webhook_url="http://127.0.0.1:9/hook",
    )
    with engine.begin() as conn:
        (alert_id,) = upsert_drafts(
            conn,
            ORG,
            group_episodes([_candidate(dt.date(2026, 2, 1), severity=Severity.CRITICAL)]),
            now=T0,
            channels=channels,
        ).new
        # A low alert: no mailbox for low, so only the webhook.
        (low,) = upsert_drafts(
            conn,
            ORG,
            group_episodes([_candidate(dt.date(2026, 2, 1), unit="KG-BA", severity=Severity.LOW)]),
            now=T0,
            channels=channels,
        ).new
        escalate_overdue(conn, now=T0 + dt.timedelta(hours=2), channels=channels)
        queued = [(n["alert_id"], n["event"], n["channel"]) for n in list_notifications(conn)]
    assert queued == [
        (alert_id, "new", "email"),
        (alert_id, "new", "webhook"),
        (low, "new", "webhook"),
        (alert_id, "escalated", "email"),
        (alert_id, "escalated", "webhook"),
    ]
