"""The alert inbox: listings, one alert with its evidence and history, lifecycle moves, metrics.

Alerts belong to one organisation; a caller sees only those of their own (others answer 404,
like a missing alert). The moves go through :func:`cawarn.alerts.moves.move`, which checks the
lifecycle and writes the audit log; a move the lifecycle refuses answers 409.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from cawarn.accounts import audit
from cawarn.alerts import moves
from cawarn.alerts.metrics import loop_metrics
from cawarn.alerts.store import get_alert, list_alerts, utc
from cawarn.domain.access import Action
from cawarn.domain.alerts import AlertState, Confidence, Severity
from cawarn.web.api import schemas
from cawarn.web.deps import EngineDep, Principal, require, transaction

router = APIRouter(tags=["alerts"], responses=schemas.ERRORS)

Reader = Annotated[Principal, Depends(require(Action.READ_ALERTS))]
AlertId = Annotated[int, Path(ge=1, le=2**31 - 1)]
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": schemas.Problem, "description": "The lifecycle does not allow this move now."}
}


class Transition(BaseModel):
    """One recorded step of an alert's life."""

    from_state: AlertState
    to_state: AlertState
    actor: str
    at: schemas.UtcDateTime
    escalation_level: int
    text: str | None
    confidence: str | None


class Alert(BaseModel):
    """An alert as the inbox lists it."""

    id: int
    organisation: str
    unit: str
    detector: str
    episode: str
    severity: Severity
    state: AlertState
    escalation_level: int
    title: str
    model_version: str
    first_triggered: dt.date
    last_triggered: dt.date
    due_step: str | None
    due_at: schemas.UtcDateTime | None
    overdue: bool
    assignee: str | None
    created_at: schemas.UtcDateTime
    updated_at: schemas.UtcDateTime


class AlertDetail(Alert):
    """One alert with its evidence (triggers and event uids) and its transitions."""

    evidence: dict[str, Any]
    transitions: list[Transition]


class AlertPage(BaseModel):
    """One page of alerts."""

    items: list[Alert]
    page: int
    per_page: int
    total: int
    next_page: int | None


class TextIn(BaseModel):
    """The text a move needs: an escalation's reason, or the response."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=10_000)


class AssessmentIn(TextIn):
    """A written assessment and the analyst's confidence in it."""

    confidence: Confidence


class Metrics(BaseModel):
    """The caller's organisation's loop: counts, median hours to acknowledge and respond."""

    organisation: str
    alerts: int = 0
    open: int = 0
    overdue: int = 0
    escalated_by_deadline: int = 0
    acknowledged: int = 0
    median_hours_to_acknowledge: float | None = None
    responded: int = 0
    median_hours_to_response: float | None = None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _overdue(row: dict[str, Any], now: dt.datetime) -> bool:
    return row["due_at"] is not None and utc(row["due_at"]) < now


def _detail(row: dict[str, Any], now: dt.datetime) -> AlertDetail:
    return AlertDetail.model_validate({**row, "overdue": _overdue(row, now)})


@router.get("/alerts", response_model=AlertPage)
def list_inbox(
    engine: EngineDep,
    principal: Reader,
    state: Annotated[list[AlertState] | None, Query(description="Repeatable")] = None,
    severity: Annotated[list[Severity] | None, Query(description="Repeatable")] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AlertPage:
    """The organisation's alerts, most severe first, then by the deadline of their next step."""
    now = _now()
    with transaction(engine) as conn:
        rows = list_alerts(conn, principal.user.org.code)
    if state:
        rows = [row for row in rows if row["state"] in state]
    if severity:
        rows = [row for row in rows if row["severity"] in severity]
    start = (page - 1) * per_page
    shown = rows[start : start + per_page]
    return AlertPage(
        items=[Alert.model_validate({**row, "overdue": _overdue(row, now)}) for row in shown],
        page=page,
        per_page=per_page,
        total=len(rows),
        next_page=page + 1 if start + per_page < len(rows) else None,
    )


@router.get("/alerts/metrics", response_model=Metrics)
def metrics(engine: EngineDep, principal: Reader) -> Metrics:
    """How the caller's organisation answers its alerts."""
    org = principal.user.org.code
    with transaction(engine) as conn:
        figures = loop_metrics(conn, now=_now()).get(org, {})
    return Metrics(organisation=org, **figures)


@router.get("/alerts/{alert_id}", response_model=AlertDetail)
def read_alert(engine: EngineDep, principal: Reader, alert_id: AlertId) -> AlertDetail:
    """One alert of the caller's organisation with its evidence and history; the read is audited."""
    with transaction(engine) as conn:
        row = get_alert(conn, alert_id, principal.user.org.code)
        audit.append(
            conn,
            principal.actor,
            "alert.read",
            object_type="alert",
            object_id=str(alert_id),
            details={"via": principal.via, "key": principal.key_prefix},
        )
    return _detail(row, _now())


def _move(
    engine: EngineDep, principal: Principal, alert_id: int, step: str, **values: Any
) -> AlertDetail:
    with transaction(engine) as conn:
        row = moves.move(conn, alert_id, principal.user.username, step, now=_now(), **values)
    return _detail(row, _now())


@router.post("/alerts/{alert_id}/ack", response_model=AlertDetail, responses=CONFLICT)
def acknowledge(
    engine: EngineDep,
    principal: Annotated[Principal, Depends(require(Action.ACKNOWLEDGE_ALERTS))],
    alert_id: AlertId,
) -> AlertDetail:
    """Acknowledge a new alert: the caller owns it."""
    return _move(engine, principal, alert_id, "acknowledge")


@router.post("/alerts/{alert_id}/assess", response_model=AlertDetail, responses=CONFLICT)
def assess(
    engine: EngineDep,
    principal: Annotated[Principal, Depends(require(Action.ASSESS_ALERTS))],
    alert_id: AlertId,
    body: AssessmentIn,
) -> AlertDetail:
    """Write the assessment of an acknowledged alert, with a confidence level."""
    return _move(
        engine, principal, alert_id, "assess", text=body.text, confidence=body.confidence.value
    )


@router.post("/alerts/{alert_id}/escalate", response_model=AlertDetail, responses=CONFLICT)
def escalate(
    engine: EngineDep,
    principal: Annotated[Principal, Depends(require(Action.ESCALATE_ALERTS))],
    alert_id: AlertId,
    body: TextIn,
) -> AlertDetail:
    """Send an assessed alert up to the decision level, with the reason."""
    return _move(engine, principal, alert_id, "escalate", text=body.text)


@router.post("/alerts/{alert_id}/respond", response_model=AlertDetail, responses=CONFLICT)
def respond(
    engine: EngineDep,
    principal: Annotated[Principal, Depends(require(Action.RESPOND_ALERTS))],
    alert_id: AlertId,
    body: TextIn,
) -> AlertDetail:
    """Record what was done about an assessed or escalated alert."""
    return _move(engine, principal, alert_id, "respond", text=body.text)


@router.post("/alerts/{alert_id}/close", response_model=AlertDetail, responses=CONFLICT)
def close(
    engine: EngineDep,
    principal: Annotated[Principal, Depends(require(Action.CLOSE_ALERTS))],
    alert_id: AlertId,
) -> AlertDetail:
    """Close an alert whose response is recorded."""
    return _move(engine, principal, alert_id, "close")
