"""The pages: overview, events explorer, event detail and unit."""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection, and_, func, select

from cawarn.domain import Category
from cawarn.domain.access import Action, allows
from cawarn.domain.releases import ItemKind
from cawarn.store.tables import admin_units, events
from cawarn.web.api.events import COLUMNS, audit_restricted, visible
from cawarn.web.deps import transaction
from cawarn.web.ui import data
from cawarn.web.ui.alerts import alert_context, open_alerts
from cawarn.web.ui.auth import PageNotFound, UserDep, require_page
from cawarn.web.ui.i18n import Formats
from cawarn.web.ui.releases import release_panel
from cawarn.web.ui.render import language, render

router = APIRouter(include_in_schema=False)

PER_PAGE = 50
#: How far back the overview's map points and trend charts reach.
RECENT_DAYS = 90
TREND_MONTHS = 36
MAP_POINTS = 500
FORECAST_STEPS = 12
FAN_KEYS = ("step", "p_positive", "mean", "q05", "q10", "q25", "q50", "q75", "q90", "q95")


def units_geojson(request: Request, conn: Connection) -> dict[str, Any]:
    """The boundaries for the map, simplified once per import of boundaries."""
    version = data.boundaries_version(conn)
    cached = getattr(request.app.state, "ui_map_cache", None)
    if cached is None or cached[0] != version:
        cached = (version, data.units_geojson(conn))
        request.app.state.ui_map_cache = cached
    geojson: dict[str, Any] = cached[1]
    return geojson


def map_data(
    risk: dict[str, float],
    language: str,
    points: list[dict[str, Any]] | None = None,
    *,
    fit: str = "units",
) -> dict[str, Any]:
    """What one map draws over the page's admin-1 units (``units`` in the page, sent once)."""
    return {
        "units_ref": "units-data",
        "risk": risk,
        "name_key": f"name_{language}",
        "has_risk": bool(risk),
        "points": points or [],
        "fit": fit,  # what the map zooms to: every unit, or the events shown
    }


def _point(row: dict[str, Any]) -> dict[str, Any] | None:
    if row["latitude"] is None or row["longitude"] is None:
        return None
    return {
        "uid": row["uid"],
        "lat": row["latitude"],
        "lon": row["longitude"],
        "date": str(row["date_start"]),
        "category": row["category"],
        "fatalities": row["fatalities_best"],
        "synthetic": row["source"].startswith(data.SYNTHETIC_PREFIX),
    }


def _series(months: dict[int, int], first: int, last: int) -> list[int]:
    return [months.get(m, 0) for m in range(first, last + 1)]


@router.get("/")
def overview(request: Request, principal: UserDep) -> Response:
    """Risk map, recent events, trends per country, and the forecast headline."""
    require_page(principal, Action.READ_UNITS)
    role = principal.user.role
    context: dict[str, Any] = {
        "principal": principal,
        "run": None,
        "riskiest": [],
        "reads_forecasts": allows(role, Action.READ_PANELS),
        **alert_context(),
    }
    with transaction(request.app.state.engine) as conn:
        context["alerts"] = open_alerts(conn, principal)
        names = data.unit_names(conn)
        geojson = units_geojson(request, conn)
        risk: dict[str, float] = {}
        if allows(role, Action.READ_PANELS):
            run = data.latest_live(conn)
            if run is not None:
                risk = data.risk_by_unit(conn, run)
                context["run"] = run
                context["riskiest"] = data.riskiest(conn, run, names)
        points: list[dict[str, Any]] = []
        trends: dict[str, list[int]] = {}
        months: list[int] = []
        if allows(role, Action.READ_EVENTS):
            where = visible(principal)
            last = data.last_event_day(conn, where)
            if last is not None:
                since = last - dt.timedelta(days=RECENT_DAYS)
                rows = data.recent_events(conn, where, COLUMNS, since=since, limit=MAP_POINTS)
                audit_restricted(conn, principal, rows, {"page": "overview"})
                points = [p for p in (_point(r) for r in rows) if p is not None]
                last_month = data.month_id(last)
                first_month = last_month - TREND_MONTHS + 1
                first_day = dt.date(1980 + (first_month - 1) // 12, (first_month - 1) % 12 + 1, 1)
                by_country = data.monthly_fatalities(
                    conn, where, by=events.c.country, since=first_day
                )
                months = list(range(first_month, last_month + 1))
                trends = {
                    country: _series(series, first_month, last_month)
                    for country, series in sorted(by_country.items())
                }
                context["since"] = since
    fmt = Formats(language(request))
    context.update(
        map_data=map_data(risk, fmt.language, points),
        units=geojson,
        chart_data={"labels": [fmt.month(m) for m in months], "trends": trends},
        names=names,
    )
    return render(request, "overview.html", context)


def _category(value: str | None) -> str | None:
    if not value:
        return None
    if value not in {c.value for c in Category}:
        return None
    return value


@router.get("/events")
def events_page(
    request: Request,
    principal: UserDep,
    country: Annotated[str | None, Query(max_length=3)] = None,
    admin1: Annotated[str | None, Query(max_length=20)] = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    source: Annotated[str | None, Query(max_length=100)] = None,
    date_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    """The events explorer: filters, a paginated table, and the page's events on a map."""
    require_page(principal, Action.READ_EVENTS)
    where = and_(
        visible(principal),
        data.event_filter_where(
            country=country or None,
            admin1=admin1 or None,
            category=_category(category),
            source=source or None,
        ),
    )
    start, end = _day(date_from), _day(date_to)
    if start:
        where = and_(where, events.c.date_end >= start)
    if end:
        where = and_(where, events.c.date_start <= end)
    if q:
        pattern = f"%{q}%"
        where = and_(
            where,
            events.c.summary.ilike(pattern)
            | events.c.actor1.ilike(pattern)
            | events.c.actor2.ilike(pattern)
            | events.c.source_event_id.ilike(pattern),
        )
    with transaction(request.app.state.engine) as conn:
        total = int(
            conn.execute(select(func.count()).select_from(events).where(where)).scalar_one()
        )
        pages = max(1, math.ceil(total / PER_PAGE))
        page = min(page, pages)
        rows = [
            dict(r)
            for r in conn.execute(
                select(*COLUMNS)
                .where(where)
                .order_by(events.c.date_start.desc(), events.c.source, events.c.source_event_id)
                .limit(PER_PAGE)
                .offset((page - 1) * PER_PAGE)
            ).mappings()
        ]
        audit_restricted(conn, principal, rows, {"page": "events", "page_number": page})
        countries = sorted(
            c for c in conn.execute(select(events.c.country).distinct()).scalars() if c
        )
        sources = sorted(s for s in conn.execute(select(events.c.source).distinct()).scalars() if s)
        names = data.unit_names(conn)
        geojson = units_geojson(request, conn)
    filters = {
        "country": country or "",
        "admin1": admin1 or "",
        "category": _category(category) or "",
        "source": source or "",
        "from": str(start) if start else "",
        "to": str(end) if end else "",
        "q": q or "",
    }
    return render(
        request,
        "events.html",
        {
            "principal": principal,
            "rows": rows,
            "total": total,
            "page": page,
            "pages": pages,
            "filters": filters,
            "query": urlencode({k: v for k, v in filters.items() if v}),
            # The API exports the same filters (all but the text search) in full.
            "export_query": urlencode({k: v for k, v in filters.items() if v and k != "q"}),
            "countries": countries,
            "sources": sources,
            "categories": [c.value for c in Category],
            "names": names,
            "map_data": map_data(
                {},
                language(request),
                [p for p in (_point(r) for r in rows) if p is not None],
                fit="points",
            ),
            "units": geojson,
        },
    )


def _day(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


@router.get("/events/{uid}")
def event_page(request: Request, principal: UserDep, uid: str) -> Response:
    """One event: what, where, when, who, its marking and where it came from."""
    require_page(principal, Action.READ_EVENTS)
    if len(uid) > 36:
        raise PageNotFound
    with transaction(request.app.state.engine) as conn:
        row = (
            conn.execute(
                select(*COLUMNS, events.c.batch_id, events.c.created_at, events.c.updated_at).where(
                    events.c.uid == uid, events.c.is_current, visible(principal)
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            raise PageNotFound
        event = dict(row)
        audit_restricted(conn, principal, [event], {"uid": uid, "page": "event"})
        # Earlier revisions, as far as their markings let this user read them.
        revisions = [
            dict(r)
            for r in conn.execute(
                select(
                    events.c.revision,
                    events.c.is_current,
                    events.c.source_version,
                    events.c.source_dataset,
                    events.c.batch_id,
                    events.c.date_start,
                    events.c.fatalities_best,
                    events.c.marking,
                    events.c.updated_at,
                    events.c.source_fields,
                )
                .where(events.c.uid == uid, visible(principal))
                .order_by(events.c.revision.desc())
            ).mappings()
        ]
        names = data.unit_names(conn)
        geojson = units_geojson(request, conn)
        release = release_panel(conn, principal, ItemKind.EVENT, uid)
    return render(
        request,
        "event.html",
        {
            "principal": principal,
            "event": event,
            "revisions": revisions,
            "source_fields": next((r["source_fields"] for r in revisions if r["is_current"]), {}),
            "names": names,
            "synthetic_event": event["source"].startswith(data.SYNTHETIC_PREFIX),
            "map_data": map_data(
                {}, language(request), [p for p in [_point(event)] if p is not None], fit="points"
            ),
            "units": geojson,
            "release": release,
        },
    )


@router.get("/units/{code}")
def unit_page(request: Request, principal: UserDep, code: str) -> Response:
    """One admin-1 unit: its history, its 12-month forecast, and its neighbours."""
    require_page(principal, Action.READ_UNITS)
    fmt = Formats(language(request))
    with transaction(request.app.state.engine) as conn:
        unit = (
            conn.execute(
                select(
                    admin_units.c.code,
                    admin_units.c.country,
                    admin_units.c.name_en,
                    admin_units.c.name_ru,
                ).where(admin_units.c.code == code)
            )
            .mappings()
            .first()
        )
        if unit is None:
            raise PageNotFound
        history: dict[str, Any] | None = None
        if allows(principal.user.role, Action.READ_EVENTS):
            series = data.monthly_fatalities(
                conn, and_(visible(principal), events.c.admin1 == code), by=events.c.admin1
            ).get(code, {})
            if series:
                first, last = min(series), max(series)
                history = {
                    "labels": [fmt.month(m) for m in range(first, last + 1)],
                    "values": _series(series, first, last),
                }
        fan: list[dict[str, Any]] = []
        run = None
        if allows(principal.user.role, Action.READ_PANELS):
            run = data.latest_live(conn)
            if run is not None:
                fan = data.unit_forecast(conn, run, code)[:FORECAST_STEPS]
        near = data.neighbours(conn, code)
        unit_alerts = open_alerts(conn, principal, unit=code)
    return render(
        request,
        "unit.html",
        {
            "principal": principal,
            "alerts": unit_alerts,
            **alert_context(),
            "unit": dict(unit),
            "history": history,
            "run": run,
            "fan": fan,
            "neighbours": near,
            "chart_data": {
                "history": history,
                "fan": [
                    {"label": fmt.month(r["month_id"]), **{k: r[k] for k in FAN_KEYS}} for r in fan
                ],
            },
        },
    )
