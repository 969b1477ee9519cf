"""One batch of one source into the store, in one transaction.

For each row: count it out if it lies outside the node's region; skip it cheaply if the store
already holds exactly this row; otherwise map and validate it (or quarantine it with a reason),
assign admin-1 and PRIO-GRID, and store it as a new event, a new revision of a known event, or an
older revision kept for the record. A crash anywhere rolls the whole batch back; a rerun redoes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, insert, update
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from cawarn.config import Settings
from cawarn.domain import CawarnError, Event, QuarantinedRow, StoreError
from cawarn.ingest.contract import IngestReport, ProgressSink, RawInput, SourceReader
from cawarn.ingest.geoassign import GeoAssigner, Placement
from cawarn.ingest.records import content_hash, event_row, raw_hash
from cawarn.store import events as store_events
from cawarn.store.tables import batches, events, quarantine

#: Rows processed together: large enough for vectorised geo-assignment and bulk writes, small
#: enough to keep memory flat on a whole GED release.
CHUNK_ROWS = 10_000


@dataclass
class _Seen:
    """The first occurrence of an id in this batch and what was done with it."""

    raw_hash: int
    row_number: int
    outcome: str = ""


def ingest(
    engine: Engine,
    settings: Settings,
    reader: SourceReader,
    *,
    progress: ProgressSink | None = None,
    force: bool = False,
) -> IngestReport:
    """Store one batch from ``reader``; on a failure nothing of it stays and it is recorded.

    A file whose checksum and fingerprint match a committed batch is not read again (the result
    would be the same); ``force`` reads it row by row anyway.
    """
    started = time.perf_counter()
    started_at = dt.datetime.now(dt.UTC)
    try:
        with engine.begin() as conn:
            store_events.lock_source(conn, reader.source)
            run = _BatchRun(conn, settings, reader, progress)
            report = run.execute(started_at, reuse=not force)
    except CawarnError as err:
        _record_failed_batch(engine, reader, started_at, str(err))
        raise
    except OperationalError as err:
        if "locked" in str(err.orig).lower():
            raise StoreError(
                "Another process was writing to the store (another ingest?) and this batch could "
                "not go on; nothing of it was kept: run the same command again."
            ) from None
        raise
    report.seconds = time.perf_counter() - started
    return report


def _record_failed_batch(
    engine: Engine, reader: SourceReader, started_at: dt.datetime, message: str
) -> None:
    """Note the failed attempt; if the store itself is what failed, the error says so already."""
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(batches),
                {
                    **_batch_identity(reader, started_at),
                    "status": "failed",
                    "message": message,
                    "finished_at": dt.datetime.now(dt.UTC),
                },
            )
    except SQLAlchemyError:
        pass


def _batch_identity(
    reader: SourceReader, started_at: dt.datetime, fingerprint: str | None = None
) -> dict[str, Any]:
    return {
        "fingerprint": fingerprint,
        "uid": str(uuid.uuid4()),
        "source": reader.source,
        "source_version": reader.version_label,
        "source_dataset": reader.dataset,
        "location": reader.location,
        "sha256": reader.sha256,
        "started_at": started_at,
    }


class _BatchRun:
    def __init__(
        self,
        conn: Connection,
        settings: Settings,
        reader: SourceReader,
        progress: ProgressSink | None,
    ) -> None:
        self.conn = conn
        self.settings = settings
        self.reader = reader
        self.progress = progress
        self.region = set(settings.region)
        self.report = IngestReport(
            source=reader.source,
            location=reader.location,
            source_version=reader.version_label,
            source_dataset=reader.dataset,
            sha256=reader.sha256,
        )
        self.seen: dict[str, _Seen] = {}
        self.conflicts: set[str] = set()
        self.geo = GeoAssigner.from_store(conn, settings.region, settings.snap_tolerance_km)
        self.now = dt.datetime.now(dt.UTC)
        self.salt = f"{reader.dataset}|{self.geo.fingerprint}"
        self.fingerprint = hashlib.blake2b(
            "|".join(
                [
                    self.salt,
                    reader.version_label or "",
                    reader.mapping_version,
                    *sorted(self.region),
                ]
            ).encode(),
            digest_size=16,
        ).hexdigest()
        self.quarantined_before = store_events.quarantine_keys(conn, reader.source)

    def execute(self, started_at: dt.datetime, *, reuse: bool) -> IngestReport:
        identity = _batch_identity(self.reader, started_at, self.fingerprint)
        earlier = None
        if reuse and self.reader.sha256:
            earlier = store_events.same_file_batch(
                self.conn, self.reader.source, self.reader.sha256, self.fingerprint
            )
        self.batch_id = self.conn.execute(
            insert(batches).returning(batches.c.id), {**identity, "status": "running"}
        ).scalar_one()
        self.report.batch_id = self.batch_id
        self.report.batch_uid = identity["uid"]
        if earlier is not None:
            return self._unchanged(earlier)
        if self.progress:
            self.progress.start(self.reader.total_bytes)
        chunk: list[RawInput] = []
        for row in self.reader.rows():
            self.report.rows_read += 1
            country = self.reader.country_of(row.values)
            if country is None:
                self._quarantine(
                    row.number,
                    row.values,
                    "the row names no country cawarn knows (country_id "
                    f"{row.values.get('country_id', '')!r}, country "
                    f"{row.values.get('country', '')!r})",
                )
            elif country not in self.region:
                self.report.rows_outside_region += 1
            else:
                chunk.append(row)
                if len(chunk) >= CHUNK_ROWS:
                    self._process(chunk)
                    chunk = []
            if self.progress and self.report.rows_read % 2000 == 0:
                self.progress.update(self.reader.bytes_read)
        if chunk:
            self._process(chunk)
        if self.conflicts:
            self._resolve_conflicts()
        if self.progress:
            self.progress.update(self.reader.bytes_read)
        self.report.countries_without_boundaries = sorted(self.geo.missing)
        reasons = store_events.quarantine_reasons(self.conn, self.batch_id)
        self.report.quarantine_reasons = Counter(_reason_family(r) for r in reasons)
        self.report.rows_quarantined = len(reasons)
        self.conn.execute(
            update(batches)
            .where(batches.c.id == self.batch_id)
            .values(status="committed", finished_at=dt.datetime.now(dt.UTC), **self.report.counts())
        )
        return self.report

    def _unchanged(self, earlier: dict[str, Any]) -> IngestReport:
        """The same file, read with the same fingerprint: the earlier batch's result stands."""
        report = self.report
        report.same_as_batch_id = int(earlier["id"])
        report.rows_read = int(earlier["rows_read"])
        report.rows_outside_region = int(earlier["rows_outside_region"])
        report.rows_quarantined = int(earlier["rows_quarantined"])
        report.duplicate_rows = int(earlier["duplicate_rows"])
        report.events_unchanged = (
            int(earlier["events_new"])
            + int(earlier["events_revised"])
            + int(earlier["events_unchanged"])
        )
        report.events_older = int(earlier["events_older"])
        self.conn.execute(
            update(batches)
            .where(batches.c.id == self.batch_id)
            .values(
                status="unchanged",
                finished_at=dt.datetime.now(dt.UTC),
                same_as_batch_id=report.same_as_batch_id,
                message=f"the same file as batch {report.same_as_batch_id}, read with the same "
                "boundaries and settings; nothing to do",
                **report.counts(),
            )
        )
        return report

    # -- one chunk -----------------------------------------------------------------------------

    def _process(self, chunk: Sequence[RawInput]) -> None:
        hashes = [raw_hash(list(row.values.values()), self.salt) for row in chunk]
        ids = [row.values.get("id", "").strip() for row in chunk]
        current = store_events.current_revisions(self.conn, self.reader.source, set(ids) - {""})
        to_map: list[tuple[RawInput, int]] = []
        for row, hashed, sid in zip(chunk, hashes, ids, strict=True):
            if sid:
                seen = self.seen.get(sid)
                if seen is not None:
                    if seen.raw_hash == hashed:
                        self.report.duplicate_rows += 1
                    else:
                        self.conflicts.add(sid)
                    continue
                self.seen[sid] = seen = _Seen(hashed, row.number)
                stored = current.get(sid)
                if stored is not None and stored.raw_hash == hashed:
                    seen.outcome = "unchanged"
                    self.report.events_unchanged += 1
                    continue
            to_map.append((row, hashed))
        mapped: list[tuple[RawInput, int, Event]] = []
        for row, hashed in to_map:
            result = self.reader.map_row(row)
            if isinstance(result, QuarantinedRow):
                self._quarantine(row.number, row.values, result.reason, result.source_event_id)
            else:
                mapped.append((row, hashed, result))
        self._store(mapped, current)

    def _store(
        self,
        mapped: Sequence[tuple[RawInput, int, Event]],
        current: dict[str, store_events.StoredRevision],
    ) -> None:
        if not mapped:
            return
        placed = self.geo.assign(
            [event for _, _, event in mapped],
            [self.reader.source_admin1(row.values) for row, _, _ in mapped],
        )
        inserts: list[dict[str, Any]] = []
        retire: list[int] = []
        stale: list[tuple[RawInput, int, dict[str, Any]]] = []
        for (row, hashed, event), place in zip(mapped, placed, strict=True):
            if place.swapped:
                self._quarantine(
                    row.number,
                    row.values,
                    f"latitude {event.latitude} and longitude {event.longitude} appear swapped: "
                    f"the point lies outside {event.country} but the swapped point lies inside it",
                    event.source_event_id,
                )
                continue
            self._count_place(place)
            record = event_row(
                event,
                admin1=place.code,
                admin1_method=place.method,
                admin1_distance_km=place.distance_km,
                admin1_agrees=place.agrees,
                priogrid_gid=place.gid,
                priogrid_agrees=self._priogrid_agrees(row.values, place.gid),
                owner_org=self.reader.owner_of(row.values) or self.settings.organisation,
            )
            record["content_hash"] = content_hash(record)
            record["raw_hash"] = hashed
            record["version_rank"] = self.reader.rank
            record["batch_id"] = self.batch_id
            record["created_at"] = record["updated_at"] = self.now
            seen = self.seen[event.source_event_id]
            stored = current.get(event.source_event_id)
            if stored is None:
                record.update(revision=1, is_current=True)
                inserts.append(record)
                seen.outcome = "new"
            elif stored.content_hash == record["content_hash"]:
                seen.outcome = "unchanged"
                self.report.events_unchanged += 1
                store_events.refresh_provenance(self.conn, stored, record)
            elif self.reader.rank >= stored.version_rank:
                record.update(revision=stored.max_revision + 1, is_current=True)
                retire.append(stored.row_id)
                inserts.append(record)
                seen.outcome = "revised"
            else:
                stale.append((row, stored.max_revision, record))
        if retire:
            store_events.retire(self.conn, retire, self.now)
        if inserts:
            self.conn.execute(insert(events), inserts)
            for record in inserts:
                if record["revision"] == 1:
                    self.report.events_new += 1
                else:
                    self.report.events_revised += 1
        if stale:
            self._store_older(stale)

    def _store_older(self, stale: Sequence[tuple[RawInput, int, dict[str, Any]]]) -> None:
        """Rows of an older release than the store's: kept as non-current revisions, once."""
        known = store_events.content_hashes(
            self.conn, self.reader.source, {record["source_event_id"] for _, _, record in stale}
        )
        rows = []
        for _, max_revision, record in stale:
            self.seen[record["source_event_id"]].outcome = "older"
            self.report.events_older += 1
            if record["content_hash"] in known.get(record["source_event_id"], set()):
                continue
            record.update(revision=max_revision + 1, is_current=False)
            rows.append(record)
        if rows:
            self.conn.execute(insert(events), rows)

    def _count_place(self, place: Placement) -> None:
        if place.method == "snapped":
            self.report.admin1_snapped += 1
        elif place.method == "none":
            self.report.admin1_unassigned += 1
        if place.agrees is False:
            self.report.admin1_disagreements += 1

    def _priogrid_agrees(self, values: dict[str, str], gid: int | None) -> bool | None:
        given = self.reader.source_priogrid(values)
        if given is None or gid is None:
            return None
        agrees = given == gid
        if not agrees:
            self.report.priogrid_mismatches += 1
        return agrees

    # -- rejected rows -------------------------------------------------------------------------

    def _quarantine(
        self,
        row_number: int,
        values: dict[str, str],
        reason: str,
        source_event_id: str | None = None,
    ) -> None:
        hashed = raw_hash(list(values.values()), self.salt)
        key = (hashed, row_number, reason)
        if key in self.quarantined_before:
            store_events.quarantine_seen_again(self.conn, self.reader.source, key, self.batch_id)
            return
        self.conn.execute(
            insert(quarantine),
            {
                "batch_id": self.batch_id,
                "last_batch_id": self.batch_id,
                "source": self.reader.source,
                "row_number": row_number,
                "source_event_id": source_event_id or values.get("id") or None,
                "reason": reason,
                "raw": self.reader.quarantine_raw(values),
                "raw_hash": hashed,
                "created_at": self.now,
            },
        )

    def _resolve_conflicts(self) -> None:
        """Ids that appear more than once with different content: all occurrences quarantined."""
        occurrences: dict[str, list[RawInput]] = {sid: [] for sid in self.conflicts}
        for row in self.reader.rows():
            sid = row.values.get("id", "").strip()
            if sid in occurrences:
                occurrences[sid].append(row)
        undo = Counter(self.seen[sid].outcome for sid in self.conflicts)
        self.report.events_new -= undo["new"]
        self.report.events_revised -= undo["revised"]
        self.report.events_unchanged -= undo["unchanged"]
        self.report.events_older -= undo["older"]
        store_events.drop_batch_work(
            self.conn, self.batch_id, self.reader.source, self.conflicts, self.now
        )
        for sid, rows in sorted(occurrences.items()):
            numbers = ", ".join(str(row.number) for row in rows)
            for row in rows:
                self._quarantine(
                    row.number,
                    row.values,
                    f"id {sid} appears {len(rows)} times in this file with different content "
                    f"(rows {numbers}); none of them was stored",
                    sid,
                )


def _reason_family(reason: str) -> str:
    """A short label grouping similar reasons for the summary (the text before any value)."""
    head = reason.split(":", 1)[0]
    return head if len(head) <= 60 else head[:57] + "..."
