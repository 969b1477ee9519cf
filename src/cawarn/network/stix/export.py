"""Events of the store as one STIX bundle, with everything it refers to.

Only current revisions, only markings up to the one asked for (GREEN unless the caller asks for
more: AMBER and RED leave only when asked explicitly), and every identity, location, marking and
extension definition the incidents refer to, so that the bundle validates on its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from cawarn.domain import Marking
from cawarn.network.stix.extension import (
    EXTENSION_CREATED,
    extension_definition,
    project_identity,
)
from cawarn.network.stix.identities import organisation_identity
from cawarn.network.stix.ids import parse_timestamp
from cawarn.network.stix.incidents import EVENT_FIELDS, event_objects
from cawarn.network.stix.markings import at_most, marking_definition
from cawarn.store.tables import events, organisations


@dataclass(frozen=True, slots=True)
class ExportFilter:
    """Which events to export."""

    countries: Collection[str] = ()
    since: dt.date | None = None
    max_marking: Marking = Marking.GREEN
    uids: Collection[str] = ()  # only these events (a release's)


def _event_rows(conn: Connection, flt: ExportFilter) -> list[dict[str, Any]]:
    first = (
        select(events.c.uid, func.min(events.c.created_at).label("created"))
        .group_by(events.c.uid)
        .subquery()
    )
    columns = [events.c[name] for name in EVENT_FIELDS if name not in {"created", "modified"}]
    query = (
        select(
            *columns,
            events.c.source_fields,
            first.c.created,
            events.c.updated_at.label("modified"),
        )
        .join(first, first.c.uid == events.c.uid)
        .where(events.c.is_current)
        .where(events.c.marking.in_([str(m) for m in at_most(flt.max_marking)]))
        .order_by(events.c.date_start, events.c.uid)
    )
    if flt.countries:
        query = query.where(events.c.country.in_([c.upper() for c in flt.countries]))
    if flt.since is not None:
        query = query.where(events.c.date_end >= flt.since)
    if flt.uids:
        query = query.where(events.c.uid.in_(list(flt.uids)))
    return [dict(row) for row in conn.execute(query).mappings()]


def identities(conn: Connection, codes: Collection[str]) -> list[dict[str, Any]]:
    known = {
        row.code: row
        for row in conn.execute(
            select(organisations.c.code, organisations.c.title, organisations.c.created_at).where(
                organisations.c.code.in_(list(codes))
            )
        )
    }
    fixed = parse_timestamp(EXTENSION_CREATED)
    out = []
    for code in sorted(codes):
        row = known.get(code)
        if row is None:
            out.append(organisation_identity(code, code, created=fixed))
        else:
            out.append(organisation_identity(code, row.title, created=row.created_at))
    return out


def export_objects(conn: Connection, flt: ExportFilter) -> tuple[list[dict[str, Any]], int]:
    """Every object of the export and the number of events in it."""
    rows = _event_rows(conn, flt)
    objects: list[dict[str, Any]] = [project_identity(), extension_definition()]
    used = {Marking(row["marking"]) for row in rows}
    objects.extend(marking_definition(m) for m in sorted(used, key=at_most(Marking.RED).index))
    objects.extend(identities(conn, {str(row["owner_org"]) for row in rows}))
    for row in rows:
        objects.extend(event_objects(row))
    return objects, len(rows)
