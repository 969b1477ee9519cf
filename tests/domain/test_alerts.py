"""The alert lifecycle: allowed moves, who and when, deadlines and escalation of overdue alerts."""

from __future__ import annotations

import datetime as dt

import pytest

from cawarn.domain.alerts import (
    ALLOWED,
    DEFAULT_DEADLINES,
    AlertState,
    Confidence,
    Severity,
    TransitionError,
    acknowledge,
    assess,
    close,
    deadline,
    escalate,
    escalate_overdue,
    is_overdue,
    new_alert,
    record_response,
)

T0 = dt.datetime(2024, 3, 1, 8, 0, tzinfo=dt.UTC)


def at(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def test_full_life_records_who_and_when() -> None:
    alert = new_alert("TJ-SU/surge/0", Severity.HIGH, T0)
    alert = acknowledge(alert, "duty.officer", at(1))
    alert = assess(alert, "analyst", at(2), "Clashes near the border.", Confidence.MODERATE)
    alert = escalate(alert, "analyst", at(3), "cross-border pattern")
    alert = record_response(alert, "director", at(5), "Border posts reinforced.")
    alert = close(alert, "duty.officer", at(6))
    assert alert.state is AlertState.CLOSED
    assert [(s.from_state, s.to_state, s.actor, s.at) for s in alert.history] == [
        (AlertState.NEW, AlertState.ACKNOWLEDGED, "duty.officer", at(1)),
        (AlertState.ACKNOWLEDGED, AlertState.ASSESSED, "analyst", at(2)),
        (AlertState.ASSESSED, AlertState.ESCALATED, "analyst", at(3)),
        (AlertState.ESCALATED, AlertState.RESPONDED, "director", at(5)),
        (AlertState.RESPONDED, AlertState.CLOSED, "duty.officer", at(6)),
    ]
    assert alert.assessment is not None
    assert alert.assessment.confidence is Confidence.MODERATE
    assert alert.response == "Border posts reinforced."
    assert alert.escalation_level == 1


def test_escalation_is_optional() -> None:
    alert = assess(
        acknowledge(new_alert("k", Severity.LOW, T0), "a", at(1)), "b", at(2), "x", "high"
    )
    alert = close(record_response(alert, "c", at(3), "No action: one incident."), "a", at(4))
    assert alert.state is AlertState.CLOSED
    assert alert.escalation_level == 0


@pytest.mark.parametrize("state", list(AlertState))
def test_every_forbidden_move_raises(state: AlertState) -> None:
    moves = {
        AlertState.ACKNOWLEDGED: lambda a: acknowledge(a, "x", at(10)),
        AlertState.ASSESSED: lambda a: assess(a, "x", at(10), "text", Confidence.LOW),
        AlertState.ESCALATED: lambda a: escalate(a, "x", at(10), "why"),
        AlertState.RESPONDED: lambda a: record_response(a, "x", at(10), "done"),
        AlertState.CLOSED: lambda a: close(a, "x", at(10)),
    }
    path = [AlertState.NEW, AlertState.ACKNOWLEDGED, AlertState.ASSESSED, AlertState.ESCALATED]
    path += [AlertState.RESPONDED, AlertState.CLOSED]
    alert = new_alert("k", Severity.MEDIUM, T0)
    for step in path[1 : path.index(state) + 1]:
        alert = moves[step](alert)
    assert alert.state is state
    for target, move in moves.items():
        if target in ALLOWED[state]:
            assert move(alert).state is target
        else:
            with pytest.raises(TransitionError, match=f"is {state} and cannot become {target}"):
                move(alert)


def test_new_alert_cannot_be_closed_or_assessed_directly() -> None:
    alert = new_alert("k", Severity.HIGH, T0)
    with pytest.raises(TransitionError, match="can become acknowledged"):
        close(alert, "x", at(1))
    with pytest.raises(TransitionError):
        assess(alert, "x", at(1), "text", Confidence.HIGH)


def test_moves_need_an_actor_text_and_forward_time() -> None:
    alert = new_alert("k", Severity.HIGH, T0)
    with pytest.raises(TransitionError, match="who does it"):
        acknowledge(alert, " ", at(1))
    with pytest.raises(TransitionError, match="back in time"):
        acknowledge(alert, "x", at(-1))
    with pytest.raises(TransitionError, match="time zone"):
        acknowledge(alert, "x", dt.datetime(2024, 3, 1, 9))
    acked = acknowledge(alert, "x", at(1))
    with pytest.raises(TransitionError, match="written assessment"):
        assess(acked, "x", at(2), "  ", Confidence.LOW)
    with pytest.raises(ValueError):
        assess(acked, "x", at(2), "text", "certain")  # type: ignore[arg-type]


def test_deadlines_follow_severity() -> None:
    high = new_alert("k", Severity.HIGH, T0)
    low = new_alert("k", Severity.LOW, T0)
    assert deadline(high) == ("acknowledge", at(4))
    assert deadline(low) == ("acknowledge", at(72))
    assert (
        DEFAULT_DEADLINES[Severity.CRITICAL].acknowledge
        < DEFAULT_DEADLINES[Severity.HIGH].acknowledge
    )
    acked = acknowledge(high, "x", at(1))
    assert deadline(acked) == ("assess", at(1 + 12))
    assert not is_overdue(high, at(4))
    assert is_overdue(high, at(4.01))


def test_overdue_unacknowledged_alert_escalates_by_itself_and_again() -> None:
    alert = new_alert("k", Severity.HIGH, T0)
    assert escalate_overdue(alert, at(3)) is alert
    once = escalate_overdue(alert, at(5))
    assert once.state is AlertState.NEW
    assert once.escalation_level == 1
    assert once.history[-1].actor == "system"
    assert "acknowledge was due" in once.history[-1].note
    # The deadline starts again from the escalation: not overdue an hour later, overdue later.
    assert escalate_overdue(once, at(6)) is once
    twice = escalate_overdue(once, at(9.5))
    assert twice.escalation_level == 2
    assert acknowledge(twice, "supervisor", at(10)).state is AlertState.ACKNOWLEDGED


def test_overdue_assessed_alert_moves_to_escalated() -> None:
    alert = new_alert("k", Severity.CRITICAL, T0)
    alert = assess(acknowledge(alert, "a", at(0.5)), "b", at(1), "text", Confidence.HIGH)
    late = escalate_overdue(alert, at(1 + 25))
    assert late.state is AlertState.ESCALATED
    assert late.history[-1].actor == "system"
    assert record_response(late, "c", at(27), "done").state is AlertState.RESPONDED


def test_closed_alert_is_never_overdue() -> None:
    alert = new_alert("k", Severity.CRITICAL, T0)
    alert = assess(acknowledge(alert, "a", at(0.5)), "b", at(1), "t", Confidence.LOW)
    alert = close(record_response(alert, "c", at(2), "r"), "a", at(3))
    assert deadline(alert) is None
    assert escalate_overdue(alert, at(1000)) is alert
