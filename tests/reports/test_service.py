"""Field reports in the store, on SQLite and PostgreSQL: filing, visibility, approval, return."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest
import sqlalchemy as sa

from cawarn.accounts import audit
from cawarn.config import Settings
from cawarn.domain import Category, DatePrecision, GeoPrecision, Marking, NotFoundError
from cawarn.domain.access import Role
from cawarn.domain.reports import (
    Credibility,
    Grade,
    Reliability,
    ReportContent,
    ReportError,
    ReportState,
)
from cawarn.ingest.records import event_uid
from cawarn.reports import service
from cawarn.store.tables import audit_log, batches, events

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
ORG = "TJK-CTC"
REPORTER = audit.Actor("tjk.reporter", None, ORG)
VERIFIER = audit.Actor("tjk.verifier", None, ORG)
GRADE = Grade(Reliability.B, Credibility.PROBABLY_TRUE)

#: Khorugh, the centre of Gorno-Badakhshan (admin-1 TJ-GB).
KHORUGH = ReportContent(
    category=Category.EXPLOSION_REMOTE_VIOLENCE,
    summary="An improvised device exploded near the bridge.",
    country="TJK",
    latitude=37.48974,
    longitude=71.55304,
    geo_precision=GeoPrecision.EXACT,
    date_start=dt.date(2026, 11, 25),
    date_end=dt.date(2026, 11, 25),
    date_precision=DatePrecision.DAY,
    fatalities_best=1,
    fatalities_low=1,
    fatalities_high=2,
    source_ref="open source: news agency X",
    marking=Marking.AMBER,
    place="Khorugh",
    geonameid=1221194,
)


@pytest.fixture
def node(backend: Settings) -> Settings:
    return backend.model_copy(update={"organisation": "NODE-CTC"})


def _file(engine: sa.Engine, content: ReportContent = KHORUGH) -> int:
    with engine.begin() as conn:
        return int(service.file_report(conn, content, REPORTER, now=NOW)["id"])


def test_approval_stores_one_placed_event_with_its_grade(store: sa.Engine, node: Settings) -> None:
    report_id = _file(store)
    with store.begin() as conn:
        row = service.approve(conn, node, report_id, GRADE, VERIFIER, Role.VERIFIER, now=NOW)
    assert (row["state"], row["reliability"], row["credibility"]) == ("approved", "B", "2")
    assert row["event_uid"] == event_uid("field-report", f"NODE-CTC:{report_id}")
    with store.connect() as conn:
        stored = conn.execute(sa.select(events).where(events.c.uid == row["event_uid"])).one()
        batch = conn.execute(sa.select(batches).where(batches.c.id == stored.batch_id)).one()
    assert (stored.source, stored.country, stored.admin1, stored.admin1_method) == (
        "field-report",
        "TJK",
        "TJ-GB",
        "inside",
    )
    # PRIO-GRID: row floor((37.49 + 90) / 0.5) = 254, col floor((71.55 + 180) / 0.5) = 503.
    assert stored.priogrid_gid == 254 * 720 + 503 + 1
    assert (stored.owner_org, stored.marking, stored.is_current, stored.revision) == (
        ORG,
        "TLP:AMBER",
        True,
        1,
    )
    fields = stored.source_fields
    fields = json.loads(fields) if isinstance(fields, str) else fields
    assert fields["admiralty_grade"] == "B2" and fields["report_id"] == report_id
    assert (batch.source, batch.status, batch.events_new) == ("field-report", "committed", 1)


def test_return_then_resubmit_then_approve(store: sa.Engine, node: Settings) -> None:
    report_id = _file(store)
    with store.begin() as conn:
        row = service.return_report(
            conn, report_id, "Give the district.", VERIFIER, Role.VERIFIER, now=NOW
        )
    assert (row["state"], row["return_reason"]) == ("returned", "Give the district.")
    with store.begin() as conn, pytest.raises(ReportError, match="is returned"):
        service.approve(conn, node, report_id, GRADE, VERIFIER, Role.VERIFIER, now=NOW)
    edited = replace(
        KHORUGH, summary="An improvised device exploded near the bridge, Shughnon district."
    )
    with store.begin() as conn:
        row = service.resubmit(
            conn,
            report_id,
            edited,
            REPORTER,
            Role.REPORTER,
            now=NOW,
        )
    assert (row["state"], row["submissions"]) == ("resubmitted", 2)
    assert row["summary"].endswith("Shughnon district.")
    with store.begin() as conn:
        row = service.approve(conn, node, report_id, GRADE, VERIFIER, Role.VERIFIER, now=NOW)
    assert row["state"] == "approved" and row["return_reason"] is None
    with store.connect() as conn:
        actions = conn.execute(
            sa.select(audit_log.c.action).where(audit_log.c.object_id == str(report_id))
        ).scalars()
        assert list(actions) == [
            "reports.file",
            "reports.return",
            "reports.resubmit",
            "reports.approve",
        ]


def test_a_failed_approval_stores_nothing(store: sa.Engine, node: Settings) -> None:
    report_id = _file(store)
    with store.begin() as conn, pytest.raises(ReportError, match="other than its reporter"):
        service.approve(conn, node, report_id, GRADE, REPORTER, Role.VERIFIER, now=NOW)
    with store.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(events)).scalar_one() == 0


@pytest.mark.parametrize(
    ("actor", "role", "marking", "sees"),
    [
        (REPORTER, Role.REPORTER, Marking.RED, True),  # its own author
        (audit.Actor("tjk.reporter2", None, ORG), Role.REPORTER, Marking.CLEAR, False),
        (VERIFIER, Role.VERIFIER, Marking.RED, True),
        (audit.Actor("tjk.analyst", None, ORG), Role.ANALYST, Marking.AMBER, True),
        (audit.Actor("tjk.ro", None, ORG), Role.RELEASING_OFFICER, Marking.RED, True),
        (audit.Actor("kgz.verifier", None, "KGZ-NCTC"), Role.VERIFIER, Marking.CLEAR, False),
    ],
)
def test_who_sees_a_report(
    engine: sa.Engine, actor: audit.Actor, role: Role, marking: Marking, sees: bool
) -> None:
    report_id = _file(engine, replace(KHORUGH, marking=marking))
    with engine.begin() as conn:
        listed = [row["id"] for row in service.list_reports(conn, actor, role)]
        assert listed == ([report_id] if sees else [])
        if sees:
            assert service.get_report(conn, report_id, actor, role)["id"] == report_id
        else:
            with pytest.raises(NotFoundError):
                service.get_report(conn, report_id, actor, role)


def test_listing_filters_by_state_and_mine(engine: sa.Engine) -> None:
    first, second = _file(engine), _file(engine)
    with engine.begin() as conn:
        service.return_report(conn, first, "Which village?", VERIFIER, Role.VERIFIER, now=NOW)
        pending = service.list_reports(
            conn, VERIFIER, Role.VERIFIER, states=[ReportState.SUBMITTED]
        )
        mine = service.list_reports(conn, VERIFIER, Role.VERIFIER, mine=True)
        returned = service.list_reports(
            conn, REPORTER, Role.REPORTER, states=[ReportState.RETURNED]
        )
    assert [row["id"] for row in pending] == [second]
    assert mine == []
    assert [(row["id"], row["return_reason"]) for row in returned] == [(first, "Which village?")]


def test_reading_restricted_reports_is_audited(engine: sa.Engine) -> None:
    clear = _file(engine, replace(KHORUGH, marking=Marking.CLEAR))
    red = _file(engine, replace(KHORUGH, marking=Marking.RED))
    amber = _file(engine, replace(KHORUGH, marking=Marking.AMBER))
    with engine.begin() as conn:
        service.list_reports(conn, VERIFIER, Role.VERIFIER)
        service.get_report(conn, clear, VERIFIER, Role.VERIFIER)
        service.get_report(conn, amber, VERIFIER, Role.VERIFIER)
    with engine.connect() as conn:
        reads = conn.execute(
            sa.select(audit_log.c.object_id, audit_log.c.marking, audit_log.c.details)
            .where(audit_log.c.action == "reports.read")
            .order_by(audit_log.c.id)
        ).all()
    assert [(r.object_id, r.marking) for r in reads] == [
        (None, "TLP:RED"),
        (str(amber), "TLP:AMBER"),
    ]
    assert sorted(reads[0].details["ids"]) == sorted([red, amber])
