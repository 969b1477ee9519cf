"""Writing and reading events and their revisions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, and_, bindparam, delete, select, text, update

from cawarn.store.tables import batches, events, quarantine

_T = TypeVar("_T")

#: Ids per IN (...) query: well under SQLite's limit on bound parameters.
_IN_CHUNK = 5000


def _chunks(items: Collection[_T], size: int = _IN_CHUNK) -> Iterator[list[_T]]:
    ordered = list(items)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def lock_source(conn: Connection, source: str) -> None:
    """Serialise batches of one source: a second ingest waits for the first to commit.

    On PostgreSQL a transaction-scoped advisory lock does it (two batches reading the same
    events at once would otherwise both insert revision 1). SQLite allows one writer at a time
    anyway; a batch that loses the race fails cleanly and is rerun.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"cawarn-ingest:{source}"}
        )


@dataclass(frozen=True, slots=True)
class StoredRevision:
    """The current revision of an event as the pipeline needs it to decide what to do."""

    row_id: int
    source_event_id: str
    revision: int
    max_revision: int
    raw_hash: int
    content_hash: str
    version_rank: str


def current_revisions(
    conn: Connection, source: str, source_event_ids: Collection[str]
) -> dict[str, StoredRevision]:
    """The current revision of each of these events that the store already holds.

    This runs for every row of every batch, so it goes straight to the driver: building
    SQLAlchemy rows for a whole GED release costs more than the query.
    """
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    max_revision: dict[str, int] = {}
    current: dict[str, tuple[Any, ...]] = {}
    for ids in _chunks(source_event_ids):
        sql = (
            "SELECT id, source_event_id, revision, is_current, raw_hash, content_hash, "
            f"version_rank FROM events WHERE source = {mark} AND source_event_id IN "
            f"({', '.join([mark] * len(ids))})"
        )
        for row in conn.exec_driver_sql(sql, (source, *ids)).fetchall():
            sid = row[1]
            max_revision[sid] = max(max_revision.get(sid, 0), row[2])
            if row[3]:
                current[sid] = tuple(row)
    return {
        sid: StoredRevision(row[0], sid, row[2], max_revision[sid], row[4], row[5], row[6])
        for sid, row in current.items()
    }


def content_hashes(
    conn: Connection, source: str, source_event_ids: Collection[str]
) -> dict[str, set[str]]:
    """Every content hash held for each event, across all its revisions."""
    result: dict[str, set[str]] = {}
    query = select(events.c.source_event_id, events.c.content_hash).where(
        events.c.source == source, events.c.source_event_id.in_(bindparam("ids", expanding=True))
    )
    for ids in _chunks(source_event_ids):
        for sid, digest in conn.execute(query, {"ids": ids}):
            result.setdefault(sid, set()).add(digest)
    return result


def retire(conn: Connection, row_ids: Iterable[int], now: dt.datetime) -> None:
    """Mark revisions as no longer current (a newer revision is about to be inserted)."""
    conn.execute(
        update(events)
        .where(events.c.id == bindparam("row_id"))
        .values(is_current=False, updated_at=now),
        [{"row_id": row_id} for row_id in row_ids],
    )


def refresh_provenance(conn: Connection, stored: StoredRevision, record: dict[str, Any]) -> None:
    """The same content read again: remember the raw form, and a newer release that confirms it."""
    values: dict[str, Any] = {}
    if record["raw_hash"] != stored.raw_hash and record["version_rank"] >= stored.version_rank:
        values["raw_hash"] = record["raw_hash"]
    if record["version_rank"] > stored.version_rank:
        values.update(
            source_version=record["source_version"],
            source_ref=record["source_ref"],
            version_rank=record["version_rank"],
            updated_at=record["updated_at"],
        )
    if values:
        conn.execute(update(events).where(events.c.id == stored.row_id).values(**values))


def recompute_current(
    conn: Connection, source: str, source_event_ids: Collection[str], now: dt.datetime
) -> None:
    """Make the highest-ranked revision (ties: the latest) of each event the current one."""
    query = select(
        events.c.id,
        events.c.source_event_id,
        events.c.version_rank,
        events.c.revision,
        events.c.is_current,
    ).where(
        events.c.source == source, events.c.source_event_id.in_(bindparam("ids", expanding=True))
    )
    for ids in _chunks(source_event_ids):
        best: dict[str, tuple[str, int, int]] = {}
        flagged: dict[str, int] = {}
        for row in conn.execute(query, {"ids": ids}):
            key = (row.version_rank, row.revision, row.id)
            if row.source_event_id not in best or key > best[row.source_event_id]:
                best[row.source_event_id] = key
            if row.is_current:
                flagged[row.source_event_id] = row.id
        for sid, (_, _, row_id) in best.items():
            if flagged.get(sid) == row_id:
                continue
            if sid in flagged:
                conn.execute(
                    update(events)
                    .where(events.c.id == flagged[sid])
                    .values(is_current=False, updated_at=now)
                )
            conn.execute(
                update(events).where(events.c.id == row_id).values(is_current=True, updated_at=now)
            )


def drop_batch_work(
    conn: Connection,
    batch_id: int,
    source: str,
    source_event_ids: Collection[str],
    now: dt.datetime,
) -> None:
    """Undo what a batch wrote for these events (rows, quarantine); restore what was current."""
    for ids in _chunks(source_event_ids):
        conn.execute(
            delete(events).where(
                and_(events.c.batch_id == batch_id, events.c.source_event_id.in_(ids))
            )
        )
        conn.execute(
            delete(quarantine).where(
                and_(quarantine.c.batch_id == batch_id, quarantine.c.source_event_id.in_(ids))
            )
        )
    recompute_current(conn, source, source_event_ids, now)


def quarantine_reasons(conn: Connection, batch_id: int) -> list[str]:
    """The reason of every row a batch quarantined (first seen in it, or seen again)."""
    query = select(quarantine.c.reason).where(
        (quarantine.c.batch_id == batch_id) | (quarantine.c.last_batch_id == batch_id)
    )
    return list(conn.execute(query).scalars())


def quarantine_keys(conn: Connection, source: str) -> set[tuple[int, int, str]]:
    """(raw hash, row number, reason) of every row of this source already in quarantine."""
    query = select(quarantine.c.raw_hash, quarantine.c.row_number, quarantine.c.reason).where(
        quarantine.c.source == source
    )
    return {(int(h), int(n), str(r)) for h, n, r in conn.execute(query)}


def quarantine_seen_again(
    conn: Connection, source: str, key: tuple[int, int, str], batch_id: int
) -> None:
    """A rejected row read again: one entry, marked as seen by this batch too."""
    hashed, row_number, reason = key
    conn.execute(
        update(quarantine)
        .where(
            quarantine.c.source == source,
            quarantine.c.raw_hash == hashed,
            quarantine.c.row_number == row_number,
            quarantine.c.reason == reason,
        )
        .values(last_batch_id=batch_id)
    )


def same_file_batch(
    conn: Connection, source: str, sha256: str, fingerprint: str
) -> dict[str, Any] | None:
    """The latest committed batch that read this very file with the same fingerprint, if any."""
    query = (
        select(batches)
        .where(
            batches.c.source == source,
            batches.c.sha256 == sha256,
            batches.c.fingerprint == fingerprint,
            batches.c.status == "committed",
        )
        .order_by(batches.c.id.desc())
        .limit(1)
    )
    row = conn.execute(query).mappings().first()
    return dict(row) if row is not None else None
