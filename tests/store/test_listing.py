"""The listing's count cache and the longest span that bounds date_start, on both backends."""

from __future__ import annotations

import datetime as dt
import uuid
from unittest.mock import patch

import sqlalchemy as sa

from cawarn.store.listing import ListingCache, data_version, longest_span_days
from cawarn.store.queries import EventFilter
from cawarn.store.tables import batches, events

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


def add_event(
    conn: sa.Connection, start: dt.date, end: dt.date, *, updated: dt.datetime = NOW
) -> int:
    batch = conn.execute(sa.select(batches.c.id)).scalar()
    if batch is None:
        batch = conn.execute(
            batches.insert().values(
                uid=str(uuid.uuid4()),
                source="test",
                location="t",
                status="committed",
                started_at=NOW,
            )
        ).inserted_primary_key[0]
    uid = str(uuid.uuid4())
    row = conn.execute(
        events.insert().values(
            uid=uid,
            source="test",
            source_event_id=uid,
            revision=1,
            is_current=True,
            version_rank="1",
            date_start=start,
            date_end=end,
            date_precision="day",
            geo_precision="exact",
            country="KGZ",
            category="armed_clash",
            source_fields={},
            marking="TLP:CLEAR",
            owner_org="NODE",
            batch_id=batch,
            raw_hash=1,
            content_hash="x",
            created_at=NOW,
            updated_at=updated,
        )
    ).inserted_primary_key[0]
    return int(row)


def count(conn: sa.Connection, flt: EventFilter) -> int:
    return int(conn.execute(flt.apply(sa.select(sa.func.count()).select_from(events))).scalar_one())


def test_the_span_bound_keeps_every_event_that_overlaps_the_dates(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        assert longest_span_days(conn) == 0
        add_event(conn, dt.date(2019, 3, 1), dt.date(2020, 2, 1))  # 337 days, overlaps 2020
        add_event(conn, dt.date(2020, 5, 1), dt.date(2020, 5, 1))
        add_event(conn, dt.date(2018, 1, 1), dt.date(2018, 1, 2))  # ends before 2020
        span = longest_span_days(conn)
        assert span == 337
        plain = EventFilter(date_from=dt.date(2020, 1, 1), date_to=dt.date(2020, 12, 31))
        bounded = EventFilter(
            date_from=dt.date(2020, 1, 1), date_to=dt.date(2020, 12, 31), span_days=span
        )
        assert count(conn, plain) == count(conn, bounded) == 2
        # The long event starts 306 days before 'from': a span one day shorter would lose it.
        assert count(conn, EventFilter(date_from=dt.date(2020, 1, 1), span_days=306)) == 2
        assert count(conn, EventFilter(date_from=dt.date(2020, 1, 1), span_days=305)) == 1
        # A date near the start of the calendar does not overflow.
        early = EventFilter(date_from=dt.date(1, 1, 2), span_days=span)
        assert count(conn, early) == 3


def test_counts_are_kept_until_the_data_version_changes(engine: sa.Engine) -> None:
    cache = ListingCache(ttl=3600)
    flt = EventFilter(date_from=dt.date(2020, 1, 1))
    with engine.begin() as conn:
        add_event(conn, dt.date(2020, 5, 1), dt.date(2020, 5, 1))
        calls: list[int] = []

        def compute() -> int:
            calls.append(1)
            return count(conn, flt)

        assert cache.count(conn, flt, compute) == 1
        assert cache.count(conn, flt, compute) == 1
        assert len(calls) == 1
        before = data_version(conn)
        add_event(conn, dt.date(2020, 6, 1), dt.date(2020, 6, 1))
        assert data_version(conn) != before
        assert cache.count(conn, flt, compute) == 2
        assert len(calls) == 2
        # A revision that stops being current moves updated_at, not the highest id.
        top = conn.execute(sa.select(sa.func.max(events.c.id))).scalar_one()
        conn.execute(
            events.update()
            .where(events.c.id == top)
            .values(is_current=False, updated_at=NOW + dt.timedelta(seconds=1))
        )
        assert cache.count(conn, flt, compute) == 1
        assert len(calls) == 3


def test_counts_expire_after_the_ttl_and_the_map_is_bounded(engine: sa.Engine) -> None:
    clock = [0.0]
    cache = ListingCache(ttl=60, max_counts=2, clock=lambda: clock[0])
    with engine.begin() as conn:
        add_event(conn, dt.date(2020, 5, 1), dt.date(2020, 5, 1))
        answers = iter(range(100))
        assert cache.count(conn, "a", lambda: next(answers)) == 0
        clock[0] = 59.0
        assert cache.count(conn, "a", lambda: next(answers)) == 0
        clock[0] = 121.0
        assert cache.count(conn, "a", lambda: next(answers)) == 1
        cache.count(conn, "b", lambda: next(answers))
        cache.count(conn, "c", lambda: next(answers))
        assert cache.count(conn, "a", lambda: next(answers)) == 4  # "a" was dropped
        assert cache.span_days(conn) == 0


def test_the_span_outlives_the_ttl_and_one_version_read_serves_a_request(
    engine: sa.Engine,
) -> None:
    clock = [0.0]
    cache = ListingCache(ttl=60, clock=lambda: clock[0])
    with engine.begin() as conn:
        add_event(conn, dt.date(2020, 5, 1), dt.date(2020, 5, 31))
        version = cache.version(conn)
        assert cache.span_days(conn, version) == 30
        assert cache.count(conn, "a", lambda: 7, version) == 7
        # Past the ttl the counts go; the span stays (rows removed without moving the data
        # version can only shorten the longest span), so no request scans the events again.
        clock[0] = 61.0
        with patch("cawarn.store.listing.longest_span_days", side_effect=AssertionError):
            version = cache.version(conn)
            assert cache.span_days(conn, version) == 30
        assert cache.count(conn, "a", lambda: 8, version) == 8
        # A new data version drops the span too.
        add_event(conn, dt.date(2021, 1, 1), dt.date(2021, 3, 2))
        assert cache.span_days(conn) == 60
