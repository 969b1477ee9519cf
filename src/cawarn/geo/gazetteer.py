"""The GeoNames gazetteer: place names in English and Russian, for finding where a report is.

GeoNames (https://www.geonames.org, CC BY 4.0) publishes one tab-separated file per country at
``{base}/{CC}.zip``, 19 columns without a header: geonameid, name, asciiname, alternatenames
(comma-separated, Cyrillic spellings among them), latitude, longitude, feature class, feature
code, country code, cc2, admin1 code, admin2, admin3, admin4, population, elevation, dem,
timezone, modification date. Only populated places (class P) and administrative areas (class A)
of the node's region are kept. Every spelling is stored lower-cased, so a prefix search works
the same in English and Russian on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Connection, delete, insert, select

from cawarn.domain import InputError
from cawarn.store.schema_reports import gazetteer, gazetteer_imports, gazetteer_terms

DEFAULT_BASE = "https://download.geonames.org/export/dump"
ATTRIBUTION = "GeoNames (https://www.geonames.org), CC BY 4.0"
COLUMNS = 19
KEPT_CLASSES = frozenset({"P", "A"})
#: The countries the default region's gazetteer needs, by the ISO 3166-1 codes GeoNames uses.
ISO2_TO_ISO3 = {
    "AF": "AFG",
    "CN": "CHN",
    "IR": "IRN",
    "KG": "KGZ",
    "KZ": "KAZ",
    "PK": "PAK",
    "RU": "RUS",
    "TJ": "TJK",
    "TM": "TKM",
    "UZ": "UZB",
}
ISO3_TO_ISO2 = {iso3: iso2 for iso2, iso3 in ISO2_TO_ISO3.items()}
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_OFFLINE_HINT = (
    "on a node without internet, copy the GeoNames files over and run "
    "`cawarn geo gazetteer import FILE`"
)
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Place:
    """One GeoNames row, as much of it as the gazetteer keeps."""

    geonameid: int
    name: str
    ascii_name: str
    alternates: tuple[str, ...]
    latitude: float
    longitude: float
    feature_class: str
    feature_code: str
    country_iso2: str
    admin1_code: str
    population: int
    modified: str

    @property
    def name_ru(self) -> str | None:
        """The first Cyrillic spelling GeoNames lists (its dumps do not tag languages)."""
        return next((name for name in self.alternates if _CYRILLIC.search(name)), None)

    @property
    def terms(self) -> set[str]:
        """Every spelling, lower-cased and trimmed to the column's width."""
        names = (self.name, self.ascii_name, *self.alternates)
        return {term[:200] for name in names if (term := name.strip().lower())}


def parse_line(line: str, number: int, location: str) -> Place:
    """One row of a GeoNames dump; :class:`InputError` says which row is wrong and how."""
    fields = line.rstrip("\r\n").split("\t")
    if len(fields) != COLUMNS:
        raise InputError(
            f"{location} line {number} has {len(fields)} tab-separated columns, not the "
            f"{COLUMNS} of a GeoNames dump; give a {{CC}}.txt or {{CC}}.zip from "
            f"{DEFAULT_BASE}."
        )
    try:
        return Place(
            geonameid=int(fields[0]),
            name=fields[1],
            ascii_name=fields[2],
            alternates=tuple(n.strip() for n in fields[3].split(",") if n.strip()),
            latitude=float(fields[4]),
            longitude=float(fields[5]),
            feature_class=fields[6],
            feature_code=fields[7],
            country_iso2=fields[8].upper(),
            admin1_code=fields[10],
            population=int(fields[14] or 0),
            modified=fields[18],
        )
    except ValueError as err:
        raise InputError(f"{location} line {number} is not a GeoNames row ({err}).") from None


def read_places(path: Path) -> Iterator[Place]:
    """The rows of a GeoNames ``.txt``, or of the ``.txt`` files inside a ``.zip``."""
    if not path.is_file():
        raise InputError(f"There is no file {path}; give a GeoNames {{CC}}.txt or {{CC}}.zip.")
    if path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                members = [
                    m
                    for m in archive.namelist()
                    if m.lower().endswith(".txt") and "readme" not in m.lower()
                ]
                if not members:
                    raise InputError(f"{path} holds no GeoNames .txt file.")
                for member in members:
                    with archive.open(member) as raw:
                        text = io.TextIOWrapper(raw, encoding="utf-8")
                        yield from _parse(text, f"{path}:{member}")
        except zipfile.BadZipFile:
            raise InputError(f"{path} is not a readable zip file.") from None
        return
    with path.open(encoding="utf-8") as handle:
        yield from _parse(handle, str(path))


def _parse(lines: Iterable[str], location: str) -> Iterator[Place]:
    try:
        for number, line in enumerate(lines, start=1):
            if line.strip() and not line.startswith("#"):
                yield parse_line(line, number, location)
    except UnicodeDecodeError:
        raise InputError(f"{location} is not UTF-8 text, as GeoNames dumps are.") from None


@dataclass
class ImportResult:
    """What an import stored: places per country (ISO3), and rows left out."""

    places: dict[str, int]
    other_classes: int = 0
    outside_region: int = 0


def import_places(
    conn: Connection,
    places: Iterable[Place],
    *,
    region: Sequence[str],
    location: str,
    now: dt.datetime | None = None,
) -> ImportResult:
    """Store the region's populated places and admin areas; replaces each country it holds."""
    region_set = set(region)
    result = ImportResult(places={})
    rows: dict[str, list[Place]] = {}
    for place in places:
        if place.feature_class not in KEPT_CLASSES:
            result.other_classes += 1
            continue
        iso3 = ISO2_TO_ISO3.get(place.country_iso2)
        if iso3 is None or iso3 not in region_set:
            result.outside_region += 1
            continue
        rows.setdefault(iso3, []).append(place)
    if not rows:
        raise InputError(
            f"{location} holds no populated place or administrative area of the node's region "
            f"({', '.join(region)}); check that it is the GeoNames file of one of its countries."
        )
    stamp = now or dt.datetime.now(dt.UTC)
    for iso3, kept in sorted(rows.items()):
        old = select(gazetteer.c.geonameid).where(gazetteer.c.country == iso3)
        conn.execute(delete(gazetteer_terms).where(gazetteer_terms.c.geonameid.in_(old)))
        conn.execute(delete(gazetteer).where(gazetteer.c.country == iso3))
        conn.execute(delete(gazetteer_imports).where(gazetteer_imports.c.country == iso3))
        unique = {place.geonameid: place for place in kept}
        for chunk in _chunks(list(unique.values()), 5000):
            conn.execute(insert(gazetteer), [_row(place, iso3) for place in chunk])
            terms = [{"term": t, "geonameid": p.geonameid} for p in chunk for t in p.terms]
            conn.execute(insert(gazetteer_terms), terms)
        conn.execute(
            insert(gazetteer_imports),
            {"country": iso3, "location": location, "places": len(unique), "imported_at": stamp},
        )
        result.places[iso3] = len(unique)
    return result


def _row(place: Place, iso3: str) -> dict[str, Any]:
    return {
        "geonameid": place.geonameid,
        "name": place.name,
        "name_ru": place.name_ru,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "feature_class": place.feature_class,
        "feature_code": place.feature_code,
        "country": iso3,
        "admin1_code": place.admin1_code or None,
        "population": place.population,
        "modified": place.modified or None,
    }


def _chunks(items: list[Place], size: int) -> Iterator[list[Place]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True, slots=True)
class Match:
    """A place found by name."""

    geonameid: int
    name: str
    name_ru: str | None
    latitude: float
    longitude: float
    feature_class: str
    feature_code: str
    country: str
    population: int


def search(conn: Connection, query: str, *, region: Sequence[str], limit: int = 10) -> list[Match]:
    """Places of the region whose name in any language starts with ``query`` (any case).

    An exact name comes first, then populated places before admin areas, then by population.
    """
    term = query.strip().lower()
    if not term or "\x00" in term:  # no name holds a NUL; PostgreSQL refuses it in a query
        return []
    pattern = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    hits = (
        select(gazetteer_terms.c.geonameid)
        .where(gazetteer_terms.c.term.like(pattern, escape="\\"))
        .distinct()
    )
    exact = set(
        conn.execute(
            select(gazetteer_terms.c.geonameid).where(gazetteer_terms.c.term == term[:200])
        ).scalars()
    )
    rows = (
        conn.execute(
            select(gazetteer)
            .where(gazetteer.c.geonameid.in_(hits), gazetteer.c.country.in_(sorted(region)))
            .order_by(
                gazetteer.c.feature_class.desc(),  # P before A
                gazetteer.c.population.desc(),
                gazetteer.c.geonameid,
            )
            .limit(max(limit * 5, 50))
        )
        .mappings()
        .all()
    )
    ranked = sorted(rows, key=lambda row: row["geonameid"] not in exact)
    return [
        Match(
            geonameid=row["geonameid"],
            name=row["name"],
            name_ru=row["name_ru"],
            latitude=row["latitude"],
            longitude=row["longitude"],
            feature_class=row["feature_class"],
            feature_code=row["feature_code"],
            country=row["country"],
            population=int(row["population"]),
        )
        for row in ranked[:limit]
    ]


def imported(conn: Connection) -> list[dict[str, Any]]:
    """What the gazetteer holds, per country."""
    rows = conn.execute(select(gazetteer_imports).order_by(gazetteer_imports.c.country))
    return [dict(row) for row in rows.mappings()]


def country_codes(countries: Sequence[str]) -> list[str]:
    """GeoNames (ISO 3166-1 alpha-2) codes from alpha-2 or alpha-3 codes, in order, once each."""
    codes: list[str] = []
    for country in countries:
        code = country.strip().upper()
        code = ISO3_TO_ISO2.get(code, code)
        if code not in ISO2_TO_ISO3:
            known = ", ".join(sorted(ISO2_TO_ISO3))
            raise InputError(f"{country!r} is not a country the gazetteer knows ({known}).")
        if code not in codes:
            codes.append(code)
    return codes


def download(
    countries: Sequence[str],
    dest: Path,
    *,
    base: str = DEFAULT_BASE,
    client: httpx.Client | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """Download ``{base}/{CC}.zip`` of each country into ``dest``; returns the files written.

    Each file is written to a temporary name and renamed, so an interrupted download leaves no
    half-written file behind.
    """
    codes = country_codes(countries)
    dest.mkdir(parents=True, exist_ok=True)
    own = client is None
    http = client if client is not None else httpx.Client(timeout=300.0, follow_redirects=True)
    written: list[Path] = []
    try:
        if progress:
            progress(0, len(codes))
        for done, code in enumerate(codes, start=1):
            url = f"{base.rstrip('/')}/{code}.zip"
            data = _get(http, url)
            if not data.startswith(b"PK"):
                raise InputError(f"{url} did not answer with a zip file; {_OFFLINE_HINT}.")
            target = dest / f"{code}.zip"
            _write_atomic(target, data)
            written.append(target)
            if progress:
                progress(done, len(codes))
    finally:
        if own:
            http.close()
    return written


def _get(client: httpx.Client, url: str) -> bytes:
    try:
        response = client.get(url, follow_redirects=True)
    except httpx.HTTPError as err:
        raise InputError(
            f"Could not download {url} ({type(err).__name__}); check the network, or "
            f"{_OFFLINE_HINT}."
        ) from None
    if response.status_code >= 400:
        raise InputError(
            f"Downloading {url} failed with HTTP {response.status_code}; check the country code "
            f"and the address, or {_OFFLINE_HINT}."
        )
    return response.content


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
