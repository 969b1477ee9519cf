"""Field report pages: the new-report form, the queue, and one report with its forms.

Forms post to this UI with the session's CSRF token and go through the same service as the API
(:mod:`cawarn.reports.service`), so the lifecycle, the roles, the 404s and the audit log are the
same. The form's values are checked by the API's own model (:class:`ReportIn`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from cawarn.domain import CawarnError, InputError, NotFoundError
from cawarn.domain.access import Action, allows
from cawarn.domain.reports import (
    MOVES,
    PENDING_STATES,
    Credibility,
    Grade,
    Reliability,
    ReportMove,
    ReportState,
)
from cawarn.reports import service
from cawarn.web.api.reports import ReportIn
from cawarn.web.deps import Principal, transaction
from cawarn.web.ui import data
from cawarn.web.ui.auth import PageNotFound, UserDep, check_form_csrf, require_page
from cawarn.web.ui.labels import N_
from cawarn.web.ui.render import language, render

router = APIRouter(include_in_schema=False)

STATES = {
    "submitted": N_("submitted"),
    "returned": N_("returned"),
    "resubmitted": N_("resubmitted"),
    "approved": N_("approved"),
}
RELIABILITY = {
    "A": N_("A: completely reliable"),
    "B": N_("B: usually reliable"),
    "C": N_("C: fairly reliable"),
    "D": N_("D: not usually reliable"),
    "E": N_("E: unreliable"),
    "F": N_("F: reliability cannot be judged"),
}
CREDIBILITY = {
    "1": N_("1: confirmed by other sources"),
    "2": N_("2: probably true"),
    "3": N_("3: possibly true"),
    "4": N_("4: doubtful"),
    "5": N_("5: improbable"),
    "6": N_("6: truth cannot be judged"),
}
PRECISIONS = {
    "exact": N_("the place itself"),
    "near": N_("near the place (about 25 km)"),
    "admin2": N_("only the district"),
    "admin1": N_("only the province or region"),
}
DATE_PRECISIONS = {
    "day": N_("day"),
    "days": N_("a few days"),
    "week": N_("week"),
    "month": N_("month"),
    "year": N_("year"),
}
#: The form's fields, in the order of the API's report body.
FIELDS = (
    "category",
    "summary",
    "country",
    "latitude",
    "longitude",
    "geo_precision",
    "place",
    "geonameid",
    "date_start",
    "date_end",
    "date_precision",
    "fatalities_best",
    "fatalities_low",
    "fatalities_high",
    "source_ref",
    "marking",
)


def _labels() -> dict[str, dict[str, str]]:
    return {
        "states": STATES,
        "reliability": RELIABILITY,
        "credibility": CREDIBILITY,
        "precisions": PRECISIONS,
        "date_precisions": DATE_PRECISIONS,
    }


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _parse(form: dict[str, str]) -> ReportIn:
    """The report the form describes; :class:`InputError` naming the first wrong field."""
    # An empty field is a field not given: the model's default (or None) applies.
    values = {key: text for key in FIELDS if (text := (form.get(key) or "").strip())}
    try:
        return ReportIn.model_validate(values)
    except ValidationError as err:
        problem = err.errors()[0]
        field = ".".join(str(part) for part in problem["loc"])
        raise InputError(f"{field}: {problem['msg']}") from None


def _form_page(
    request: Request,
    principal: Principal,
    values: dict[str, Any],
    *,
    action: str,
    error: str = "",
    status: int = 200,
) -> Response:
    with transaction(request.app.state.engine) as conn:
        units = data.units_geojson(conn)
    return render(
        request,
        "report_form.html",
        {
            "principal": principal,
            "values": values,
            "action": action,
            "error": error,
            "region": request.app.state.settings.region,
            "units": units,
            "report_labels": _labels(),
        },
        status_code=status,
    )


@router.get("/reports")
def queue(request: Request, principal: UserDep, state: str = "") -> Response:
    """A verifier's pending reports (or any state); a reporter's own reports."""
    require_page(principal, Action.READ_REPORTS)
    states = [ReportState(state)] if state in STATES else None
    if states is None and allows(principal.user.role, Action.VERIFY_REPORTS) and state != "all":
        states = sorted(PENDING_STATES)
    with transaction(request.app.state.engine) as conn:
        rows = service.list_reports(conn, principal.actor, principal.user.role, states=states)
    return render(
        request,
        "reports.html",
        {
            "principal": principal,
            "reports": rows,
            "state": state or ("pending" if states else "all"),
            "may_file": allows(principal.user.role, Action.FILE_REPORTS),
            "report_labels": _labels(),
        },
    )


@router.get("/reports/new")
def new_report(request: Request, principal: UserDep) -> Response:
    """The form of a new report."""
    require_page(principal, Action.FILE_REPORTS)
    today = _now().date().isoformat()
    values = {"date_start": today, "marking": "TLP:AMBER", "geo_precision": "exact"}
    return _form_page(request, principal, values, action="/reports/new")


@router.post("/reports/new")
async def file_report(request: Request, principal: UserDep) -> Response:
    """File the report the form describes; a refused one shows the form again with the reason."""
    require_page(principal, Action.FILE_REPORTS)
    form = {key: str(value) for key, value in (await request.form()).items()}
    check_form_csrf(principal, form.get("csrf", ""))
    try:
        body = _parse(form)
        with transaction(request.app.state.engine) as conn:
            row = service.file_report(
                conn,
                body.content(),
                principal.actor,
                now=_now(),
                region=request.app.state.settings.region,
            )
    except CawarnError as err:
        return _form_page(
            request, principal, form, action="/reports/new", error=err.message, status=422
        )
    return RedirectResponse(f"/reports/{row['id']}", status_code=303)


@router.get("/reports/{report_id}")
def report_page(request: Request, principal: UserDep, report_id: int) -> Response:
    """One report: what it says, its state and grade, and the forms the user may use now."""
    return _report_page(request, principal, report_id)


def _report_page(
    request: Request, principal: Principal, report_id: int, *, error: str = "", status: int = 200
) -> Response:
    require_page(principal, Action.READ_REPORTS)
    with transaction(request.app.state.engine) as conn:
        try:
            row = service.get_report(
                conn, report_id, principal.actor, principal.user.role, via="ui"
            )
        except NotFoundError:
            raise PageNotFound from None
        units = data.units_geojson(conn)
    state = ReportState(row["state"])
    role = principal.user.role
    verify = (
        allows(role, Action.VERIFY_REPORTS)
        and ReportMove.APPROVE in MOVES[state]
        and row["reporter"] != principal.user.username
    )
    edit = (
        allows(role, Action.FILE_REPORTS)
        and ReportMove.RESUBMIT in MOVES[state]
        and row["reporter"] == principal.user.username
    )
    point = {"lat": row["latitude"], "lon": row["longitude"]}
    return render(
        request,
        "report.html",
        {
            "principal": principal,
            "report": row,
            "verify": verify,
            "edit": edit,
            "error": error,
            "report_labels": _labels(),
            "map_data": {
                "units_ref": "units-data",
                "name_key": f"name_{language(request)}",
                "points": [
                    {
                        **point,
                        "date": str(row["date_start"]),
                        "category": row["category"],
                        "fatalities": row["fatalities_best"],
                        "uid": row["event_uid"] or "",
                    }
                ],
                "fit": "points",
            },
            "units": units,
        },
        status_code=status,
    )


@router.get("/reports/{report_id}/edit")
def edit_form(request: Request, principal: UserDep, report_id: int) -> Response:
    """The form of a returned report, filled in, for its reporter to correct and resubmit."""
    require_page(principal, Action.FILE_REPORTS)
    with transaction(request.app.state.engine) as conn:
        try:
            row = service.get_report(
                conn, report_id, principal.actor, principal.user.role, via="ui"
            )
        except NotFoundError:
            raise PageNotFound from None
    values = {key: "" if row[key] is None else str(row[key]) for key in FIELDS}
    return _form_page(
        request,
        principal,
        {**values, "return_reason": row["return_reason"]},
        action=f"/reports/{report_id}/edit",
    )


@router.post("/reports/{report_id}/edit")
async def resubmit(request: Request, principal: UserDep, report_id: int) -> Response:
    """Resubmit the corrected report."""
    require_page(principal, Action.FILE_REPORTS)
    form = {key: str(value) for key, value in (await request.form()).items()}
    check_form_csrf(principal, form.get("csrf", ""))
    try:
        body = _parse(form)
        with transaction(request.app.state.engine) as conn:
            service.resubmit(
                conn,
                report_id,
                body.content(),
                principal.actor,
                principal.user.role,
                now=_now(),
                region=request.app.state.settings.region,
            )
    except NotFoundError:
        raise PageNotFound from None
    except CawarnError as err:
        action = f"/reports/{report_id}/edit"
        return _form_page(request, principal, form, action=action, error=err.message, status=422)
    return RedirectResponse(f"/reports/{report_id}", status_code=303)


@router.post("/reports/{report_id}/approve")
def approve(
    request: Request,
    principal: UserDep,
    report_id: int,
    csrf: Annotated[str, Form(max_length=100)],
    reliability: Annotated[str, Form(max_length=1)] = "",
    credibility: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    """Approve the report with the grade chosen."""
    check_form_csrf(principal, csrf)
    require_page(principal, Action.VERIFY_REPORTS)
    try:
        if reliability not in RELIABILITY or credibility not in CREDIBILITY:
            raise InputError("Choose the source's reliability and the information's credibility.")
        grade = Grade(Reliability(reliability), Credibility(credibility))
        with transaction(request.app.state.engine) as conn:
            service.approve(
                conn,
                request.app.state.settings,
                report_id,
                grade,
                principal.actor,
                principal.user.role,
                now=_now(),
            )
    except NotFoundError:
        raise PageNotFound from None
    except CawarnError as err:
        return _report_page(request, principal, report_id, error=err.message, status=409)
    return RedirectResponse(f"/reports/{report_id}", status_code=303)


@router.post("/reports/{report_id}/return")
def return_report(
    request: Request,
    principal: UserDep,
    report_id: int,
    csrf: Annotated[str, Form(max_length=100)],
    reason: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Return the report to its reporter with the reason."""
    check_form_csrf(principal, csrf)
    require_page(principal, Action.VERIFY_REPORTS)
    try:
        with transaction(request.app.state.engine) as conn:
            service.return_report(
                conn, report_id, reason, principal.actor, principal.user.role, now=_now()
            )
    except NotFoundError:
        raise PageNotFound from None
    except CawarnError as err:
        return _report_page(request, principal, report_id, error=err.message, status=409)
    return RedirectResponse(f"/reports/{report_id}", status_code=303)
