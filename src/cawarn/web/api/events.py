"""Events: filtered, paginated listings, CSV and GeoJSON exports, and one event by its uid.

Each caller sees only the events whose marking their role and organisation may read
(:func:`cawarn.domain.access.readable_markings`); reading AMBER or RED events is audited.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Iterable, Iterator
from dataclasses import replace
from enum import StrEnum
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import StringConstraints
from sqlalchemy import ColumnElement, Connection, Engine, Select, and_, false, func, or_, select

from cawarn.accounts import audit
from cawarn.domain import Category, InputError, Marking, NotFoundError
from cawarn.domain.access import (
    AUDITED_MARKINGS,
    Action,
    Role,
    highest_marking,
    readable_markings,
)
from cawarn.export.events import iter_csv, iter_geojson
from cawarn.store.listing import ListingCache
from cawarn.store.queries import LIST_COLUMNS, EventFilter
from cawarn.store.tables import events
from cawarn.web.api import schemas
from cawarn.web.deps import EngineDep, Principal, require, transaction

router = APIRouter(tags=["events"], responses=schemas.ERRORS)

Iso3 = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Admin1 = Annotated[str, StringConstraints(min_length=1, max_length=20)]
Source = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Reader = Annotated[Principal, Depends(require(Action.READ_EVENTS))]
COLUMNS = (*LIST_COLUMNS, events.c.owner_org)
NAMES = tuple(str(column.name) for column in COLUMNS)
#: Most events one export may hold; larger exports are split by date.
MAX_EXPORT = 200_000
#: How many uids of restricted events an audit row lists (the filter is kept in full).
AUDIT_UIDS = 1000


class Format(StrEnum):
    """The answer's format."""

    JSON = "json"
    CSV = "csv"
    GEOJSON = "geojson"


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """A bounding box ``min_lon,min_lat,max_lon,max_lat`` in degrees (WGS 84)."""
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        values = []
    if (
        len(values) != 4
        or not all(math.isfinite(value) for value in values)
        or not (-180 <= values[0] <= values[2] <= 180 and -90 <= values[1] <= values[3] <= 90)
    ):
        raise InputError(
            f"bbox {text!r} is not a box; write min_lon,min_lat,max_lon,max_lat in degrees "
            "with the minimum first, e.g. 66.5,36.6,75.2,41.1."
        )
    return values[0], values[1], values[2], values[3]


def visible(principal: Principal) -> ColumnElement[bool]:
    """The condition on events that this caller may read."""
    return _visible(principal.user.role, principal.user.org.code)


@functools.lru_cache(maxsize=256)
def _visible(role: Role, org: str) -> ColumnElement[bool]:
    # Built once per role and organisation: SQL expressions are immutable, and building this
    # one cost a tenth of a listing request.
    own = readable_markings(role, own_organisation=True)
    other = readable_markings(role, own_organisation=False)
    if not own and not other:
        return false()
    return or_(
        and_(events.c.owner_org == org, events.c.marking.in_(sorted(own))),
        events.c.marking.in_(sorted(other)),
    )


def audit_restricted(
    conn: Connection, principal: Principal, rows: Iterable[dict[str, Any]], what: dict[str, Any]
) -> None:
    """Record a read of AMBER or RED events, if any were among the rows."""
    restricted = [row for row in rows if row["marking"] in AUDITED_MARKINGS]
    if not restricted:
        return
    marking = highest_marking({Marking(row["marking"]) for row in restricted})
    audit.append(
        conn,
        principal.actor,
        "events.read",
        object_type="event",
        object_id=restricted[0]["uid"] if len(restricted) == 1 else None,
        marking=marking.value if marking else None,
        details={
            **what,
            "restricted_count": len(restricted),
            "uids": [row["uid"] for row in restricted[:AUDIT_UIDS]],
            "via": principal.via,
            "key": principal.key_prefix,
        },
    )


def _stream(
    engine: Engine, query: Select[Any], audited: set[str], format: Format, *, hxl: bool
) -> Iterator[str]:
    """The export's text in pieces of about 64 kB, read from the store as it is sent.

    A restricted event that was not among those audited before sending (one stored in
    between) is left out rather than sent unrecorded.
    """
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=2000).execute(query).mappings()
        rows = (
            dict(row)
            for row in result
            if row["marking"] not in AUDITED_MARKINGS or row["uid"] in audited
        )
        pieces = iter_csv(rows, hxl=hxl) if format is Format.CSV else iter_geojson(rows)
        buffer: list[str] = []
        size = 0
        for piece in pieces:
            buffer.append(piece)
            size += len(piece)
            if size >= 65536:
                yield "".join(buffer)
                buffer, size = [], 0
        if buffer:
            yield "".join(buffer)


@router.get(
    "/events",
    response_model=schemas.EventPage,
    responses={
        200: {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/geo+json": {"schema": {"type": "object"}},
            },
            "description": "A page of events (JSON), or every matching event (CSV, GeoJSON).",
        }
    },
)
def list_events(
    request: Request,
    engine: EngineDep,
    principal: Reader,
    date_from: Annotated[dt.date | None, Query(alias="from")] = None,
    date_to: Annotated[dt.date | None, Query(alias="to")] = None,
    country: Annotated[list[Iso3] | None, Query(description="ISO3 code; repeatable")] = None,
    admin1: Annotated[list[Admin1] | None, Query(description="Admin-1 code; repeatable")] = None,
    category: Annotated[list[Category] | None, Query(description="Repeatable")] = None,
    source: Annotated[list[Source] | None, Query(description="e.g. ucdp-ged; repeatable")] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=1000)] = 100,
    format: Annotated[Format, Query(description="json (paginated), csv or geojson")] = Format.JSON,
    hxl: Annotated[bool, Query(description="CSV only: add the HXL hashtag row")] = False,
    bbox: Annotated[
        str | None,
        Query(
            max_length=100,
            description="Only events located in this box: min_lon,min_lat,max_lon,max_lat",
            examples=["66.5,36.6,75.2,41.1"],
        ),
    ] = None,
) -> Any:
    """Current events matching the filters, oldest first; CSV and GeoJSON hold every match."""
    if date_from and date_to and date_from > date_to:
        raise InputError(f"'from' ({date_from}) is after 'to' ({date_to}); swap them.")
    flt = EventFilter(
        date_from=date_from,
        date_to=date_to,
        country=tuple(country or ()),
        admin1=tuple(admin1 or ()),
        category=tuple(category or ()),
        source=tuple(source or ()),
    )
    where = visible(principal)
    box = parse_bbox(bbox) if bbox is not None else None
    if box is not None:
        where = and_(
            where,
            events.c.longitude.between(box[0], box[2]),
            events.c.latitude.between(box[1], box[3]),
        )
    order = (events.c.date_start, events.c.source, events.c.source_event_id)
    what: dict[str, Any] = {
        "filter": {
            "from": str(date_from) if date_from else None,
            "to": str(date_to) if date_to else None,
            "country": list(flt.country),
            "admin1": list(flt.admin1),
            "category": list(flt.category),
            "source": list(flt.source),
            "bbox": list(box) if box else None,
        },
        "format": format.value,
    }
    cache: ListingCache = request.app.state.listing
    with transaction(engine) as conn:
        version = cache.version(conn)
        if date_from is not None:
            flt = replace(flt, span_days=cache.span_days(conn, version))
        # Visibility depends only on the role and the organisation, so they key the count.
        key = (flt, box, principal.user.role, principal.user.org.code)
        total = cache.count(
            conn,
            key,
            lambda: conn.execute(
                flt.apply(select(func.count()).select_from(events)).where(where)
            ).scalar_one(),
            version,
        )
        query = flt.apply(select(*COLUMNS)).where(where).order_by(*order)
        if format is not Format.JSON:
            if total > MAX_EXPORT:
                raise InputError(
                    f"{total} events match, more than the {MAX_EXPORT} one export may hold; "
                    "narrow the filter (e.g. by 'from' and 'to') and export in parts."
                )
            # The restricted part is audited before anything is sent.
            restricted = [
                dict(row)
                for row in conn.execute(
                    flt.apply(select(events.c.uid, events.c.marking))
                    .where(where, events.c.marking.in_(sorted(AUDITED_MARKINGS)))
                    .order_by(*order)
                ).mappings()
            ]
            audit_restricted(conn, principal, restricted, what)
        else:
            # The page's ids first, filtered and ordered within the listing index, then only
            # those rows: sorting the full rows of every match would read them all.
            ids = (
                flt.apply(select(events.c.id))
                .where(where)
                .order_by(*order)
                .limit(per_page)
                .offset((page - 1) * per_page)
                .scalar_subquery()
            )
            query = select(*COLUMNS).where(events.c.id.in_(ids)).order_by(*order)
            # Plain tuples zipped with the names: building RowMappings costs more than the rows.
            rows = [dict(zip(NAMES, row, strict=True)) for row in conn.execute(query)]
            audit_restricted(conn, principal, rows, what)
    if format is Format.CSV:
        return StreamingResponse(
            _stream(engine, query, {row["uid"] for row in restricted}, format, hxl=hxl),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="events.csv"'},
        )
    if format is Format.GEOJSON:
        return StreamingResponse(
            _stream(engine, query, {row["uid"] for row in restricted}, format, hxl=False),
            media_type="application/geo+json",
        )
    shown = page * per_page
    body = {
        "items": [_event_json(row) for row in rows],
        "page": page,
        "per_page": per_page,
        "total": total,
        "next_page": page + 1 if shown < total else None,
    }
    # Built directly (schemas.EventPage documents it): validating 100 rows that came from the
    # store in the store's own types cost more than the query.
    return Response(_dumps(body), media_type="application/json")


def _event_json(row: dict[str, Any]) -> dict[str, Any]:
    """One listed row as :class:`schemas.Event` serialises it."""
    row["date_start"] = row["date_start"].isoformat()
    row["date_end"] = row["date_end"].isoformat()
    if row["admin1_agrees"] is not None:
        row["admin1_agrees"] = bool(row["admin1_agrees"])
    return row


def _dumps(body: dict[str, Any]) -> bytes:
    return orjson.dumps(body)


@router.get("/events/{uid}", response_model=schemas.Event)
def get_event(
    engine: EngineDep,
    principal: Reader,
    uid: Annotated[str, Path(max_length=36)],
) -> schemas.Event:
    """The current revision of one event, by its uid (the same as its STIX id's UUID)."""
    with transaction(engine) as conn:
        row = (
            conn.execute(
                select(*COLUMNS).where(events.c.uid == uid, events.c.is_current, visible(principal))
            )
            .mappings()
            .first()
        )
        if row is None:
            raise NotFoundError(f"There is no event {uid!r} that you may see.")
        audit_restricted(conn, principal, [dict(row)], {"uid": uid})
    return schemas.Event.model_validate(dict(row))
