"""Boundaries in the store: admin-1 units with their geometry, names and attribution."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import shapely
from sqlalchemy import Connection, delete, func, insert, select

from cawarn.domain import AdminUnit, BoundarySource
from cawarn.store.tables import admin_units, boundary_sources


@dataclass(frozen=True, slots=True)
class StoredBoundary:
    """One country's boundary set as the store holds it."""

    source: BoundarySource
    location: str
    units: int
    warnings: list[str]
    imported_at: dt.datetime


def replace_country_boundaries(
    conn: Connection,
    source: BoundarySource,
    units: Iterable[tuple[AdminUnit, Any]],
    outline: Any,
    *,
    location: str,
    warnings: list[str],
) -> int:
    """Replace one country's admin-1 units (a re-import is not an addition); returns the count."""
    conn.execute(delete(admin_units).where(admin_units.c.country == source.country))
    conn.execute(delete(boundary_sources).where(boundary_sources.c.country == source.country))
    conn.execute(
        insert(boundary_sources),
        {
            "country": source.country,
            "level": source.level,
            "source": source.source,
            "year": source.year,
            "licence": source.licence,
            "licence_url": source.licence_url,
            "original_source": source.original_source,
            "build_date": source.build_date,
            "location": location,
            "warnings": warnings,
            "outline_wkb": shapely.to_wkb(outline),
            "imported_at": dt.datetime.now(dt.UTC),
        },
    )
    rows = [
        {
            "code": unit.code,
            "country": unit.country,
            "name_en": unit.name_en,
            "name_ru": unit.name_ru,
            "source_name": unit.source_name,
            "geometry_wkb": shapely.to_wkb(geometry),
        }
        for unit, geometry in units
    ]
    if rows:
        conn.execute(insert(admin_units), rows)
    return len(rows)


def load_units(
    conn: Connection, countries: Iterable[str] | None = None
) -> list[tuple[AdminUnit, Any]]:
    """Admin-1 units with their shapely geometry, ordered by country and code."""
    query = select(admin_units).order_by(admin_units.c.country, admin_units.c.code)
    if countries is not None:
        query = query.where(admin_units.c.country.in_(list(countries)))
    result = []
    for row in conn.execute(query):
        unit = AdminUnit(row.code, row.country, row.name_en, row.name_ru, row.source_name)
        result.append((unit, shapely.from_wkb(row.geometry_wkb)))
    return result


def list_units(conn: Connection, country: str | None = None) -> list[AdminUnit]:
    """Admin-1 units without geometry, for listings."""
    query = select(
        admin_units.c.code,
        admin_units.c.country,
        admin_units.c.name_en,
        admin_units.c.name_ru,
        admin_units.c.source_name,
    ).order_by(admin_units.c.country, admin_units.c.code)
    if country:
        query = query.where(admin_units.c.country == country)
    return [AdminUnit(*row) for row in conn.execute(query)]


def list_boundaries(conn: Connection) -> list[StoredBoundary]:
    """Every loaded boundary set with its attribution."""
    per_country: dict[str, int] = {
        country: count
        for country, count in conn.execute(
            select(admin_units.c.country, func.count()).group_by(admin_units.c.country)
        )
    }
    result = []
    for row in conn.execute(select(boundary_sources).order_by(boundary_sources.c.country)):
        source = BoundarySource(
            country=row.country,
            level=row.level,
            source=row.source,
            year=row.year,
            licence=row.licence,
            licence_url=row.licence_url,
            original_source=row.original_source,
            build_date=row.build_date,
        )
        result.append(
            StoredBoundary(
                source, row.location, per_country.get(row.country, 0), row.warnings, row.imported_at
            )
        )
    return result
