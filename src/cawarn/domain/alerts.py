"""The life of an alert, enforced: states, allowed moves, who and when, deadlines, escalation.

    new → acknowledged → assessed ─┬─────────────→ responded → closed
                                   └→ escalated ─┘

Every move records who made it and when. Each severity sets how long each step may take; an
alert whose step is overdue escalates by itself (:func:`escalate_overdue`): one waiting for
acknowledgement or assessment goes one escalation level up (its next deadline starts again), one
waiting for a response after assessment moves to ``escalated``. Standard library only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from enum import StrEnum

from cawarn.domain.errors import CawarnError

SYSTEM_ACTOR = "system"


class AlertState(StrEnum):
    """Where an alert is in its life."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    ASSESSED = "assessed"
    ESCALATED = "escalated"
    RESPONDED = "responded"
    CLOSED = "closed"


class Severity(StrEnum):
    """How urgent an alert is; it sets the deadlines."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Confidence(StrEnum):
    """The analyst's confidence in an assessment (intelligence practice: low, moderate, high)."""

    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


#: The moves a person may make from each state.
ALLOWED: dict[AlertState, frozenset[AlertState]] = {
    AlertState.NEW: frozenset({AlertState.ACKNOWLEDGED}),
    AlertState.ACKNOWLEDGED: frozenset({AlertState.ASSESSED}),
    AlertState.ASSESSED: frozenset({AlertState.ESCALATED, AlertState.RESPONDED}),
    AlertState.ESCALATED: frozenset({AlertState.RESPONDED}),
    AlertState.RESPONDED: frozenset({AlertState.CLOSED}),
    AlertState.CLOSED: frozenset(),
}


class TransitionError(CawarnError):
    """A move the lifecycle does not allow (wrong state, missing actor, time going backwards)."""

    exit_code = 2
    http_status = 409


@dataclass(frozen=True, slots=True)
class Transition:
    """One recorded step: from which state to which, by whom, when, and why."""

    from_state: AlertState
    to_state: AlertState
    actor: str
    at: dt.datetime
    note: str = ""
    escalation_level: int = 0


@dataclass(frozen=True, slots=True)
class Assessment:
    """An analyst's written assessment of an alert and their confidence in it."""

    text: str
    confidence: Confidence
    author: str
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class Deadlines:
    """How long each step may take at one severity."""

    acknowledge: dt.timedelta
    assess: dt.timedelta
    respond: dt.timedelta


#: Deadlines per severity, unless a node configures its own.
DEFAULT_DEADLINES: dict[Severity, Deadlines] = {
    Severity.CRITICAL: Deadlines(
        dt.timedelta(hours=1), dt.timedelta(hours=4), dt.timedelta(hours=24)
    ),
    Severity.HIGH: Deadlines(dt.timedelta(hours=4), dt.timedelta(hours=12), dt.timedelta(hours=48)),
    Severity.MEDIUM: Deadlines(
        dt.timedelta(hours=24), dt.timedelta(hours=72), dt.timedelta(days=7)
    ),
    Severity.LOW: Deadlines(dt.timedelta(hours=72), dt.timedelta(days=7), dt.timedelta(days=30)),
}


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """An alert's lifecycle: its key (unit, detector, episode), state, and full history."""

    key: str
    severity: Severity
    created_at: dt.datetime
    state: AlertState = AlertState.NEW
    escalation_level: int = 0
    history: tuple[Transition, ...] = field(default=())
    assessment: Assessment | None = None
    response: str | None = None

    @property
    def last_change(self) -> dt.datetime:
        """When the alert was created or last moved (or escalated)."""
        return self.history[-1].at if self.history else self.created_at


def new_alert(key: str, severity: Severity, at: dt.datetime) -> AlertRecord:
    """A new alert, created by the system at ``at`` (a time with its time zone)."""
    _check_time(at)
    return AlertRecord(key=key, severity=severity, created_at=at)


def _check_time(at: dt.datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise TransitionError(f"The time {at.isoformat()} has no time zone; give it in UTC.")


def _move(
    alert: AlertRecord, to: AlertState, actor: str, at: dt.datetime, note: str = ""
) -> AlertRecord:
    if not actor.strip():
        raise TransitionError(f"Moving alert {alert.key} to {to} needs the name of who does it.")
    _check_time(at)
    if at < alert.last_change:
        raise TransitionError(
            f"Alert {alert.key} last changed at {alert.last_change.isoformat()}; a move at "
            f"{at.isoformat()} would go back in time."
        )
    if to not in ALLOWED[alert.state]:
        allowed = ", ".join(sorted(ALLOWED[alert.state])) or "nothing (it is closed)"
        raise TransitionError(
            f"Alert {alert.key} is {alert.state} and cannot become {to}; from {alert.state} it "
            f"can become {allowed}."
        )
    step = Transition(alert.state, to, actor, at, note, alert.escalation_level)
    return replace(alert, state=to, history=(*alert.history, step))


def acknowledge(alert: AlertRecord, actor: str, at: dt.datetime) -> AlertRecord:
    """A duty officer has seen the alert and owns it."""
    return _move(alert, AlertState.ACKNOWLEDGED, actor, at)


def assess(
    alert: AlertRecord, actor: str, at: dt.datetime, text: str, confidence: Confidence
) -> AlertRecord:
    """An analyst's written assessment with a confidence level."""
    if not text.strip():
        raise TransitionError(f"Assessing alert {alert.key} needs a written assessment.")
    moved = _move(alert, AlertState.ASSESSED, actor, at)
    return replace(moved, assessment=Assessment(text.strip(), Confidence(confidence), actor, at))


def escalate(alert: AlertRecord, actor: str, at: dt.datetime, reason: str) -> AlertRecord:
    """Send an assessed alert up to the decision level."""
    if not reason.strip():
        raise TransitionError(f"Escalating alert {alert.key} needs a reason.")
    moved = _move(alert, AlertState.ESCALATED, actor, at, reason.strip())
    return replace(moved, escalation_level=alert.escalation_level + 1)


def record_response(alert: AlertRecord, actor: str, at: dt.datetime, text: str) -> AlertRecord:
    """What was done about the alert (including 'no action', with why)."""
    if not text.strip():
        raise TransitionError(f"Recording the response to alert {alert.key} needs its text.")
    moved = _move(alert, AlertState.RESPONDED, actor, at, text.strip())
    return replace(moved, response=text.strip())


def close(alert: AlertRecord, actor: str, at: dt.datetime) -> AlertRecord:
    """Close an alert whose response is recorded."""
    return _move(alert, AlertState.CLOSED, actor, at)


def deadline(
    alert: AlertRecord, deadlines: dict[Severity, Deadlines] | None = None
) -> tuple[str, dt.datetime] | None:
    """The step the alert waits for and when it is due (None when nothing is due)."""
    limits = (deadlines or DEFAULT_DEADLINES)[alert.severity]
    since = alert.last_change
    if alert.state is AlertState.NEW:
        return "acknowledge", since + limits.acknowledge
    if alert.state is AlertState.ACKNOWLEDGED:
        return "assess", since + limits.assess
    if alert.state in (AlertState.ASSESSED, AlertState.ESCALATED):
        return "respond", since + limits.respond
    return None


def is_overdue(
    alert: AlertRecord, now: dt.datetime, deadlines: dict[Severity, Deadlines] | None = None
) -> bool:
    """Whether the step the alert waits for is past its deadline."""
    due = deadline(alert, deadlines)
    return due is not None and now > due[1]


def escalate_overdue(
    alert: AlertRecord, now: dt.datetime, deadlines: dict[Severity, Deadlines] | None = None
) -> AlertRecord:
    """Escalate an overdue alert by itself (recorded as done by ``system``); else unchanged.

    An alert overdue after assessment moves to ``escalated``; one overdue for acknowledgement,
    assessment, or a response after escalation goes one level up and its deadline starts again.
    """
    _check_time(now)
    due = deadline(alert, deadlines)
    if due is None or now <= due[1]:
        return alert
    step, when = due
    note = f"overdue: {step} was due {when.isoformat()}"
    if alert.state is AlertState.ASSESSED:
        moved = _move(alert, AlertState.ESCALATED, SYSTEM_ACTOR, now, note)
        return replace(moved, escalation_level=alert.escalation_level + 1)
    level = alert.escalation_level + 1
    record = Transition(alert.state, alert.state, SYSTEM_ACTOR, now, note, level)
    return replace(alert, escalation_level=level, history=(*alert.history, record))
