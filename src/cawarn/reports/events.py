"""An approved report becomes one event of source ``field-report``, placed like ingested ones.

The event's admin-1 unit and PRIO-GRID cell come from the same :class:`GeoAssigner` the ingest
pipeline uses, its row from the same :func:`event_row`, and it is recorded in a batch of its
own, so its provenance reads like any other event's. Its source fields keep the report id and
the Admiralty grade the verifier gave.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Connection, insert

from cawarn.config import Settings
from cawarn.domain import Event
from cawarn.domain.reports import FIELD_REPORT_SOURCE, Grade, ReportContent
from cawarn.ingest.geoassign import GeoAssigner
from cawarn.ingest.records import content_hash, event_row, raw_hash, version_rank
from cawarn.store import events as store_events
from cawarn.store.tables import batches, events

#: Bumped when what a report becomes changes, like a source's mapping version.
MAPPING_VERSION = "1"


def source_event_id(node: str, report_id: int) -> str:
    """The report's id qualified by the node that holds it, so its uid is unique network-wide.

    Report ids are counted per node; ``field-report:7`` alone would give the same event uid on
    every node.
    """
    text = f"{node}:{report_id}"
    if len(text) > 100:  # the column's width; organisation codes are short in practice
        text = f"{uuid.uuid5(uuid.NAMESPACE_URL, node).hex}:{report_id}"
    return text


def report_event(
    report_id: int, content: ReportContent, grade: Grade, *, node: str, submissions: int
) -> Event:
    """The event an approved report becomes (``node`` is the organisation running the node)."""
    fields: dict[str, object] = {
        "report_id": report_id,
        "admiralty_grade": str(grade),
        "source_reliability": grade.reliability.value,
        "information_credibility": grade.credibility.value,
        "submissions": submissions,
    }
    if content.place:
        fields["place"] = content.place
    if content.geonameid is not None:
        fields["geonameid"] = content.geonameid
    return Event(
        source=FIELD_REPORT_SOURCE,
        source_event_id=source_event_id(node, report_id),
        date_start=content.date_start,
        date_end=content.date_end,
        date_precision=content.date_precision,
        latitude=content.latitude,
        longitude=content.longitude,
        geo_precision=content.geo_precision,
        country=content.country,
        category=content.category,
        fatalities_best=content.fatalities_best,
        fatalities_low=content.fatalities_low,
        fatalities_high=content.fatalities_high,
        summary=content.summary,
        source_ref=content.source_ref,
        source_version=MAPPING_VERSION,
        source_fields=fields,
        marking=content.marking,
    )


def store_event(
    conn: Connection, settings: Settings, event: Event, *, owner_org: str, now: dt.datetime
) -> str:
    """Place the event, store it as revision 1 in a batch of its own; returns its uid."""
    store_events.lock_source(conn, event.source)
    geo = GeoAssigner.from_store(conn, [event.country], settings.snap_tolerance_km)
    (place,) = geo.assign([event], [""])
    batch_id = conn.execute(
        insert(batches).returning(batches.c.id),
        {
            "uid": str(uuid.uuid4()),
            "source": event.source,
            "source_version": MAPPING_VERSION,
            "location": f"field report {event.source_fields['report_id']}",
            "status": "committed",
            "started_at": now,
            "finished_at": now,
            "rows_read": 1,
            "events_new": 1,
            "admin1_unassigned": 1 if place.method == "none" else 0,
            "admin1_snapped": 1 if place.method == "snapped" else 0,
        },
    ).scalar_one()
    record = event_row(
        event,
        admin1=place.code,
        admin1_method=place.method,
        admin1_distance_km=place.distance_km,
        admin1_agrees=place.agrees,
        priogrid_gid=place.gid,
        priogrid_agrees=None,
        owner_org=owner_org,
    )
    record["content_hash"] = content_hash(record)
    record["raw_hash"] = raw_hash([record["source_fields"], record["content_hash"]], "report")
    record.update(
        version_rank=version_rank(0, [1]),
        batch_id=batch_id,
        created_at=now,
        updated_at=now,
        revision=1,
        is_current=True,
    )
    conn.execute(insert(events), record)
    return str(record["uid"])
