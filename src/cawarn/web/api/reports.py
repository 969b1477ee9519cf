"""Field reports: file, list, read, edit a returned one, approve with a grade, return.

A report belongs to its reporter's organisation; users of another organisation, and reporters
other than its own, get 404 for it. Moves the lifecycle refuses answer 409. Approval stores
one event of source ``field-report``, whose uid the answer carries.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from cawarn.domain import Category, DatePrecision, GeoPrecision, Marking
from cawarn.domain.access import Action
from cawarn.domain.reports import Credibility, Grade, Reliability, ReportContent, ReportState
from cawarn.reports import service
from cawarn.web.api import schemas
from cawarn.web.deps import EngineDep, Principal, SettingsDep, require, transaction

router = APIRouter(tags=["reports"], responses=schemas.ERRORS)

Filer = Annotated[Principal, Depends(require(Action.FILE_REPORTS))]
Reader = Annotated[Principal, Depends(require(Action.READ_REPORTS))]
Verifier = Annotated[Principal, Depends(require(Action.VERIFY_REPORTS))]
ReportId = Annotated[int, Path(ge=1, le=2**31 - 1)]
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": schemas.Problem, "description": "The lifecycle does not allow this move now."}
}


class ReportIn(BaseModel):
    """What a reporter files: what, where, when, how many died, the source, the marking."""

    model_config = ConfigDict(extra="forbid")

    category: Category
    summary: str = Field(min_length=1, max_length=5000)
    country: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 3166-1 alpha-3")
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    geo_precision: GeoPrecision = GeoPrecision.EXACT
    place: str | None = Field(default=None, max_length=300)
    geonameid: int | None = Field(default=None, ge=1, le=2**31 - 1)
    date_start: dt.date
    date_end: dt.date | None = None
    date_precision: DatePrecision = DatePrecision.DAY
    fatalities_best: int | None = Field(default=None, ge=0, le=1_000_000)
    fatalities_low: int | None = Field(default=None, ge=0, le=1_000_000)
    fatalities_high: int | None = Field(default=None, ge=0, le=1_000_000)
    source_ref: str = Field(
        min_length=1,
        max_length=1000,
        description="A reference to the source, e.g. 'open source: news agency X'; no names "
        "of private persons.",
    )
    marking: Marking = Marking.AMBER

    def content(self) -> ReportContent:
        """The domain's view of the report."""
        return ReportContent(
            category=self.category,
            summary=self.summary,
            country=self.country,
            latitude=self.latitude,
            longitude=self.longitude,
            geo_precision=self.geo_precision,
            date_start=self.date_start,
            date_end=self.date_end or self.date_start,
            date_precision=self.date_precision,
            fatalities_best=self.fatalities_best,
            fatalities_low=self.fatalities_low,
            fatalities_high=self.fatalities_high,
            source_ref=self.source_ref,
            marking=self.marking,
            place=self.place,
            geonameid=self.geonameid,
        )


class Report(BaseModel):
    """A field report with its state, grade and the event it became."""

    id: int
    organisation: str
    reporter: str
    state: ReportState
    category: Category
    summary: str
    country: str
    latitude: float
    longitude: float
    geo_precision: GeoPrecision
    place: str | None
    geonameid: int | None
    date_start: dt.date
    date_end: dt.date
    date_precision: DatePrecision
    fatalities_best: int | None
    fatalities_low: int | None
    fatalities_high: int | None
    source_ref: str
    marking: Marking
    reliability: Reliability | None
    credibility: Credibility | None
    verifier: str | None
    return_reason: str | None
    submissions: int
    event_uid: str | None
    created_at: schemas.UtcDateTime
    updated_at: schemas.UtcDateTime
    decided_at: schemas.UtcDateTime | None


class GradeIn(BaseModel):
    """An Admiralty grade: source reliability A-F, information credibility 1-6."""

    model_config = ConfigDict(extra="forbid")

    reliability: Reliability
    credibility: Credibility


class ReasonIn(BaseModel):
    """Why a report goes back to its reporter."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=5000)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@router.post("/reports", response_model=Report, status_code=201)
def file_report(
    engine: EngineDep, settings: SettingsDep, principal: Filer, body: ReportIn
) -> Report:
    """File a new report; it waits for a verifier of the reporter's organisation."""
    with transaction(engine) as conn:
        row = service.file_report(
            conn, body.content(), principal.actor, now=_now(), region=settings.region
        )
    return Report.model_validate(row)


@router.get("/reports", response_model=list[Report])
def list_reports(
    engine: EngineDep,
    principal: Reader,
    state: Annotated[list[ReportState] | None, Query(description="Repeatable")] = None,
    mine: Annotated[bool, Query(description="Only the reports I filed")] = False,
) -> list[Report]:
    """The organisation's reports the caller may see (a reporter: their own), newest first."""
    with transaction(engine) as conn:
        rows = service.list_reports(
            conn, principal.actor, principal.user.role, states=state, mine=mine
        )
    return [Report.model_validate(row) for row in rows]


@router.get("/reports/{report_id}", response_model=Report)
def get_report(engine: EngineDep, principal: Reader, report_id: ReportId) -> Report:
    """One report."""
    with transaction(engine) as conn:
        row = service.get_report(
            conn, report_id, principal.actor, principal.user.role, via=principal.via
        )
    return Report.model_validate(row)


@router.put("/reports/{report_id}", response_model=Report, responses=CONFLICT)
def edit_report(
    engine: EngineDep, settings: SettingsDep, principal: Filer, report_id: ReportId, body: ReportIn
) -> Report:
    """Edit a returned report (its reporter only) and send it again for verification."""
    with transaction(engine) as conn:
        row = service.resubmit(
            conn,
            report_id,
            body.content(),
            principal.actor,
            principal.user.role,
            now=_now(),
            region=settings.region,
        )
    return Report.model_validate(row)


@router.post("/reports/{report_id}/approve", response_model=Report, responses=CONFLICT)
def approve_report(
    engine: EngineDep,
    settings: SettingsDep,
    principal: Verifier,
    report_id: ReportId,
    body: GradeIn,
) -> Report:
    """Grade the report and store it in the event store as source ``field-report``."""
    with transaction(engine) as conn:
        row = service.approve(
            conn,
            settings,
            report_id,
            Grade(body.reliability, body.credibility),
            principal.actor,
            principal.user.role,
            now=_now(),
        )
    return Report.model_validate(row)


@router.post("/reports/{report_id}/return", response_model=Report, responses=CONFLICT)
def return_report(
    engine: EngineDep, principal: Verifier, report_id: ReportId, body: ReasonIn
) -> Report:
    """Send the report back to its reporter with the reason."""
    with transaction(engine) as conn:
        row = service.return_report(
            conn, report_id, body.reason, principal.actor, principal.user.role, now=_now()
        )
    return Report.model_validate(row)
