"""The alert inbox pages: open alerts by severity and deadline, one alert with its forms.

The forms post to this UI (with the session's CSRF token) and go through the same moves as the
API (:func:`cawarn.alerts.moves.move`), so the lifecycle, the roles and the audit log are the same.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection

from cawarn.accounts import audit
from cawarn.alerts import moves
from cawarn.alerts.store import OPEN_STATES, get_alert, list_alerts, utc
from cawarn.domain import NotFoundError
from cawarn.domain.access import Action, allows
from cawarn.domain.alerts import ALLOWED, AlertState, TransitionError
from cawarn.domain.releases import ItemKind
from cawarn.web.deps import Principal, transaction
from cawarn.web.ui.auth import PageNotFound, UserDep, check_form_csrf, require_page
from cawarn.web.ui.labels import N_
from cawarn.web.ui.releases import release_panel
from cawarn.web.ui.render import render

router = APIRouter(include_in_schema=False)

STATES = {
    "new": N_("new"),
    "acknowledged": N_("acknowledged"),
    "assessed": N_("assessed"),
    "escalated": N_("escalated"),
    "responded": N_("responded"),
    "closed": N_("closed"),
}
SEVERITIES = {
    "low": N_("low"),
    "medium": N_("medium"),
    "high": N_("high"),
    "critical": N_("critical"),
}
STEPS = {
    "acknowledge": N_("acknowledge"),
    "assess": N_("assess"),
    "respond": N_("respond"),
}
#: Each form: the move, the state it leads to, and the permission it needs.
FORMS = (
    ("acknowledge", AlertState.ACKNOWLEDGED, Action.ACKNOWLEDGE_ALERTS),
    ("assess", AlertState.ASSESSED, Action.ASSESS_ALERTS),
    ("escalate", AlertState.ESCALATED, Action.ESCALATE_ALERTS),
    ("respond", AlertState.RESPONDED, Action.RESPOND_ALERTS),
    ("close", AlertState.CLOSED, Action.CLOSE_ALERTS),
)


def _labels() -> dict[str, dict[str, str]]:
    return {"states": STATES, "severities": SEVERITIES, "steps": STEPS}


def open_alerts(
    conn: Connection, principal: Principal, *, unit: str | None = None
) -> list[dict[str, Any]] | None:
    """Open alerts of the caller's organisation (of one unit); None for roles without the inbox."""
    if not allows(principal.user.role, Action.READ_ALERTS):
        return None
    now = dt.datetime.now(dt.UTC)
    open_ = {state.value for state in OPEN_STATES}
    rows = [
        row
        for row in list_alerts(conn, principal.user.org.code)
        if row["state"] in open_ and (unit is None or row["unit"] == unit)
    ]
    for row in rows:
        row["overdue"] = row["due_at"] is not None and utc(row["due_at"]) < now
    return rows


def alert_context() -> dict[str, Any]:
    """What templates need to show alerts."""
    return {"alert_labels": _labels()}


@router.get("/alerts")
def inbox(request: Request, principal: UserDep) -> Response:
    """Open alerts, most severe first, then by deadline; overdue ones marked."""
    require_page(principal, Action.READ_ALERTS)
    with transaction(request.app.state.engine) as conn:
        rows = open_alerts(conn, principal)
    return render(
        request, "alerts.html", {"principal": principal, "alerts": rows, **alert_context()}
    )


@router.get("/alerts/{alert_id}")
def alert_page(request: Request, principal: UserDep, alert_id: int) -> Response:
    """One alert: its evidence, its history, and the forms for the moves the user may make."""
    return _alert_page(request, principal, alert_id)


def _alert_page(
    request: Request, principal: Principal, alert_id: int, *, error: str = "", status: int = 200
) -> Response:
    # The error comes only from a refused move, never from the URL, so no link can plant text.
    require_page(principal, Action.READ_ALERTS)
    with transaction(request.app.state.engine) as conn:
        try:
            row = get_alert(conn, alert_id, principal.user.org.code)
        except NotFoundError:
            raise PageNotFound from None
        audit.append(
            conn,
            principal.actor,
            "alert.read",
            object_type="alert",
            object_id=str(alert_id),
            details={"via": "ui"},
        )
        release = release_panel(conn, principal, ItemKind.ALERT, str(alert_id))
    state = AlertState(row["state"])
    forms = [
        step
        for step, target, action in FORMS
        if target in ALLOWED[state] and allows(principal.user.role, action)
    ]
    row["overdue"] = row["due_at"] is not None and utc(row["due_at"]) < dt.datetime.now(dt.UTC)
    return render(
        request,
        "alert.html",
        {
            "principal": principal,
            "alert": row,
            "forms": forms,
            "error": error,
            "release": release,
            **alert_context(),
        },
        status_code=status,
    )


@router.post("/alerts/{alert_id}/{step}")
def alert_move(
    request: Request,
    principal: UserDep,
    alert_id: int,
    step: str,
    csrf: Annotated[str, Form(max_length=100)],
    text: Annotated[str, Form(max_length=10_000)] = "",
    confidence: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Make one move from the alert's page; a refused move shows the page with the reason."""
    check_form_csrf(principal, csrf)
    if step not in moves.MOVES:
        raise PageNotFound
    require_page(principal, moves.MOVES[step])
    try:
        with transaction(request.app.state.engine) as conn:
            moves.move(
                conn,
                alert_id,
                principal.user.username,
                step,
                now=dt.datetime.now(dt.UTC),
                text=text,
                confidence=confidence or None,
            )
    except NotFoundError:
        raise PageNotFound from None
    except TransitionError as err:
        return _alert_page(request, principal, alert_id, error=err.message, status=409)
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)
