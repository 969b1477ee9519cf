"""Lifecycle moves of stored alerts: by a user with the right role, or by the clock when overdue.

Every move goes through :mod:`cawarn.domain.alerts`, is checked against the actor's role and
organisation, stored as a transition and appended to the audit log, in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, select

from cawarn.accounts import audit
from cawarn.accounts.directory import find_user
from cawarn.alerts.notify import Channels, enqueue
from cawarn.alerts.store import OPEN_STATES, due_columns, get_alert, to_record
from cawarn.domain import NotFoundError
from cawarn.domain import alerts as life
from cawarn.domain.access import PERMISSIONS, Action, allows
from cawarn.domain.alerts import AlertRecord, AlertState, Confidence, Deadlines, Severity
from cawarn.domain.errors import CawarnError
from cawarn.store.tables import alert_transitions, alerts


class AlertPermissionError(CawarnError):
    """The user's role may not make this move."""

    exit_code = 2
    http_status = 403


#: Each move: the permission it needs and the audit action it records.
MOVES: dict[str, Action] = {
    "acknowledge": Action.ACKNOWLEDGE_ALERTS,
    "assess": Action.ASSESS_ALERTS,
    "escalate": Action.ESCALATE_ALERTS,
    "respond": Action.RESPOND_ALERTS,
    "close": Action.CLOSE_ALERTS,
}


def move(
    conn: Connection,
    alert_id: int,
    username: str,
    step: str,
    *,
    now: dt.datetime,
    text: str = "",
    confidence: str | None = None,
    policy: dict[Severity, Deadlines] | None = None,
    channels: Channels | None = None,
) -> dict[str, Any]:
    """Make one lifecycle move as a user; returns the alert after it.

    The user must exist and be active, belong to the alert's organisation (an alert of another
    organisation is answered as if it did not exist) and hold a role that may make the move.
    """
    policy = policy or life.DEFAULT_DEADLINES
    user = find_user(conn, username)
    if user is None or not user.active:
        raise NotFoundError(f"There is no active user {username!r}; 'cawarn user list' shows them.")
    row = get_alert(conn, alert_id, user.org.code)
    action = MOVES[step]
    if not allows(user.role, action):
        raise AlertPermissionError(
            f"User {username!r} is a {user.role.value} and may not {step} alerts; that takes a "
            f"{' or '.join(sorted(r.value for r in _roles(action)))}."
        )
    record = to_record(row)
    if step == "acknowledge":
        moved = life.acknowledge(record, username, now)
    elif step == "assess":
        moved = life.assess(record, username, now, text, _confidence(confidence))
    elif step == "escalate":
        moved = life.escalate(record, username, now, text)
    elif step == "respond":
        moved = life.record_response(record, username, now, text)
    else:
        moved = life.close(record, username, now)
    _save(conn, row, moved, policy, now, user_id=user.id, confidence=confidence)
    if step == "acknowledge":
        conn.execute(alerts.update().where(alerts.c.id == alert_id).values(assignee=username))
    audit.append(
        conn,
        audit.Actor(username, user.id, user.org.code),
        f"alert.{step}",
        object_type="alert",
        object_id=str(alert_id),
        details={"from": record.state.value, "to": moved.state.value, "text": text.strip()},
        at=now,
    )
    if step == "escalate":
        enqueue(conn, alert_id, "escalated", now=now, channels=channels)
    return get_alert(conn, alert_id)


def _roles(action: Action) -> frozenset[Any]:
    return PERMISSIONS[action]


def _confidence(value: str | None) -> Confidence:
    # Intelligence practice says "moderate"; "medium" is accepted as the same level.
    word = "moderate" if value == "medium" else value
    try:
        return Confidence(word or "")
    except ValueError:
        raise life.TransitionError(
            f"Confidence {value!r} is not a level; use low, moderate (or medium) or high."
        ) from None


def _save(
    conn: Connection,
    row: dict[str, Any],
    moved: AlertRecord,
    policy: dict[Severity, Deadlines],
    now: dt.datetime,
    *,
    user_id: int | None = None,
    confidence: str | None = None,
) -> None:
    """Store the moves ``moved`` made after ``row`` (its new transitions, state and deadline)."""
    for step in moved.history[len(row["transitions"]) :]:
        by_person = step.actor != life.SYSTEM_ACTOR
        assessed = step.to_state is AlertState.ASSESSED and by_person
        text = moved.assessment.text if assessed and moved.assessment else step.note
        conn.execute(
            alert_transitions.insert().values(
                alert_id=row["id"],
                from_state=step.from_state.value,
                to_state=step.to_state.value,
                actor=step.actor,
                actor_user_id=user_id if by_person else None,
                at=step.at,
                escalation_level=step.escalation_level,
                text=text or None,
                confidence=_confidence(confidence).value if assessed else None,
            )
        )
    conn.execute(
        alerts.update()
        .where(alerts.c.id == row["id"])
        .values(
            state=moved.state.value,
            escalation_level=moved.escalation_level,
            updated_at=now,
            **due_columns(moved, policy),
        )
    )


def escalate_overdue(
    conn: Connection,
    *,
    now: dt.datetime,
    policy: dict[Severity, Deadlines] | None = None,
    channels: Channels | None = None,
) -> list[int]:
    """Escalate every overdue alert by itself (as ``system``); the ids of those escalated."""
    policy = policy or life.DEFAULT_DEADLINES
    done = []
    query = select(alerts.c.id).where(
        alerts.c.state.in_([s.value for s in OPEN_STATES]), alerts.c.due_at < now
    )
    for (alert_id,) in conn.execute(query).all():
        row = get_alert(conn, alert_id)
        record = to_record(row)
        moved = life.escalate_overdue(record, now, policy)
        if moved is record:
            continue
        _save(conn, row, moved, policy, now)
        audit.append(
            conn,
            audit.Actor(life.SYSTEM_ACTOR, org=row["organisation"]),
            "alert.escalate_overdue",
            object_type="alert",
            object_id=str(alert_id),
            details={"level": moved.escalation_level, "note": moved.history[-1].note},
            at=now,
        )
        enqueue(conn, alert_id, "escalated", now=now, channels=channels)
        done.append(int(alert_id))
    return done
