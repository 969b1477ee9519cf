"""Reading events, quarantine and batches for listings, exports and status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, case, desc, func, select

from cawarn.store.tables import batches, events, quarantine


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Which current events to list or export."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    country: tuple[str, ...] = ()
    admin1: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    batch_id: int | None = None
    admin1_disagrees: bool = False
    #: The longest event's span in days, when known (:mod:`cawarn.store.listing`): ``from`` then
    #: bounds ``date_start`` from below too, so an index on date_start is read over one range.
    span_days: int | None = None

    def apply(self, query: Select[Any]) -> Select[Any]:
        """Add the filter's conditions to a query over the events table."""
        query = query.where(events.c.is_current)
        if self.date_from:
            query = query.where(events.c.date_end >= self.date_from)
            if self.span_days is not None:
                days = min(self.span_days, (self.date_from - dt.date.min).days)
                floor = self.date_from - dt.timedelta(days=days)
                query = query.where(events.c.date_start >= floor)
        if self.date_to:
            query = query.where(events.c.date_start <= self.date_to)
        if self.country:
            query = query.where(events.c.country.in_(self.country))
        if self.admin1:
            query = query.where(events.c.admin1.in_(self.admin1))
        if self.category:
            query = query.where(events.c.category.in_(self.category))
        if self.source:
            query = query.where(events.c.source.in_(self.source))
        if self.batch_id is not None:
            query = query.where(events.c.batch_id == self.batch_id)
        if self.admin1_disagrees:
            query = query.where(events.c.admin1_agrees.is_(False))
        return query


LIST_COLUMNS = (
    events.c.uid,
    events.c.source,
    events.c.source_event_id,
    events.c.revision,
    events.c.source_version,
    events.c.source_dataset,
    events.c.date_start,
    events.c.date_end,
    events.c.date_precision,
    events.c.country,
    events.c.admin1,
    events.c.admin1_method,
    events.c.admin1_agrees,
    events.c.latitude,
    events.c.longitude,
    events.c.geo_precision,
    events.c.priogrid_gid,
    events.c.category,
    events.c.actor1,
    events.c.actor2,
    events.c.fatalities_best,
    events.c.fatalities_low,
    events.c.fatalities_high,
    events.c.summary,
    events.c.source_ref,
    events.c.marking,
)


def count_events(conn: Connection, flt: EventFilter) -> int:
    """How many current events match."""
    return int(conn.execute(flt.apply(select(func.count()).select_from(events))).scalar_one())


def iter_events(
    conn: Connection, flt: EventFilter, *, limit: int | None = None, offset: int = 0
) -> Iterator[dict[str, Any]]:
    """Current events matching the filter, oldest first, as plain dicts."""
    query = flt.apply(select(*LIST_COLUMNS)).order_by(
        events.c.date_start, events.c.source, events.c.source_event_id
    )
    if limit is not None:
        query = query.limit(limit).offset(offset)
    for row in conn.execution_options(yield_per=2000).execute(query).mappings():
        yield dict(row)


def event_revisions(conn: Connection, uid: str) -> list[dict[str, Any]]:
    """Every revision of one event, newest first, with the source's own fields."""
    query = (
        select(*LIST_COLUMNS, events.c.is_current, events.c.batch_id, events.c.source_fields)
        .where(events.c.uid == uid)
        .order_by(desc(events.c.revision))
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def list_quarantine(
    conn: Connection, *, batch_id: int | None = None, limit: int | None = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """Rejected rows, newest batch first, in file order."""
    query = select(
        quarantine.c.id,
        quarantine.c.batch_id,
        quarantine.c.row_number,
        quarantine.c.source_event_id,
        quarantine.c.reason,
        quarantine.c.raw,
        batches.c.location,
    ).join(batches, batches.c.id == quarantine.c.batch_id)
    if batch_id is not None:
        query = query.where(
            (quarantine.c.batch_id == batch_id) | (quarantine.c.last_batch_id == batch_id)
        )
    query = query.order_by(desc(quarantine.c.batch_id), quarantine.c.row_number, quarantine.c.id)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [dict(row) for row in conn.execute(query).mappings()]


def count_quarantine(conn: Connection, *, batch_id: int | None = None) -> int:
    """How many rejected rows the store keeps."""
    query = select(func.count()).select_from(quarantine)
    if batch_id is not None:
        query = query.where(
            (quarantine.c.batch_id == batch_id) | (quarantine.c.last_batch_id == batch_id)
        )
    return int(conn.execute(query).scalar_one())


def list_batches(conn: Connection, *, limit: int | None = 20) -> list[dict[str, Any]]:
    """Batches, newest first."""
    query = select(batches).order_by(desc(batches.c.id))
    if limit is not None:
        query = query.limit(limit)
    return [dict(row) for row in conn.execute(query).mappings()]


def event_counts(conn: Connection, column: str) -> dict[str, int]:
    """Current events counted by one column (country, source, category, ...)."""
    col = events.c[column]
    query = select(col, func.count()).where(events.c.is_current).group_by(col).order_by(col)
    return {str(key): int(n) for key, n in conn.execute(query)}


def event_totals(conn: Connection) -> dict[str, Any]:
    """Totals over current events: count, revisions kept, date range, fatalities."""
    current = conn.execute(
        select(
            func.count(),
            func.min(events.c.date_start),
            func.max(events.c.date_end),
            func.coalesce(func.sum(events.c.fatalities_best), 0),
        ).where(events.c.is_current)
    ).one()
    revisions = conn.execute(select(func.count()).select_from(events)).scalar_one()
    disagree = conn.execute(
        select(func.count()).where(events.c.is_current, events.c.admin1_agrees.is_(False))
    ).scalar_one()
    mismatched = conn.execute(
        select(func.count()).where(events.c.is_current, events.c.priogrid_agrees.is_(False))
    ).scalar_one()
    return {
        "total": int(current[0]),
        "first_date": current[1].isoformat() if current[1] else None,
        "last_date": current[2].isoformat() if current[2] else None,
        "fatalities_best": int(current[3]),
        "revisions_kept": int(revisions) - int(current[0]),
        "admin1_disagreements": int(disagree),
        "priogrid_mismatches": int(mismatched),
    }


def source_summary(conn: Connection) -> list[dict[str, Any]]:
    """Per source: its batches, the events they added, and the last import (committed batch).

    Read from the batches alone: counting a million events by source takes seconds.
    """
    committed = batches.c.status == "committed"
    query = (
        select(
            batches.c.source,
            func.count().label("batches"),
            func.sum(case((batches.c.status == "failed", 1), else_=0)).label("failed"),
            func.sum(case((committed, batches.c.events_new), else_=0)).label("events"),
        )
        .group_by(batches.c.source)
        .order_by(batches.c.source)
    )
    summary = {row.source: dict(row._mapping) for row in conn.execute(query)}
    newest = (
        select(func.max(batches.c.id)).where(committed).group_by(batches.c.source).scalar_subquery()
    )
    last = {
        row["source"]: dict(row)
        for row in conn.execute(select(batches).where(batches.c.id.in_(newest))).mappings()
    }
    for source, entry in summary.items():
        entry["last_import"] = last.get(source)
        entry["events"] = int(entry["events"] or 0)
        entry["failed"] = int(entry["failed"] or 0)
    return list(summary.values())
