"""Stored alerts: one row per episode, its evidence growing with each repeated trigger.

Detector candidates, grouped into episodes (:func:`cawarn.alerts.candidates.group_episodes`), are
upserted: a draft whose unit and detector already have an alert triggered within the episode gap
updates that alert (its triggers and events grow, its severity is the highest seen) instead of
opening another, so a rescan never raises an alert twice. A closed alert takes no new work: a
new trigger of its episode opens a follow-up. The moves are in :mod:`cawarn.alerts.moves`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection, func, select

from cawarn.accounts import audit
from cawarn.alerts.candidates import AlertDraft
from cawarn.alerts.episodes import DEFAULT_GAP_DAYS
from cawarn.alerts.notify import Channels, enqueue
from cawarn.domain import NotFoundError
from cawarn.domain import alerts as life
from cawarn.domain.alerts import AlertRecord, AlertState, Deadlines, Severity
from cawarn.store.tables import alert_transitions, alerts

_SEVERITY_ORDER = list(Severity)
#: States in which an alert still waits for someone.
OPEN_STATES = (
    AlertState.NEW,
    AlertState.ACKNOWLEDGED,
    AlertState.ASSESSED,
    AlertState.ESCALATED,
)


def utc(at: dt.datetime) -> dt.datetime:
    """A stored time as UTC (SQLite gives back naive datetimes; every stored time is UTC)."""
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


@dataclass
class UpsertResult:
    """What an upsert did: ids of alerts opened and of alerts that got new triggers."""

    new: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: int = 0


def _trigger_key(trigger: dict[str, Any]) -> tuple[str, str, str]:
    return (str(trigger.get("day")), str(trigger.get("rule") or ""), str(trigger.get("detector")))


def _title(draft_unit: str, detector: str, triggers: list[dict[str, Any]]) -> str:
    rules = sorted({str(t["rule"]) for t in triggers if t.get("rule")})
    what = {
        "surge": "surge of fatal violence",
        "cusum": "sustained rise of fatal violence",
        "onset": "fatal violence starting in a calm unit",
        "risk": "forecast risk of fatal violence",
        "flash": "flash rule " + ", ".join(rules),
    }.get(detector, detector)
    return f"{draft_unit}: {what}"


def _evidence(triggers: list[dict[str, Any]]) -> dict[str, Any]:
    events = list(dict.fromkeys(e for t in triggers for e in t.get("events", [])))
    return {"triggers": triggers, "events": events}


def due_columns(record: AlertRecord, policy: dict[Severity, Deadlines]) -> dict[str, Any]:
    due = life.deadline(record, policy)
    values: dict[str, Any] = {
        "due_step": due[0] if due else None,
        "due_at": due[1] if due else None,
    }
    if due is not None and due[0] == "respond":
        values["response_due"] = due[1]
    return values


def upsert_drafts(
    conn: Connection,
    organisation: str,
    drafts: Iterable[AlertDraft],
    *,
    now: dt.datetime,
    policy: dict[Severity, Deadlines] | None = None,
    gap_days: int = DEFAULT_GAP_DAYS,
    channels: Channels | None = None,
) -> UpsertResult:
    """Open an alert per new episode, or add the draft's triggers to its episode's alert."""
    policy = policy or life.DEFAULT_DEADLINES
    result = UpsertResult()
    for draft in drafts:
        triggers = [c.evidence() for c in draft.triggers]
        gap = dt.timedelta(days=gap_days)
        rows = (
            conn.execute(
                select(alerts)
                .where(
                    alerts.c.organisation == organisation,
                    alerts.c.detector == draft.detector,
                    alerts.c.unit == draft.unit,
                    alerts.c.last_triggered >= draft.first_day - gap,
                    alerts.c.first_triggered <= draft.last_day + gap,
                )
                .order_by(alerts.c.last_triggered.desc(), alerts.c.id.desc())
            )
            .mappings()
            .all()
        )
        if not rows:
            alert_id = _insert(conn, organisation, draft, triggers, now, policy)
            result.new.append(alert_id)
            enqueue(conn, alert_id, "new", now=now, channels=channels)
            continue
        row = rows[0]
        known = {_trigger_key(t) for r in rows for t in r["evidence"]["triggers"]}
        fresh = [t for t in triggers if _trigger_key(t) not in known]
        if row["state"] == AlertState.CLOSED and fresh:
            # A closed task takes no new work: what came after it is a new alert.
            keys = {_trigger_key(t) for t in fresh}
            later = [c for c in draft.triggers if _trigger_key(c.evidence()) in keys]
            follow_up = replace(
                draft,
                first_day=min(c.day for c in later),
                last_day=max(c.day for c in later),
                severity=max((c.severity for c in later), key=_SEVERITY_ORDER.index),
                triggers=tuple(later),
            )
            alert_id = _insert(conn, organisation, follow_up, fresh, now, policy)
            result.new.append(alert_id)
            enqueue(conn, alert_id, "new", now=now, channels=channels)
            continue
        fresh_keys = {_trigger_key(t) for t in fresh}
        severity = max(
            [Severity(row["severity"])]
            + [c.severity for c in draft.triggers if _trigger_key(c.evidence()) in fresh_keys],
            key=_SEVERITY_ORDER.index,
        )
        if not fresh:
            result.unchanged += 1
            continue
        merged = sorted([*row["evidence"]["triggers"], *fresh], key=_trigger_key)
        due: dict[str, Any] = {}
        if severity != row["severity"]:
            # A more severe alert has shorter deadlines, counted as the lifecycle counts them.
            record = replace(to_record(get_alert(conn, row["id"])), severity=severity)
            due = {**due_columns(record, policy)}
            if record.state is AlertState.NEW:
                due["ack_due"] = record.created_at + policy[severity].acknowledge
        conn.execute(
            alerts.update()
            .where(alerts.c.id == row["id"])
            .values(
                **due,
                evidence=_evidence(merged),
                severity=severity.value,
                first_triggered=min(row["first_triggered"], draft.first_day),
                last_triggered=max(row["last_triggered"], draft.last_day),
                title=_title(draft.unit, draft.detector, merged),
                updated_at=now,
            )
        )
        audit.append(
            conn,
            audit.Actor(life.SYSTEM_ACTOR, org=organisation),
            "alert.update",
            object_type="alert",
            object_id=str(row["id"]),
            details={"new_triggers": len(fresh), "severity": severity.value},
            at=now,
        )
        result.updated.append(int(row["id"]))
    return result


def _insert(
    conn: Connection,
    organisation: str,
    draft: AlertDraft,
    triggers: list[dict[str, Any]],
    now: dt.datetime,
    policy: dict[Severity, Deadlines],
) -> int:
    record = life.new_alert(f"{draft.unit}/{draft.detector}", draft.severity, now)
    # The episode is the day of its first alarm; a follow-up of a closed alert on the same day
    # (another flash rule) gets a number, so the key stays unique.
    episode = draft.first_day.isoformat()
    taken = conn.execute(
        select(func.count())
        .select_from(alerts)
        .where(
            alerts.c.organisation == organisation,
            alerts.c.detector == draft.detector,
            alerts.c.unit == draft.unit,
            alerts.c.episode.like(f"{episode}%"),
        )
    ).scalar_one()
    if taken:
        episode = f"{episode}#{taken + 1}"
    versions = sorted({str(t["model_version"]) for t in triggers})
    values = {
        "organisation": organisation,
        "unit": draft.unit,
        "detector": draft.detector,
        "episode": episode,
        "severity": draft.severity.value,
        "state": AlertState.NEW.value,
        "escalation_level": 0,
        "title": _title(draft.unit, draft.detector, triggers),
        "evidence": _evidence(triggers),
        "model_version": ", ".join(versions)[:100],
        "first_triggered": draft.first_day,
        "last_triggered": draft.last_day,
        "ack_due": now + policy[draft.severity].acknowledge,
        "created_at": now,
        "updated_at": now,
        **due_columns(record, policy),
    }
    key = conn.execute(alerts.insert().values(**values)).inserted_primary_key
    assert key is not None
    alert_id = int(key[0])
    audit.append(
        conn,
        audit.Actor(life.SYSTEM_ACTOR, org=organisation),
        "alert.create",
        object_type="alert",
        object_id=str(alert_id),
        details={"unit": draft.unit, "detector": draft.detector, "severity": draft.severity},
        at=now,
    )
    return alert_id


def list_alerts(
    conn: Connection, organisation: str | None = None, *, state: str | None = None
) -> list[dict[str, Any]]:
    """Alerts, most severe first, then by the deadline of the step they wait for."""
    query = select(alerts)
    if organisation is not None:
        query = query.where(alerts.c.organisation == organisation)
    if state is not None:
        query = query.where(alerts.c.state == state)
    rows = [dict(r) for r in conn.execute(query).mappings()]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(
        rows,
        key=lambda r: (
            -_SEVERITY_ORDER.index(Severity(r["severity"])),
            utc(r["due_at"]) if r["due_at"] else far,
            r["id"],
        ),
    )


def get_alert(conn: Connection, alert_id: int, organisation: str | None = None) -> dict[str, Any]:
    """One alert with its transitions; NotFoundError when absent or of another organisation."""
    query = select(alerts).where(alerts.c.id == alert_id)
    if organisation is not None:
        query = query.where(alerts.c.organisation == organisation)
    row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFoundError(f"There is no alert {alert_id}; 'cawarn alerts list' shows the alerts.")
    out = dict(row)
    steps = conn.execute(
        select(alert_transitions)
        .where(alert_transitions.c.alert_id == alert_id)
        .order_by(alert_transitions.c.id)
    ).mappings()
    out["transitions"] = [dict(s) for s in steps]
    return out


def to_record(row: dict[str, Any]) -> AlertRecord:
    """The domain view of a stored alert (with its transitions), for the lifecycle rules."""
    history = tuple(
        life.Transition(
            AlertState(t["from_state"]),
            AlertState(t["to_state"]),
            t["actor"],
            utc(t["at"]),
            t["text"] or "",
            t["escalation_level"],
        )
        for t in row["transitions"]
    )
    return AlertRecord(
        key=str(row["id"]),
        severity=Severity(row["severity"]),
        created_at=utc(row["created_at"]),
        state=AlertState(row["state"]),
        escalation_level=row["escalation_level"],
        history=history,
    )
