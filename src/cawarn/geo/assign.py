"""Assign points to admin-1 units of their own country, snapping across small boundary gaps.

The country given with each point is authoritative (it comes from the source); the point only
picks the unit within that country. A point inside (or on the edge of) a unit gets that unit. A
point outside every unit of its country (simplified boundaries leave gaps along borders and
coasts) snaps to the nearest unit if that is within ``tolerance_km``; otherwise it gets none.

Distances are measured on the sphere: candidate units are found with a degree radius that is
never smaller than the tolerance, each candidate is clipped around the point and scaled into a
local equirectangular frame (longitude times the cosine of the point's latitude) to find the
nearest point, and the great-circle (haversine) distance to that point is reported. For points
beyond the tolerance the nearest unit is found in plain degrees, so the distance reported for
them is an upper bound (exact within a few per cent in the region).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from cawarn.domain import AdminUnit

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEG = np.pi * EARTH_RADIUS_KM / 180.0

FloatArray = npt.NDArray[np.float64]
ObjectArray = npt.NDArray[np.object_]


def haversine_km(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> FloatArray:
    """Return great-circle distances in km between points given in decimal degrees."""
    p1, l1, p2, l2 = (np.radians(np.asarray(a, dtype=np.float64)) for a in (lat1, lon1, lat2, lon2))
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))))


@dataclass(frozen=True, slots=True)
class AdminAssignment:
    """Per-point result: unit code (or None), method and distance to the unit in km."""

    code: ObjectArray  # str or None
    method: ObjectArray  # "inside", "snapped" or "none"
    distance_km: FloatArray  # 0 inside; NaN when the country has no units or the point is NaN

    def __len__(self) -> int:
        return len(self.code)


@dataclass(frozen=True, slots=True)
class _CountryIndex:
    tree: shapely.STRtree
    geoms: npt.NDArray[np.object_]
    codes: ObjectArray


class AdminIndex:
    """Spatial index of admin-1 units, one STRtree per country."""

    def __init__(self, countries: dict[str, _CountryIndex], tolerance_km: float) -> None:
        self._countries = countries
        self.tolerance_km = tolerance_km

    @classmethod
    def build(
        cls, units: Sequence[tuple[AdminUnit, BaseGeometry]], tolerance_km: float = 10.0
    ) -> AdminIndex:
        """Index units (with polygonal geometries in lon/lat degrees) for point assignment."""
        if tolerance_km < 0:
            raise ValueError("tolerance_km must not be negative")
        grouped: dict[str, list[tuple[AdminUnit, BaseGeometry]]] = {}
        for unit, geom in units:
            if geom is not None and not geom.is_empty:
                grouped.setdefault(unit.country.upper(), []).append((unit, geom))
        countries: dict[str, _CountryIndex] = {}
        for country, items in grouped.items():
            geoms = np.array([g for _, g in items], dtype=object)
            shapely.prepare(geoms)
            codes = np.array([u.code for u, _ in items], dtype=object)
            countries[country] = _CountryIndex(shapely.STRtree(geoms), geoms, codes)
        return cls(countries, tolerance_km)

    @property
    def countries(self) -> list[str]:
        """Countries (ISO3) with at least one indexed unit."""
        return sorted(self._countries)

    def assign(
        self,
        lat: npt.ArrayLike,
        lon: npt.ArrayLike,
        country: npt.ArrayLike | Sequence[str] | str,
    ) -> AdminAssignment:
        """Assign each point to a unit of its own country (ISO3); see the module docstring."""
        la = np.atleast_1d(np.asarray(lat, dtype=np.float64))
        lo = np.atleast_1d(np.asarray(lon, dtype=np.float64))
        if isinstance(country, str):
            iso = np.full(la.shape, country.strip().upper(), dtype=object)
        else:
            iso = np.array([str(c).strip().upper() for c in np.asarray(country, dtype=object)])
        if not (la.shape == lo.shape == iso.shape) or la.ndim != 1:
            raise ValueError("lat, lon and country must be one-dimensional and of equal length")
        n = la.shape[0]
        code = np.full(n, None, dtype=object)
        method = np.full(n, "none", dtype=object)
        dist = np.full(n, np.nan)
        finite = np.isfinite(la) & np.isfinite(lo) & (np.abs(la) <= 90)
        for name in np.unique(iso[finite]) if n else []:
            index = self._countries.get(str(name))
            if index is None:
                continue
            rows = np.flatnonzero(finite & (iso == name))
            self._assign_country(index, rows, la, lo, code, method, dist)
        return AdminAssignment(code, method, dist)

    def _assign_country(
        self,
        index: _CountryIndex,
        rows: npt.NDArray[np.intp],
        la: FloatArray,
        lo: FloatArray,
        code: ObjectArray,
        method: ObjectArray,
        dist: FloatArray,
    ) -> None:
        points = shapely.points(lo[rows], la[rows])
        src, hit = index.tree.query(points, predicate="intersects")
        inside = np.zeros(rows.shape[0], dtype=bool)
        if src.size:
            # On a shared border a point touches two units: keep the first unit in index order.
            order = np.lexsort((hit, src))
            first = np.unique(src[order], return_index=True)[1]
            src, hit = src[order][first], hit[order][first]
            code[rows[src]] = index.codes[hit]
            method[rows[src]] = "inside"
            dist[rows[src]] = 0.0
            inside[src] = True
        out = np.flatnonzero(~inside)
        if out.size == 0:
            return
        near = self._snap(index, la[rows[out]], lo[rows[out]], points[out])
        snapped = near[0] >= 0
        code[rows[out[snapped]]] = index.codes[near[0][snapped]]
        method[rows[out[snapped]]] = "snapped"
        dist[rows[out]] = near[1]

    def _snap(
        self, index: _CountryIndex, la: FloatArray, lo: FloatArray, points: ObjectArray
    ) -> tuple[npt.NDArray[np.intp], FloatArray]:
        """Return (unit index or -1, distance km) for points outside every unit."""
        n = la.shape[0]
        best = np.full(n, -1, dtype=np.intp)
        best_km = np.full(n, np.inf)
        tol = self.tolerance_km
        coslat = np.maximum(np.cos(np.radians(la)), 0.01)
        half_lat = np.full(n, tol * 1.05 / KM_PER_DEG)
        half_lon = tol * 1.05 / (KM_PER_DEG * coslat)
        if tol > 0:
            src, hit = index.tree.query(points, predicate="dwithin", distance=float(half_lon.max()))
            if src.size:
                km, _, _ = _local_distance(
                    index.geoms[hit], la[src], lo[src], coslat[src], half_lat[src], half_lon[src]
                )
                order = np.lexsort((hit, km, src))
                first = np.unique(src[order], return_index=True)[1]
                sel = order[first]
                ok = km[sel] <= tol
                best[src[sel][ok]] = hit[sel][ok]
                best_km[src[sel][ok]] = km[sel][ok]
        far = np.flatnonzero(best < 0)
        if far.size:
            src, hit = index.tree.query_nearest(points[far], all_matches=False)
            nearest = shapely.get_coordinates(
                shapely.get_point(shapely.shortest_line(points[far][src], index.geoms[hit]), 1)
            )
            best_km[far[src]] = haversine_km(
                la[far][src], lo[far][src], nearest[:, 1], nearest[:, 0]
            )
        return best, best_km


def _local_distance(
    geoms: npt.NDArray[np.object_],
    la: FloatArray,
    lo: FloatArray,
    coslat: FloatArray,
    half_lat: FloatArray,
    half_lon: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Distance in km from each point to its paired geometry, and the nearest point (lat, lon).

    Pairs farther than the clip box get ``inf``.
    """
    boxes = shapely.box(lo - half_lon, la - half_lat, lo + half_lon, la + half_lat)
    clipped = shapely.intersection(geoms, boxes)
    km = np.full(la.shape[0], np.inf)
    near_lat = np.full(la.shape[0], np.nan)
    near_lon = np.full(la.shape[0], np.nan)
    keep = np.flatnonzero(~shapely.is_empty(clipped))
    if keep.size == 0:
        return km, near_lat, near_lon
    local = clipped[keep]
    counts = shapely.get_num_coordinates(local)
    coords = shapely.get_coordinates(local)
    x0, y0, c = (np.repeat(a[keep], counts) for a in (lo, la, coslat))
    scaled = np.column_stack(((coords[:, 0] - x0) * c, coords[:, 1] - y0))
    local = shapely.set_coordinates(local.copy(), scaled)
    origin = shapely.points(np.zeros(keep.size), np.zeros(keep.size))
    tip = shapely.get_coordinates(shapely.get_point(shapely.shortest_line(origin, local), 1))
    near_lon[keep] = lo[keep] + tip[:, 0] / coslat[keep]
    near_lat[keep] = la[keep] + tip[:, 1]
    km[keep] = haversine_km(la[keep], lo[keep], near_lat[keep], near_lon[keep])
    return km, near_lat, near_lon
