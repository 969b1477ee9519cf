"""Assign points to admin-1 units of their own country, snapping across small boundary gaps.

The country given with each point is authoritative (it comes from the source); the point only
picks the unit within that country. A point inside (or on the edge of) a unit gets that unit. A
point outside every unit of its country (simplified boundaries leave gaps along borders and
coasts) snaps to the nearest unit if that is within ``tolerance_km``; otherwise it gets none.

Speed comes from letting the few polygons do the work. Each prepared unit polygon tests the
points inside its bounding box with ``intersects_xy``, so a point on a border counts as inside
(this measured three to ten times faster than querying an STRtree of the points, and makes no
shapely objects for the points that fall inside). For the points left outside, the distance to
the country's outline (a prepared line) rules out those that cannot be within the tolerance. The
rest are measured against the units' boundary segments found with an STRtree ``dwithin`` query,
in a local equirectangular frame around each point (longitude scaled by the cosine of its
latitude), exact to well under 0.1 % at tens of km; the nearest point so found is then measured
with the haversine formula. For points beyond the tolerance the nearest point is searched in one
equirectangular frame per country (centred on its middle latitude); the haversine distance to it
is an upper bound, within about 1 % at 200 km in this region.
"""

from __future__ import annotations

import math
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
    geoms: ObjectArray  # prepared unit polygons
    bounds: FloatArray  # (k, 4) bounding boxes of the units
    codes: ObjectArray
    outline: BaseGeometry  # prepared boundary of the union of the units, in the country frame
    lon0: float  # the country frame: x = (lon - lon0) * cos0, y = lat
    cos0: float
    segments: shapely.STRtree  # every boundary segment of every unit
    seg_xy: FloatArray  # (m, 4): x1, y1, x2, y2 in degrees
    seg_unit: npt.NDArray[np.intp]


def _to_frame(xy: FloatArray, lon0: float, cos0: float) -> FloatArray:
    return np.column_stack(((xy[:, 0] - lon0) * cos0, xy[:, 1]))


def _segments(geoms: ObjectArray) -> tuple[FloatArray, npt.NDArray[np.intp]]:
    """Split every ring of every polygon into its segments, with the unit each belongs to."""
    parts, part_unit = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    same = coord_ring[:-1] == coord_ring[1:]
    xy = np.column_stack((coords[:-1][same], coords[1:][same]))
    return xy, part_unit[ring_part[coord_ring[:-1][same]]]


class AdminIndex:
    """Spatial index of admin-1 units, one per country."""

    def __init__(self, countries: dict[str, _CountryIndex], tolerance_km: float) -> None:
        self._countries = countries
        self.tolerance_km = tolerance_km

    @classmethod
    def build(
        cls, units: Sequence[tuple[AdminUnit, BaseGeometry]], tolerance_km: float = 10.0
    ) -> AdminIndex:
        """Index units (with polygonal geometries in lon/lat degrees) for point assignment."""
        if not tolerance_km >= 0:
            raise ValueError("tolerance_km must be zero or more")
        grouped: dict[str, list[tuple[AdminUnit, BaseGeometry]]] = {}
        for unit, geom in units:
            if geom is not None and not geom.is_empty:
                grouped.setdefault(unit.country.upper(), []).append((unit, geom))
        countries: dict[str, _CountryIndex] = {}
        for country, items in grouped.items():
            geoms = np.array([g for _, g in items], dtype=object)
            shapely.prepare(geoms)
            outline = shapely.union_all(geoms).boundary
            xmin, ymin, xmax, ymax = outline.bounds
            lon0, cos0 = (xmin + xmax) / 2, math.cos(math.radians((ymin + ymax) / 2))
            outline = shapely.transform(
                outline, lambda xy, lon0=lon0, cos0=cos0: _to_frame(xy, lon0, cos0)
            )
            shapely.prepare(outline)
            seg_xy, seg_unit = _segments(geoms)
            lines = shapely.linestrings(seg_xy.reshape(-1, 2, 2))
            countries[country] = _CountryIndex(
                geoms=geoms,
                bounds=shapely.bounds(geoms),
                codes=np.array([u.code for u, _ in items], dtype=object),
                outline=outline,
                lon0=lon0,
                cos0=cos0,
                segments=shapely.STRtree(lines),
                seg_xy=seg_xy,
                seg_unit=seg_unit,
            )
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
        given = np.full(la.shape, country) if isinstance(country, str) else np.asarray(country)
        if not (la.shape == lo.shape == given.shape) or la.ndim != 1:
            raise ValueError("lat, lon and country must be one-dimensional and of equal length")
        n = len(la)
        result = AdminAssignment(
            code=np.full(n, None, dtype=object),
            method=np.full(n, "none", dtype=object),
            distance_km=np.full(n, np.nan),
        )
        if n == 0:
            return result
        # Normalise each distinct country value once, not once per point.
        values, group = np.unique(given.astype(str), return_inverse=True)
        finite = np.isfinite(la) & np.isfinite(lo) & (np.abs(la) <= 90)
        for k, value in enumerate(values.tolist()):
            index = self._countries.get(value.strip().upper())
            if index is not None:
                rows = np.flatnonzero(finite & (group == k))
                if rows.size:
                    self._assign_country(index, rows, la[rows], lo[rows], result)
        return result

    def _assign_country(
        self,
        index: _CountryIndex,
        rows: npt.NDArray[np.intp],
        la: FloatArray,
        lo: FloatArray,
        result: AdminAssignment,
    ) -> None:
        inside = np.zeros(rows.shape[0], dtype=bool)
        for k, (geom, box) in enumerate(zip(index.geoms, index.bounds, strict=True)):
            # A bounding-box test in numpy, then the prepared polygon on what is left. A point
            # on a shared border touches two units: the first unit in index order keeps it.
            cand = np.flatnonzero(
                (lo >= box[0]) & (lo <= box[2]) & (la >= box[1]) & (la <= box[3]) & ~inside
            )
            if cand.size:
                hit = cand[shapely.intersects_xy(geom, lo[cand], la[cand])]
                inside[hit] = True
                result.code[rows[hit]] = index.codes[k]
        result.method[rows[inside]] = "inside"
        result.distance_km[rows[inside]] = 0.0
        out = np.flatnonzero(~inside)
        if out.size == 0:
            return
        # Distance to the outline in the country frame: the nearest point it finds gives the
        # distance reported beyond the tolerance, and a lower bound (the frame's x scale against
        # the smallest cosine the path could span) rules out points that cannot snap.
        x = (lo[out] - index.lon0) * index.cos0
        line = shapely.shortest_line(index.outline, shapely.points(x, la[out]))
        tip = shapely.get_coordinates(shapely.get_point(line, 0))
        frame = np.hypot(tip[:, 0] - x, tip[:, 1] - la[out])
        tip_lon = tip[:, 0] / index.cos0 + index.lon0
        result.distance_km[rows[out]] = haversine_km(la[out], lo[out], tip[:, 1], tip_lon)
        lowest_cos = np.cos(np.radians(np.minimum(np.abs(la[out]) + frame, 90.0)))
        shrink = np.minimum(1.0, lowest_cos / index.cos0)
        near = out[frame * KM_PER_DEG * shrink <= self.tolerance_km * 1.01]
        if near.size == 0:
            return
        seg, km = self._nearest_segment(
            index, la[near], lo[near], shapely.points(lo[near], la[near])
        )
        found = seg >= 0
        result.distance_km[rows[near[found]]] = km[found]
        snap = found & (km <= self.tolerance_km)
        result.code[rows[near[snap]]] = index.codes[index.seg_unit[seg[snap]]]
        result.method[rows[near[snap]]] = "snapped"

    def _nearest_segment(
        self, index: _CountryIndex, la: FloatArray, lo: FloatArray, points: ObjectArray
    ) -> tuple[npt.NDArray[np.intp], FloatArray]:
        """Return the nearest boundary segment (or -1) of each point and its distance in km."""
        coslat = np.maximum(np.cos(np.radians(np.abs(la) + 1.0)), 0.01)
        radius = self.tolerance_km * 1.01 / (KM_PER_DEG * float(coslat.min()))
        src, seg = index.segments.query(points, predicate="dwithin", distance=radius)
        best = np.full(la.shape[0], -1, dtype=np.intp)
        best_km = np.full(la.shape[0], np.inf)
        if src.size == 0:
            return best, best_km
        c = np.cos(np.radians(la[src]))
        x1, y1, x2, y2 = index.seg_xy[seg].T
        # Local equirectangular frame around each point: x scaled by the cosine of its latitude.
        ax, ay = (x1 - lo[src]) * c, y1 - la[src]
        bx, by = (x2 - lo[src]) * c, y2 - la[src]
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where(length2 > 0, -(ax * dx + ay * dy) / length2, 0.0)
        t = np.clip(t, 0.0, 1.0)
        px, py = ax + t * dx, ay + t * dy
        local = np.hypot(px, py)
        order = np.lexsort((seg, local, src))
        first = order[np.unique(src[order], return_index=True)[1]]
        near_lon = lo[src[first]] + px[first] / c[first]
        near_lat = la[src[first]] + py[first]
        best[src[first]] = seg[first]
        best_km[src[first]] = haversine_km(la[src[first]], lo[src[first]], near_lat, near_lon)
        return best, best_km
