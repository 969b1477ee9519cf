"""The filtered event listing's two costly parts, made cheap: the count and the date range.

Counting every match of a filter reads one index entry per match (tens of thousands for one
country, one year and one category of a million events); the listing repeats the same count for
every page and every client. :class:`ListingCache` keeps the counts per filter and visibility,
and drops them all as soon as the store's *data version* changes: the highest event row id and
the latest ``updated_at``, both read from an index (every insert of a revision and every change
of which revision is current moves one of them). A time limit (``ttl``) bounds how long a count
can outlive a change that neither moves (a batch's rows removed when it is rolled back).

It also keeps the longest event's span in days (``date_end - date_start``), so that ``from``
bounds ``date_start`` from below too: an event that ends on or after ``from`` starts on or after
``from - span``. With that lower bound the listing reads one short range of
``ix_events_listing_start`` in the listing's order instead of every later (or earlier) event.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy import Connection, func, select

from cawarn.store.tables import events

#: The store's data version: (highest event row id, latest updated_at as text).
DataVersion = tuple[int, str]


def data_version(conn: Connection) -> DataVersion:
    """What changes whenever an event revision is added or becomes (no longer) current."""
    # Two scalar subqueries: SQLite reads a lone max() from an index end, but a select with
    # two aggregates scans the whole table.
    top_id = select(func.max(events.c.id)).scalar_subquery()
    updated = select(func.max(events.c.updated_at)).scalar_subquery()
    top, latest = conn.execute(select(top_id, updated)).one()
    return int(top or 0), str(latest)


def longest_span_days(conn: Connection) -> int:
    """The most days any current event lasts (``date_end - date_start``); 0 without events."""
    if conn.dialect.name == "sqlite":
        span = func.max(func.julianday(events.c.date_end) - func.julianday(events.c.date_start))
    else:
        span = func.max(events.c.date_end - events.c.date_start)
    value = conn.execute(select(span).where(events.c.is_current)).scalar_one()
    return int(value or 0)


class ListingCache:
    """Counts of matches and the longest span, valid for one data version of the store.

    Shared by the threads of one server process; a lock guards the maps, never a query, and
    another makes the threads that find no span wait for the one computing it. A request reads
    the data version once (:meth:`version`) and hands it to :meth:`span_days` and
    :meth:`count`. The time limit drops the counts, not the span: rows removed without moving
    the data version can only shorten the longest span, and a span too long only widens the
    range the listing reads.
    """

    def __init__(
        self,
        *,
        ttl: float = 60.0,
        max_counts: int = 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.max_counts = max_counts
        self._clock = clock
        self._lock = threading.Lock()
        self._span_lock = threading.Lock()
        self._version: DataVersion | None = None
        self._since = 0.0
        self._span: int | None = None
        self._counts: OrderedDict[Hashable, int] = OrderedDict()

    def version(self, conn: Connection) -> DataVersion:
        """The store's data version now; what was kept for another one is dropped."""
        version = data_version(conn)
        now = self._clock()
        with self._lock:
            if version != self._version:
                self._version, self._since = version, now
                self._span = None
                self._counts.clear()
            elif now - self._since > self.ttl:
                self._since = now
                self._counts.clear()
        return version

    def span_days(self, conn: Connection, version: DataVersion | None = None) -> int:
        """:func:`longest_span_days`, computed once per data version."""
        version = self.version(conn) if version is None else version
        with self._lock:
            if self._span is not None and self._version == version:
                return self._span
        with self._span_lock:
            with self._lock:
                if self._span is not None and self._version == version:
                    return self._span
            span = longest_span_days(conn)
            with self._lock:
                if self._version == version:
                    self._span = span
        return span

    def count(
        self,
        conn: Connection,
        key: Hashable,
        compute: Callable[[], Any],
        version: DataVersion | None = None,
    ) -> int:
        """The count under ``key`` (a filter and who asks), computed once per data version."""
        version = self.version(conn) if version is None else version
        with self._lock:
            if self._version == version and key in self._counts:
                self._counts.move_to_end(key)
                return self._counts[key]
        value = int(compute())
        with self._lock:
            if self._version == version:
                self._counts[key] = value
                while len(self._counts) > self.max_counts:
                    self._counts.popitem(last=False)
        return value
