"""What can be released, looked up by kind: its owner and the markings it already carries.

One lookup per item kind in :data:`LOOKUPS`; a field report is released as the event it became
once approved. :data:`RECEIVED_MARKINGS` says the marking a peer sent an item with (from the
objects store), so a re-share can never lower it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, select

from cawarn.domain import InputError, Marking, NotFoundError
from cawarn.domain.access import highest_marking
from cawarn.domain.releases import Item, ItemKind
from cawarn.store.schema_reports import field_reports
from cawarn.store.tables import alert_transitions, alerts, events

#: Ids are uids or numbers; anything else (spaces, control characters) names no item.
_ITEM_ID = re.compile(r"[A-Za-z0-9._:-]{1,100}")
#: (connection, item id) -> the item, or NotFoundError.
Lookup = Callable[[Connection, str], Item]
#: (connection, kind, item id) -> the marking it was received with, or None if not received.
ReceivedMarking = Callable[[Connection, ItemKind, str], Marking | None]


def _missing(kind: ItemKind, item_id: str) -> NotFoundError:
    return NotFoundError(f"There is no {kind.value} {item_id!r} that you may release.")


def _event(conn: Connection, item_id: str) -> Item:
    row = conn.execute(
        select(events.c.owner_org, events.c.marking).where(
            events.c.uid == item_id, events.c.is_current.is_(True)
        )
    ).first()
    if row is None:
        raise _missing(ItemKind.EVENT, item_id)
    return Item(ItemKind.EVENT, item_id, row.owner_org, Marking(row.marking))


def _alert_row(conn: Connection, kind: ItemKind, item_id: str) -> Any:
    if not item_id.isdigit() or int(item_id) > 2**31 - 1:
        raise _missing(kind, item_id)
    row = conn.execute(
        select(alerts.c.id, alerts.c.organisation, alerts.c.evidence).where(
            alerts.c.id == int(item_id)
        )
    ).first()
    if row is None:
        raise _missing(kind, item_id)
    return row


def _evidence_marking(conn: Connection, evidence: dict[str, Any]) -> Marking:
    """An alert is marked as its most restricted evidence: releasing it reveals the evidence."""
    uids = list(evidence.get("events", []))
    markings: set[Marking] = set()
    for start in range(0, len(uids), 500):
        chunk = uids[start : start + 500]
        markings |= {
            Marking(m)
            for m in conn.execute(
                select(events.c.marking).where(
                    events.c.uid.in_(chunk), events.c.is_current.is_(True)
                )
            ).scalars()
        }
    return highest_marking(markings) or Marking.CLEAR


def _alert(conn: Connection, item_id: str) -> Item:
    row = _alert_row(conn, ItemKind.ALERT, item_id)
    marking = _evidence_marking(conn, row.evidence)
    return Item(ItemKind.ALERT, item_id, row.organisation, marking)


def _assessment(conn: Connection, item_id: str) -> Item:
    row = _alert_row(conn, ItemKind.ASSESSMENT, item_id)
    written = conn.execute(
        select(alert_transitions.c.id).where(
            alert_transitions.c.alert_id == row.id, alert_transitions.c.to_state == "assessed"
        )
    ).first()
    if written is None:
        raise InputError(f"Alert {item_id} has no written assessment yet; assess it first.")
    marking = _evidence_marking(conn, row.evidence)
    return Item(ItemKind.ASSESSMENT, item_id, row.organisation, marking)


def report_event_uid(conn: Connection, item_id: str) -> str:
    """The event an approved field report became; a report not approved yet is not shareable."""
    if not item_id.isdigit() or int(item_id) > 2**31 - 1:
        raise _missing(ItemKind.REPORT, item_id)
    row = conn.execute(
        select(field_reports.c.state, field_reports.c.event_uid).where(
            field_reports.c.id == int(item_id)
        )
    ).first()
    if row is None:
        raise _missing(ItemKind.REPORT, item_id)
    if row.event_uid is None:
        raise InputError(
            f"Field report {item_id} is {row.state}, not approved; a verifier approves it "
            "before it can be released."
        )
    return str(row.event_uid)


def _report(conn: Connection, item_id: str) -> Item:
    row = conn.execute(
        select(field_reports.c.organisation, field_reports.c.marking).where(
            field_reports.c.id == int(item_id)
        )
    ).first()
    report_event_uid(conn, item_id)  # refuses a missing or unapproved report
    assert row is not None
    return Item(ItemKind.REPORT, item_id, row.organisation, Marking(row.marking))


def _received_marking(conn: Connection, kind: ItemKind, item_id: str) -> Marking | None:
    """The marking a peer sent an event with (its incident as held in the objects store)."""
    if kind is not ItemKind.EVENT:
        return None
    from cawarn.network.objects import held_received_marking
    from cawarn.network.stix.ids import incident_id

    return held_received_marking(conn, incident_id(item_id))


LOOKUPS: dict[ItemKind, Lookup] = {
    ItemKind.EVENT: _event,
    ItemKind.ALERT: _alert,
    ItemKind.ASSESSMENT: _assessment,
    ItemKind.REPORT: _report,
}

RECEIVED_MARKINGS: list[ReceivedMarking] = [_received_marking]


def find_item(conn: Connection, kind: ItemKind, item_id: str) -> Item:
    """The item, with the marking it was received with when a peer sent it."""
    if not _ITEM_ID.fullmatch(item_id):
        raise _missing(kind, item_id[:100])
    lookup = LOOKUPS.get(kind)
    if lookup is None:
        raise InputError(f"Items of kind {kind.value!r} cannot be released on this node yet.")
    item = lookup(conn, item_id)
    received = [m for f in RECEIVED_MARKINGS if (m := f(conn, kind, item_id)) is not None]
    if received:
        highest = highest_marking(set(received))
        return Item(item.kind, item.item_id, item.owner_org, item.marking, highest)
    return item
