"""Read admin-1 boundaries from a folder laid out like a geoBoundaries release.

The layout is ``<root>/<ISO3>/ADM1/geoBoundaries-<ISO3>-ADM1[_simplified].geojson`` with
``geoBoundaries-<ISO3>-ADM1-metaData.json`` beside it, as in a geoBoundaries download or the
folder :func:`cawarn.geo.fetch.fetch_boundaries` writes. Where both the simplified and the full
file are present the simplified one is read. The published files have known defects (invalid
rings, split or misspelled units, codes with underscores or from older ISO 3166-2 editions, missing
codes, wrong level properties); each repair is reported as one sentence in
:attr:`CountryBoundaries.warnings`. ADM0 files are not read: the outline is the union of the
units, because geoBoundaries' ADM0 and ADM1 files often come from different sources.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from cawarn.domain import AdminUnit, BoundarySource, InputError
from cawarn.geo.names import NameEntry, NameTable, load_name_table, normalise, strip_designators

SOURCE_NAME = "geoBoundaries gbOpen"
LEVEL = "ADM1"
_FIX_HINT = (
    "download them with `cawarn geo fetch` or copy a geoBoundaries release folder "
    "(<ISO3>/ADM1/geoBoundaries-<ISO3>-ADM1_simplified.geojson) there"
)


@dataclass(frozen=True, slots=True)
class CountryBoundaries:
    """One country's admin-1 units with their geometries, provenance and repair notes."""

    country: str
    source: BoundarySource
    units: list[tuple[AdminUnit, BaseGeometry]]
    outline: BaseGeometry
    warnings: list[str] = field(default_factory=list)


def country_outline(geometries: Sequence[BaseGeometry]) -> BaseGeometry:
    """Return the union of a country's unit geometries, used as its outline."""
    return shapely.union_all(list(geometries))


def polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Repair a geometry with ``make_valid`` if needed and keep only its polygonal parts."""
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    parts = shapely.get_parts(geom)
    polys = [p for p in parts if p.geom_type in ("Polygon", "MultiPolygon") and not p.is_empty]
    if not polys:
        return shapely.Polygon()
    return polys[0] if len(polys) == 1 else shapely.union_all(polys)


def _choose_geojson(folder: Path, country: str) -> Path:
    files = sorted(folder.glob(f"geoBoundaries-{country}-{LEVEL}*.geojson"))
    if not files:
        topo = sorted(folder.glob("*.topojson"))
        if topo:
            raise InputError(
                f"{folder} holds only TopoJSON ({topo[0].name}) and cawarn reads GeoJSON: "
                f"convert it (e.g. `mapshaper {topo[0].name} -o format=geojson`) or "
                f"download the GeoJSON with `cawarn geo fetch {country}`."
            )
        raise InputError(
            f"{folder} has no geoBoundaries-{country}-{LEVEL}*.geojson file; {_FIX_HINT}."
        )
    simplified = [f for f in files if f.stem.endswith("_simplified")]
    return simplified[0] if simplified else files[0]


def _load_geojson(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(
            f"{path} is not GeoJSON (it is not valid UTF-8 JSON: {err}); "
            "replace it with the GeoJSON file of the geoBoundaries release."
        ) from err
    if isinstance(data, dict) and data.get("type") == "Topology":
        raise InputError(
            f"{path} is TopoJSON, not GeoJSON; convert it "
            "(e.g. `mapshaper in.topojson -o format=geojson`) or download the GeoJSON."
        )
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not features:
        raise InputError(
            f"{path} is not a GeoJSON FeatureCollection with features; "
            "replace it with the GeoJSON file of the geoBoundaries release."
        )
    return [f for f in features if isinstance(f, dict)]


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if not text or text.lower() in ("none", "nan", "null"):
        return None
    if text.startswith(("https//", "http//")):  # geoBoundaries metadata drops the colon
        text = text.replace("//", "://", 1)
    if text.endswith(".0") and text[:-2].isdigit():  # years written as floats: "2017.0"
        text = text[:-2]
    return text


def read_metadata(folder: Path, country: str) -> tuple[BoundarySource, list[str]]:
    """Read a geoBoundaries metaData file (release or API flavour) into a BoundarySource."""
    files = sorted(folder.glob(f"geoBoundaries-{country}-{LEVEL}*metaData.json"))
    if not files:
        files = sorted(folder.glob("*metaData.json"))
    meta: dict[str, Any] = {}
    warnings: list[str] = []
    if files:
        try:
            loaded = json.loads(files[0].read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise InputError(
                f"{files[0]} is not a valid geoBoundaries metaData JSON file."
            ) from err
        meta = loaded if isinstance(loaded, dict) else {}
    else:
        warnings.append(
            f"{country}: no geoBoundaries metaData file in {folder}; the licence and original "
            "source are unknown, record the attribution yourself"
        )
    originals: list[str] = []
    for key in ("boundarySource", "boundarySource-1", "boundarySource-2"):
        for part in (_clean(meta.get(key)) or "").split(","):
            part = part.strip()
            if part and part.lower() != "geoboundaries" and part not in originals:
                originals.append(part)
    source = BoundarySource(
        country=country,
        level=LEVEL,
        source=SOURCE_NAME,
        year=_clean(meta.get("boundaryYearRepresented")) or _clean(meta.get("boundaryYear")),
        licence=_clean(meta.get("boundaryLicense")),
        licence_url=_clean(meta.get("licenseSource")),
        original_source=", ".join(originals) or None,
        build_date=_clean(meta.get("buildDate")) or _clean(meta.get("buildUpdateDate")),
    )
    return source, warnings


def _slug(name: str) -> str:
    return normalise(name).replace(" ", "-") or "unnamed"


@dataclass(slots=True)
class _Unit:
    code: str
    entry: NameEntry | None
    source_name: str
    geoms: list[BaseGeometry] = field(default_factory=list)


def _read_features(
    country: str, features: list[dict[str, Any]], names: NameTable, path: Path
) -> tuple[dict[str, _Unit], list[str]]:
    units: dict[str, _Unit] = {}
    warnings: list[str] = []
    former: list[str] = []
    wrong_level = 0
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        name = _clean(props.get("shapeName")) or ""
        raw_code = _clean(props.get("shapeISO"))
        if any(str(props.get(k, LEVEL)).upper() != LEVEL for k in ("Level", "shapeType")):
            wrong_level += 1
        try:
            geom = shape(feature["geometry"]) if feature.get("geometry") else None
        except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.GEOSException):
            geom = None
        if geom is None or geom.is_empty:
            warnings.append(
                f"{country}: skipped feature {number} ({name}) of {path.name}: no usable geometry"
            )
            continue
        if not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            geom = polygonal(geom)
            warnings.append(f"{country}: repaired the invalid geometry of {name} ({reason})")
        else:
            geom = polygonal(geom)
        if geom.is_empty:
            warnings.append(f"{country}: skipped {name}: its geometry has no area")
            continue
        entry = names.lookup(country, name) if name else None
        if entry is None and raw_code:
            entry = names.lookup(country, raw_code)
            if entry is not None:  # codes of an older ISO edition may name another unit today
                warnings.append(
                    f"{country}: matched {name or 'an unnamed feature'} to {entry.name_en} "
                    f"by its code {raw_code} alone; check that this is the same unit"
                )
        if entry is None:
            code = f"{country}-X-{_slug(name)}"
            warnings.append(
                f"{country}: {name or 'an unnamed feature'} matches no unit of the name table; "
                f"loaded as {code} with its source name"
            )
        else:
            code = entry.code
            fixed = raw_code.upper().replace("_", "-") if raw_code else None
            if raw_code is None:
                warnings.append(f"{country}: filled the missing ISO code of {name} with {code}")
            elif fixed == code and raw_code != code:
                warnings.append(f"{country}: normalised code {raw_code} to {code}")
            elif fixed != code and fixed in entry.former_codes:
                change = f"{fixed} → {code} ({entry.name_en})"
                if change not in former:
                    former.append(change)
            elif fixed != code:
                warnings.append(f"{country}: replaced code {raw_code} of {name} by {code}")
            if (
                name
                and strip_designators(normalise(name))[0]
                != strip_designators(normalise(entry.name_en))[0]
            ):
                warnings.append(f"{country}: renamed {name} to {entry.name_en}")
        unit = units.setdefault(code, _Unit(code=code, entry=entry, source_name=name))
        unit.geoms.append(geom)
    if former:
        warnings.append(
            f"{country}: replaced {len(former)} former ISO 3166-2 codes by the codes in force: "
            + ", ".join(former)
        )
    if wrong_level:
        warnings.append(
            f"{country}: ignored a level other than {LEVEL} in the properties of "
            f"{wrong_level} features (the file is {LEVEL})"
        )
    return units, warnings


def read_country(root: Path, country: str, names: NameTable | None = None) -> CountryBoundaries:
    """Read one country's ADM1 boundaries from a geoBoundaries-style folder."""
    names = names or load_name_table()
    country = country.strip().upper()
    folder = root / country / LEVEL
    if not folder.is_dir():
        raise InputError(
            f"No {LEVEL} boundaries for {country}: {folder} does not exist; {_FIX_HINT}."
        )
    path = _choose_geojson(folder, country)
    source, warnings = read_metadata(folder, country)
    found, feature_warnings = _read_features(country, _load_geojson(path), names, path)
    warnings += feature_warnings
    units: list[tuple[AdminUnit, BaseGeometry]] = []
    for code in sorted(found):
        unit = found[code]
        geom = unit.geoms[0]
        if len(unit.geoms) > 1:
            geom = shapely.union_all(unit.geoms)
            label = unit.entry.name_en if unit.entry else unit.source_name
            warnings.append(f"{country}: merged {len(unit.geoms)} features of {label}")
        entry = unit.entry
        admin = AdminUnit(
            code=code,
            country=country,
            name_en=entry.name_en if entry else unit.source_name,
            name_ru=entry.name_ru if entry else unit.source_name,
            source_name=unit.source_name,
        )
        units.append((admin, geom))
    if not units:
        raise InputError(f"{path} holds no usable {LEVEL} polygons for {country}; {_FIX_HINT}.")
    missing = [
        e.name_en for e in names.for_country(country) if e.in_geoboundaries and e.code not in found
    ]
    if missing:
        warnings.append(f"{country}: no boundary for {', '.join(missing)}")
    outline = country_outline([g for _, g in units])
    return CountryBoundaries(country, source, units, outline, warnings)


def read_boundary_folder(
    root: Path, countries: Sequence[str], *, names: NameTable | None = None
) -> list[CountryBoundaries]:
    """Read the ADM1 boundaries of each country from a geoBoundaries-style folder."""
    if not root.is_dir():
        raise InputError(f"The boundary folder {root} does not exist; {_FIX_HINT}.")
    seen: list[str] = []
    for country in countries:
        code = country.strip().upper()
        if code not in seen:
            seen.append(code)
    return [read_country(root, country, names) for country in seen]
