"""Indexes of the filtered event listing (migration 0010), on :data:`cawarn.store.tables.events`.

``ix_events_listing_start`` holds the listing's filter, its order and the visibility columns, in
that order: with one country and one category the page is read from the index in the listing's
order (``date_start, source, source_event_id``) and stops after one page, and the count reads
only the range of ``date_start`` that the dates allow (``from`` minus the longest event's span,
up to ``to``; :mod:`cawarn.store.listing`), never the table. ``ix_events_updated_at`` makes the
store's data version (the latest ``updated_at``) one index lookup.
"""

from __future__ import annotations

from sqlalchemy import Index

from cawarn.store.tables import events

LISTING_START = Index(
    "ix_events_listing_start",
    events.c.is_current,
    events.c.country,
    events.c.category,
    events.c.date_start,
    events.c.source,
    events.c.source_event_id,
    events.c.date_end,
    events.c.marking,
    events.c.owner_org,
)
UPDATED_AT = Index("ix_events_updated_at", events.c.updated_at)
