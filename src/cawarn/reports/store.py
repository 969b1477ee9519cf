"""Stored field reports: rows in, domain records out, and the listing queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from sqlalchemy import Connection, insert, select, update

from cawarn.domain import Category, DatePrecision, GeoPrecision, Marking, NotFoundError
from cawarn.domain.reports import (
    Credibility,
    Grade,
    Reliability,
    ReportContent,
    ReportRecord,
    ReportState,
)
from cawarn.store.schema_reports import field_reports


def content_columns(content: ReportContent) -> dict[str, Any]:
    """The columns of a report that hold what it says."""
    values = asdict(content)
    for key in ("category", "geo_precision", "date_precision", "marking"):
        values[key] = str(values[key])
    return values


def content_of(row: dict[str, Any]) -> ReportContent:
    """What a stored report says."""
    return ReportContent(
        category=Category(row["category"]),
        summary=row["summary"],
        country=row["country"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        geo_precision=GeoPrecision(row["geo_precision"]),
        date_start=row["date_start"],
        date_end=row["date_end"],
        date_precision=DatePrecision(row["date_precision"]),
        fatalities_best=row["fatalities_best"],
        fatalities_low=row["fatalities_low"],
        fatalities_high=row["fatalities_high"],
        source_ref=row["source_ref"],
        marking=Marking(row["marking"]),
        place=row["place"],
        geonameid=row["geonameid"],
    )


def record_of(row: dict[str, Any]) -> ReportRecord:
    """A stored report's lifecycle facts."""
    grade = None
    if row["reliability"] and row["credibility"]:
        grade = Grade(Reliability(row["reliability"]), Credibility(row["credibility"]))
    return ReportRecord(
        id=row["id"],
        organisation=row["organisation"],
        reporter=row["reporter"],
        state=ReportState(row["state"]),
        grade=grade,
        verifier=row["verifier"],
        return_reason=row["return_reason"],
    )


def insert_report(
    conn: Connection, content: ReportContent, *, organisation: str, reporter: str, now: dt.datetime
) -> int:
    """Store a newly filed report; returns its id."""
    values = {
        **content_columns(content),
        "organisation": organisation,
        "reporter": reporter,
        "state": ReportState.SUBMITTED.value,
        "submissions": 1,
        "created_at": now,
        "updated_at": now,
    }
    return int(
        conn.execute(insert(field_reports).returning(field_reports.c.id), values).scalar_one()
    )


def get_report(conn: Connection, report_id: int, *, for_update: bool = False) -> dict[str, Any]:
    """One report's row, or :class:`NotFoundError`."""
    query = select(field_reports).where(field_reports.c.id == report_id)
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFoundError(f"There is no report {report_id} that you may see.")
    return dict(row)


def save(conn: Connection, report_id: int, values: dict[str, Any]) -> None:
    """Write changed columns of one report."""
    conn.execute(update(field_reports).where(field_reports.c.id == report_id).values(**values))


def list_reports(
    conn: Connection,
    organisation: str,
    *,
    states: list[ReportState] | None = None,
    reporter: str | None = None,
) -> list[dict[str, Any]]:
    """An organisation's reports, newest first, optionally by state and reporter."""
    query = select(field_reports).where(field_reports.c.organisation == organisation)
    if states:
        query = query.where(field_reports.c.state.in_([s.value for s in states]))
    if reporter is not None:
        query = query.where(field_reports.c.reporter == reporter)
    query = query.order_by(field_reports.c.updated_at.desc(), field_reports.c.id.desc())
    return [dict(row) for row in conn.execute(query).mappings()]
