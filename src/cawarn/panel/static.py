"""Static unit features: population from GeoNames cities and distance to the Afghan border.

Population is the sum of the populations of the GeoNames cities of 5,000 inhabitants or more
placed in the unit, exactly as the scenario places them (:mod:`cawarn.scenario.places`): for an
admin-1 unit the cities the admin-1 index puts in it, for a country the sum over its units, for a
PRIO-GRID cell the cities whose point lies in the cell. It is a proxy of settled population, 0 for
units without such a city, and unknown (NaN) for countries the GeoNames helper does not cover.

Distance to the Afghan border is measured in km from the unit's centroid to the nearest point of
Afghanistan's outline (the union of its admin-1 units): the nearest point is found in an
equirectangular frame around Afghanistan and measured with the haversine formula, an upper bound
within about 1 % in the region. It is 0 for Afghan units and NaN when Afghanistan's boundaries are
not loaded.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import shapely

from cawarn.geo.assign import haversine_km
from cawarn.geo.priogrid import gids
from cawarn.panel.units import UnitSet
from cawarn.scenario.params import SUPPORTED_COUNTRIES
from cawarn.scenario.places import build_geography

FloatArray = npt.NDArray[np.float64]

#: GeoNames cities at least this large count towards a unit's population (as in the scenario).
MIN_CITY_POPULATION = 5000


def population(units: UnitSet) -> FloatArray:
    """Population of each unit from GeoNames cities; NaN where the gazetteer is not covered."""
    out = np.full(len(units), np.nan)
    covered = [(u, g) for u, g in units.admin_units if u.country in SUPPORTED_COUNTRIES]
    if not covered:
        return out
    geo = build_geography(covered, MIN_CITY_POPULATION)
    per_unit = geo.population()
    known = {u.country for u, _ in covered}
    if units.level == "admin1":
        by_code = dict(zip(geo.codes, per_unit.tolist(), strict=True))
        for k, code in enumerate(units.codes):
            if code in by_code:
                out[k] = by_code[str(code)]
    elif units.level == "country":
        for k, country in enumerate(units.codes):
            if country in known:
                mask = np.array([c == country for c in geo.countries])
                out[k] = float(per_unit[mask].sum())
    else:
        cells = gids(geo.cities.lat, geo.cities.lon)
        totals: dict[int, float] = {}
        for cell, pop in zip(cells.tolist(), geo.cities.population.tolist(), strict=True):
            totals[cell] = totals.get(cell, 0.0) + pop
        for k, (cell, country) in enumerate(zip(units.codes, units.countries, strict=True)):
            if country in known:
                out[k] = totals.get(int(cell), 0.0)
    return out


def distance_to_afghanistan(units: UnitSet) -> FloatArray:
    """Km from each unit's centroid to Afghanistan's outline; 0 inside, NaN if unknown."""
    out = np.full(len(units), np.nan)
    afghan = [g for u, g in units.admin_units if u.country == "AFG"]
    if not afghan or not units.has_geometry:
        return out
    outline = shapely.union_all(afghan)
    xmin, ymin, xmax, ymax = outline.bounds
    lon0, cos0 = (xmin + xmax) / 2, math.cos(math.radians((ymin + ymax) / 2))

    def to_frame(xy: FloatArray) -> FloatArray:
        return np.column_stack(((xy[:, 0] - lon0) * cos0, xy[:, 1]))

    framed = shapely.transform(outline, to_frame)
    centroids = shapely.centroid(units.geoms)
    lines = shapely.shortest_line(shapely.transform(centroids, to_frame), framed)
    ends = shapely.get_coordinates(shapely.get_point(lines, 1))
    lat, lon = ends[:, 1], ends[:, 0] / cos0 + lon0
    c = shapely.get_coordinates(centroids)
    out = haversine_km(c[:, 1], c[:, 0], lat, lon)
    out[np.array([country == "AFG" for country in units.countries])] = 0.0
    return np.asarray(out, dtype=np.float64)
