"""What people do with field reports: file, read, edit and resubmit, approve, return.

Each function works in the caller's transaction, checks who may see the report (others answer
:class:`NotFoundError`, as if it did not exist), lets :func:`cawarn.domain.reports.move` decide
whether the move is allowed, and writes the audit log.

Who sees a report: only users of its organisation. Its reporter always does; other reporters do
not; verifiers, analysts and releasing officers do when their role may read its marking
(:func:`cawarn.domain.access.may_read_marking`), so a TLP:RED report stays with them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from cawarn.accounts import audit
from cawarn.config import Settings
from cawarn.domain import Marking, NotFoundError
from cawarn.domain.access import AUDITED_MARKINGS, Role, highest_marking, may_read_marking
from cawarn.domain.reports import (
    Grade,
    ReportContent,
    ReportMove,
    ReportState,
    check_content,
    move,
)
from cawarn.reports import store
from cawarn.reports.events import report_event, store_event


def may_see(row: dict[str, Any], actor: audit.Actor, role: Role) -> bool:
    """Whether this user may see this report at all."""
    if row["organisation"] != actor.org:
        return False
    if row["reporter"] == actor.name:
        return True
    if role is Role.REPORTER:
        return False
    return may_read_marking(role, Marking(row["marking"]), own_organisation=True)


def _visible(
    conn: Connection, report_id: int, actor: audit.Actor, role: Role, *, for_update: bool = False
) -> dict[str, Any]:
    row = store.get_report(conn, report_id, for_update=for_update)
    if not may_see(row, actor, role):
        raise NotFoundError(f"There is no report {report_id} that you may see.")
    return row


def file_report(
    conn: Connection,
    content: ReportContent,
    actor: audit.Actor,
    *,
    now: dt.datetime,
    region: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Store a new report in state ``submitted``; returns its row.

    ``region``: the node's countries; a report of another country is refused.
    """
    checked = check_content(content, today=now.date(), region=region)
    if actor.org is None:
        raise NotFoundError("Only a user of an organisation may file a report.")
    report_id = store.insert_report(
        conn, checked, organisation=actor.org, reporter=actor.name, now=now
    )
    audit.append(
        conn,
        actor,
        "reports.file",
        object_type="report",
        object_id=str(report_id),
        marking=checked.marking.value,
        details={"category": checked.category.value, "country": checked.country},
        at=now,
    )
    return store.get_report(conn, report_id)


def get_report(
    conn: Connection, report_id: int, actor: audit.Actor, role: Role, *, via: str = "api"
) -> dict[str, Any]:
    """One report the caller may see; reading an AMBER or RED one is audited."""
    row = _visible(conn, report_id, actor, role)
    if row["marking"] in AUDITED_MARKINGS:
        audit.append(
            conn,
            actor,
            "reports.read",
            object_type="report",
            object_id=str(report_id),
            marking=row["marking"],
            details={"via": via},
        )
    return row


def list_reports(
    conn: Connection,
    actor: audit.Actor,
    role: Role,
    *,
    states: list[ReportState] | None = None,
    mine: bool = False,
) -> list[dict[str, Any]]:
    """The reports of the caller's organisation the caller may see, newest first.

    A reporter sees their own only; ``mine`` narrows anyone's listing to their own.
    """
    if actor.org is None:
        return []
    own = mine or role is Role.REPORTER
    rows = store.list_reports(conn, actor.org, states=states, reporter=actor.name if own else None)
    shown = [row for row in rows if may_see(row, actor, role)]
    restricted = [row for row in shown if row["marking"] in AUDITED_MARKINGS]
    if restricted:
        audit.append(
            conn,
            actor,
            "reports.read",
            object_type="report",
            marking=str(highest_marking({Marking(row["marking"]) for row in restricted})),
            details={"ids": [row["id"] for row in restricted]},
        )
    return shown


def resubmit(
    conn: Connection,
    report_id: int,
    content: ReportContent,
    actor: audit.Actor,
    role: Role,
    *,
    now: dt.datetime,
    region: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The reporter's edit of a returned report, sent again for verification."""
    row = _visible(conn, report_id, actor, role, for_update=True)
    checked = check_content(content, today=now.date(), region=region)
    move(store.record_of(row), ReportMove.RESUBMIT, actor=actor.name, actor_org=actor.org or "")
    store.save(
        conn,
        report_id,
        {
            **store.content_columns(checked),
            "state": ReportState.RESUBMITTED.value,
            "submissions": row["submissions"] + 1,
            "updated_at": now,
        },
    )
    audit.append(
        conn,
        actor,
        "reports.resubmit",
        object_type="report",
        object_id=str(report_id),
        marking=checked.marking.value,
        details={"submissions": row["submissions"] + 1},
        at=now,
    )
    return store.get_report(conn, report_id)


def approve(
    conn: Connection,
    settings: Settings,
    report_id: int,
    grade: Grade,
    actor: audit.Actor,
    role: Role,
    *,
    now: dt.datetime,
) -> dict[str, Any]:
    """Grade the report and store it as one event of source ``field-report``."""
    row = _visible(conn, report_id, actor, role, for_update=True)
    move(
        store.record_of(row),
        ReportMove.APPROVE,
        actor=actor.name,
        actor_org=actor.org or "",
        grade=grade,
    )
    event = report_event(
        report_id,
        store.content_of(row),
        grade,
        node=settings.organisation,
        submissions=row["submissions"],
    )
    uid = store_event(conn, settings, event, owner_org=row["organisation"], now=now)
    store.save(
        conn,
        report_id,
        {
            "state": ReportState.APPROVED.value,
            "reliability": grade.reliability.value,
            "credibility": grade.credibility.value,
            "verifier": actor.name,
            "return_reason": None,
            "event_uid": uid,
            "decided_at": now,
            "updated_at": now,
        },
    )
    audit.append(
        conn,
        actor,
        "reports.approve",
        object_type="report",
        object_id=str(report_id),
        marking=row["marking"],
        details={"grade": str(grade), "event_uid": uid},
        at=now,
    )
    return store.get_report(conn, report_id)


def return_report(
    conn: Connection,
    report_id: int,
    reason: str,
    actor: audit.Actor,
    role: Role,
    *,
    now: dt.datetime,
) -> dict[str, Any]:
    """Send the report back to its reporter with the reason."""
    row = _visible(conn, report_id, actor, role, for_update=True)
    after = move(
        store.record_of(row),
        ReportMove.RETURN,
        actor=actor.name,
        actor_org=actor.org or "",
        reason=reason,
    )
    store.save(
        conn,
        report_id,
        {
            "state": ReportState.RETURNED.value,
            "verifier": actor.name,
            "return_reason": after.return_reason,
            "decided_at": now,
            "updated_at": now,
        },
    )
    audit.append(
        conn,
        actor,
        "reports.return",
        object_type="report",
        object_id=str(report_id),
        marking=row["marking"],
        details={"reason": after.return_reason},
        at=now,
    )
    return store.get_report(conn, report_id)
