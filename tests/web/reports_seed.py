"""Field reports stored for API tests, filed (and moved) by the seeded users of an organisation."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from cawarn.accounts import audit
from cawarn.accounts.directory import find_user
from cawarn.domain import Category, DatePrecision, GeoPrecision, Marking
from cawarn.domain.access import Role
from cawarn.domain.reports import ReportContent, ReportState
from cawarn.reports import service
from tests.web.conftest import username

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)

#: A report body as the API takes it: Bishkek, an armed clash, two dead.
BODY = {
    "category": "armed_clash",
    "summary": "Exchange of fire at the edge of the city.",
    "country": "KGZ",
    "latitude": 42.87,
    "longitude": 74.59,
    "place": "Bishkek",
    "geonameid": 1528675,
    "date_start": "2026-11-20",
    "date_precision": "day",
    "fatalities_best": 2,
    "fatalities_low": 2,
    "fatalities_high": 3,
    "source_ref": "open source: news agency X",
    "marking": "TLP:AMBER",
}


def content(marking: Marking = Marking.AMBER) -> ReportContent:
    """The BODY as the domain sees it."""
    return ReportContent(
        category=Category.ARMED_CLASH,
        summary=str(BODY["summary"]),
        country="KGZ",
        latitude=42.87,
        longitude=74.59,
        geo_precision=GeoPrecision.EXACT,
        date_start=dt.date(2026, 11, 20),
        date_end=dt.date(2026, 11, 20),
        date_precision=DatePrecision.DAY,
        fatalities_best=2,
        fatalities_low=2,
        fatalities_high=3,
        source_ref=str(BODY["source_ref"]),
        marking=marking,
    )


def actor(conn: sa.Connection, org: str, role: Role) -> audit.Actor:
    """The seeded user of this role in this organisation, as the audit log names them."""
    user = find_user(conn, username(org, role))
    assert user is not None
    return audit.Actor(user.username, user.id, user.org.code)


def insert_report(
    conn: sa.Connection,
    org: str,
    *,
    state: ReportState = ReportState.SUBMITTED,
    marking: Marking = Marking.AMBER,
) -> int:
    """A report filed by the organisation's reporter, returned by its verifier if asked."""
    row = service.file_report(conn, content(marking), actor(conn, org, Role.REPORTER), now=NOW)
    if state is ReportState.RETURNED:
        verifier = actor(conn, org, Role.VERIFIER)
        service.return_report(conn, row["id"], "Which district?", verifier, Role.VERIFIER, now=NOW)
    return int(row["id"])
