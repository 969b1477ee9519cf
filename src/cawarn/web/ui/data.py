"""What the pages show, read from the store: plain queries, no web framework.

Every event query takes ``where``, the caller's visibility condition, so a page shows only the
events its reader may see; forecasts aggregate every event (like panels) and are shown only to
roles that may read panels.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import shapely
from sqlalchemy import ColumnElement, Connection, and_, desc, extract, func, select

from cawarn.forecast.models import MAIN
from cawarn.store.tables import (
    admin_units,
    batches,
    boundary_sources,
    events,
    forecast_runs,
    forecasts,
)

SYNTHETIC_PREFIX = "synthetic:"
#: The first text after every ``synthetic:...`` in sort order (":" + 1 is ";").
SYNTHETIC_END = "synthetic;"
#: Simplification of boundaries on the map, in degrees (~1 km): enough for an admin-1 choropleth.
MAP_TOLERANCE = 0.01
#: The fan chart's bands, outermost first: (low, high) quantile columns.
FAN_BANDS = (("q05", "q95"), ("q10", "q90"), ("q25", "q75"))


def month_id(day: dt.date) -> int:
    """The ViEWS month id of a date."""
    return (day.year - 1980) * 12 + day.month


def has_synthetic(conn: Connection) -> bool:
    """Whether the store holds simulated events (source ``synthetic:...``).

    Asked on every page: the few batches of synthetic sources are found first, then their
    events by the batch index, so a large store of real events is never scanned.
    """
    synthetic_batches = select(batches.c.id).where(
        batches.c.source >= SYNTHETIC_PREFIX, batches.c.source < SYNTHETIC_END
    )
    query = select(events.c.id).where(
        events.c.batch_id.in_(synthetic_batches),
        events.c.is_current,
        events.c.source.startswith(SYNTHETIC_PREFIX),
    )
    return conn.execute(query.limit(1)).first() is not None


def latest_live(conn: Connection, level: str = "admin1") -> dict[str, Any] | None:
    """The newest live forecast run of a level, with the model the pages show, or None."""
    run = (
        conn.execute(
            select(forecast_runs)
            .where(forecast_runs.c.kind == "live", forecast_runs.c.level == level)
            .order_by(forecast_runs.c.id.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    if run is None:
        return None
    models = sorted(
        conn.execute(
            select(forecasts.c.model).where(forecasts.c.run_id == run["id"]).distinct()
        ).scalars()
    )
    if not models:
        return None
    # The main model (or its first seed) when the run has it, else the first by name.
    main = [m for m in models if m == MAIN or m.startswith(f"{MAIN}#")]
    return {**dict(run), "model": (main or models)[0]}


def risk_by_unit(conn: Connection, run: dict[str, Any], step: int = 1) -> dict[str, float]:
    """P(y > 0) per unit at one step of a live run."""
    query = select(forecasts.c.unit, forecasts.c.p_positive).where(
        forecasts.c.run_id == run["id"], forecasts.c.model == run["model"], forecasts.c.step == step
    )
    return {unit: float(p) for unit, p in conn.execute(query)}


def unit_names(conn: Connection) -> dict[str, dict[str, str]]:
    """Every admin-1 unit's country and names, by code."""
    query = select(
        admin_units.c.code, admin_units.c.country, admin_units.c.name_en, admin_units.c.name_ru
    )
    return {
        row.code: {"country": row.country, "en": row.name_en, "ru": row.name_ru}
        for row in conn.execute(query)
    }


def boundaries_version(conn: Connection) -> str:
    """Changes whenever boundaries are imported (to know when a cached map is stale)."""
    value = conn.execute(select(func.max(boundary_sources.c.imported_at))).scalar()
    count = conn.execute(select(func.count()).select_from(admin_units)).scalar()
    return f"{value}/{count}"


def units_geojson(conn: Connection) -> dict[str, Any]:
    """The admin-1 units as a GeoJSON FeatureCollection, simplified for the map."""
    features = []
    query = select(
        admin_units.c.code,
        admin_units.c.country,
        admin_units.c.name_en,
        admin_units.c.name_ru,
        admin_units.c.geometry_wkb,
    ).order_by(admin_units.c.code)
    for row in conn.execute(query):
        geometry = shapely.from_wkb(row.geometry_wkb).simplify(
            MAP_TOLERANCE, preserve_topology=True
        )
        features.append(
            {
                "type": "Feature",
                "id": row.code,
                "properties": {
                    "code": row.code,
                    "country": row.country,
                    "name_en": row.name_en,
                    "name_ru": row.name_ru,
                },
                "geometry": _rounded(shapely.geometry.mapping(geometry)),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _rounded(value: Any) -> Any:
    """GeoJSON coordinates to 1e-3 degrees (~100 m), a third of the page's weight."""
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, list | tuple):
        return [_rounded(item) for item in value]
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    return value


def monthly_fatalities(
    conn: Connection, where: ColumnElement[bool], *, by: Any, since: dt.date | None = None
) -> dict[str, dict[int, int]]:
    """Fatalities (best estimate) of visible violent events per month, by a column."""
    year = extract("year", events.c.date_start)
    month = extract("month", events.c.date_start)
    query = (
        select(by, year, month, func.sum(func.coalesce(events.c.fatalities_best, 0)))
        .where(events.c.is_current, events.c.category != "protest", where)
        .group_by(by, year, month)
    )
    if since is not None:
        query = query.where(events.c.date_start >= since)
    out: dict[str, dict[int, int]] = {}
    for key, y, m, total in conn.execute(query):
        if key is None:
            continue
        out.setdefault(str(key), {})[(int(y) - 1980) * 12 + int(m)] = int(total or 0)
    return out


def last_event_day(conn: Connection, where: ColumnElement[bool]) -> dt.date | None:
    """The newest start date of a visible event."""
    value = conn.execute(
        select(func.max(events.c.date_start)).where(events.c.is_current, where)
    ).scalar()
    return value if isinstance(value, dt.date) else None


def recent_events(
    conn: Connection, where: ColumnElement[bool], columns: Any, *, since: dt.date, limit: int
) -> list[dict[str, Any]]:
    """The newest visible events since a day, newest first."""
    query = (
        select(*columns)
        .where(events.c.is_current, events.c.date_start >= since, where)
        .order_by(desc(events.c.date_start), events.c.source_event_id)
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def riskiest(
    conn: Connection, run: dict[str, Any], names: dict[str, dict[str, str]], count: int = 10
) -> list[dict[str, Any]]:
    """The units with the highest P(y > 0) at step 1, with their expected fatalities."""
    query = (
        select(forecasts.c.unit, forecasts.c.p_positive, forecasts.c.mean, forecasts.c.month_id)
        .where(
            forecasts.c.run_id == run["id"],
            forecasts.c.model == run["model"],
            forecasts.c.step == 1,
        )
        .order_by(desc(forecasts.c.p_positive), forecasts.c.unit)
        .limit(count)
    )
    return [
        {**dict(row), **names.get(row.unit, {"country": "", "en": row.unit, "ru": row.unit})}
        for row in conn.execute(query).mappings()
    ]


def unit_forecast(conn: Connection, run: dict[str, Any], code: str) -> list[dict[str, Any]]:
    """A unit's rows of a live run, by step."""
    query = (
        select(forecasts)
        .where(
            forecasts.c.run_id == run["id"],
            forecasts.c.model == run["model"],
            forecasts.c.unit == code,
        )
        .order_by(forecasts.c.step)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def neighbours(conn: Connection, code: str) -> list[dict[str, str]]:
    """The admin-1 units that share a border with one (across countries too)."""
    rows = {
        row.code: row
        for row in conn.execute(
            select(
                admin_units.c.code,
                admin_units.c.country,
                admin_units.c.name_en,
                admin_units.c.name_ru,
                admin_units.c.geometry_wkb,
            )
        )
    }
    if code not in rows:
        return []
    # Boundaries of neighbouring countries rarely meet exactly; a ~1 km margin finds them.
    shape = shapely.from_wkb(rows[code].geometry_wkb).buffer(0.01)
    codes = [other for other in rows if other != code]
    geometries = [shapely.from_wkb(rows[other].geometry_wkb) for other in codes]
    tree = shapely.STRtree(geometries)
    found = tree.query(shape, predicate="intersects")
    return sorted(
        (
            {
                "code": codes[i],
                "country": rows[codes[i]].country,
                "en": rows[codes[i]].name_en,
                "ru": rows[codes[i]].name_ru,
            }
            for i in found
        ),
        key=lambda unit: (unit["country"], unit["en"]),
    )


def event_filter_where(
    *, country: str | None, admin1: str | None, category: str | None, source: str | None
) -> ColumnElement[bool]:
    """Conditions for the events explorer's single-choice filters."""
    parts: list[ColumnElement[bool]] = [events.c.is_current]
    if country:
        parts.append(events.c.country == country)
    if admin1:
        parts.append(events.c.admin1 == admin1)
    if category:
        parts.append(events.c.category == category)
    if source:
        parts.append(events.c.source == source)
    return and_(*parts)
