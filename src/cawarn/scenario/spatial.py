"""Where events happen inside their unit, with the exact probability of each PRIO-GRID cell.

Each unit is cut into *pieces*: its intersections with the PRIO-GRID 0.5° cells (minus any overlap
with another unit of the same country, so that a point is assigned back to its own unit). An event
of unit u first picks a piece p with probability ``w[p]``, a mixture of area and nearness to the
unit's cities:

    w[p] = (1 - city_share) * a[p] / sum(a) + city_share * sum_j s_j * k[j, p] / sum_q k[j, q]
    k[j, p] = a[p] * exp(-d(j, p)^2 / (2 * city_kernel_km^2))

with ``a[p]`` the piece's area in km², ``s_j`` city j's share of the unit's city population and
``d(j, p)`` the distance from city j to the piece's centroid. Then a point inside the piece: with
probability ``city_share``, if cities lie in the piece, near one of them (population-weighted,
Gaussian with ``local_kernel_km``), otherwise uniform over the piece (through its constrained
Delaunay triangles). Coordinates are rounded to the 4 decimals written to the CSV and redrawn until
the rounded point lies strictly inside the piece, so the written point is inside its unit and
its PRIO-GRID cell is the piece's cell.

Because the cell is drawn first, the probability that an event of u falls in cell c is exactly
the sum of ``w`` over u's pieces in c: the PRIO-GRID truth is exact, not a Monte Carlo estimate.
Pieces smaller than ``min_piece_km2`` (slivers along borders) are left out of the support.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from cawarn.geo.assign import KM_PER_DEG, haversine_km
from cawarn.geo.priogrid import CELL_DEG, N_COLS, gids
from cawarn.scenario.params import ScenarioParams
from cawarn.scenario.places import Geography

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

MAX_ROUNDS = 60
CITY_ROUNDS = 20  # after this many misses a near-city draw falls back to a uniform one
MIN_WIDTH_DEG = 5e-4  # twice area over perimeter; thinner slivers hold too few 4-decimal points


def _grouped_cum(group: IntArray, weight: FloatArray) -> FloatArray:
    """``group + cumulative share within the group``, last entry of each group exactly group + 1.

    ``group`` must be sorted; each group's rows are contiguous.
    """
    if np.any(np.diff(group) < 0):
        raise ValueError("groups must be sorted")
    cum = np.zeros(len(weight))
    bounds = np.flatnonzero(np.diff(group)) + 1
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(group)], strict=True):
        part = np.cumsum(weight[lo:hi])
        part = part / part[-1]
        part[-1] = 1.0
        cum[lo:hi] = group[lo] + part
    return cum


def _pick(cum: FloatArray, group: IntArray, u: FloatArray) -> IntArray:
    """Draw one row of each group's block from a uniform number per draw."""
    return np.searchsorted(cum, group + u, side="right").astype(np.int64)


@dataclass(frozen=True, slots=True)
class Spatial:
    """Pieces of units by PRIO-GRID cell, their weights and what is needed to draw points."""

    piece_unit: IntArray
    piece_cell: IntArray  # PRIO-GRID gid
    piece_geom: npt.NDArray[np.object_]
    piece_cum: FloatArray
    piece_ref_city: IntArray  # nearest city of the unit to the piece's centroid, -1 if none
    piece_city_count: IntArray
    tri_cum: FloatArray
    tri_xy: FloatArray  # (T, 6): x0, y0, x1, y1, x2, y2
    pc_cum: FloatArray  # cities inside pieces, ordered by piece
    pc_city: IntArray
    cells: IntArray  # every cell that intersects a unit, sorted
    cell_country: list[str]  # the country with most area in the cell

    @property
    def piece_weight(self) -> FloatArray:
        """Probability of each piece within its unit, exactly as the sampler uses it."""
        low = np.concatenate(([0.0], self.piece_cum[:-1]))
        first = np.concatenate(([True], self.piece_unit[1:] != self.piece_unit[:-1]))
        low[first] = self.piece_unit[first]
        return np.asarray(self.piece_cum - low)


def _unit_pieces(
    geography: Geography, u: int, tree: shapely.STRtree
) -> tuple[npt.NDArray[np.object_], IntArray, IntArray]:
    """Pieces of unit u (cell intersections, own-country overlaps removed) and all its cells."""
    geom = geography.geoms[u]
    countries = geography.countries
    region = geom
    others = [
        int(v)
        for v in tree.query(geom, predicate="intersects")
        if v != u and countries[v] == countries[u]
    ]
    if others:
        region = shapely.difference(geom, shapely.union_all(geography.geoms[others]))
    xmin, ymin, xmax, ymax = geom.bounds
    rows = np.arange(
        int(np.floor((ymin + 90) / CELL_DEG)), int(np.floor((ymax + 90) / CELL_DEG)) + 1
    )
    cols = np.arange(
        int(np.floor((xmin + 180) / CELL_DEG)), int(np.floor((xmax + 180) / CELL_DEG)) + 1
    )
    rr, cc = (a.ravel() for a in np.meshgrid(rows, cols, indexing="ij"))
    boxes = shapely.box(
        cc * CELL_DEG - 180, rr * CELL_DEG - 90, (cc + 1) * CELL_DEG - 180, (rr + 1) * CELL_DEG - 90
    )
    touched = shapely.intersects(geom, boxes) & ~shapely.touches(geom, boxes)
    cell_ids = (rr * N_COLS + cc + 1).astype(np.int64)
    pieces = shapely.intersection(region, boxes[touched])
    pieces = np.array([_polygonal(p) for p in pieces], dtype=object)
    nonempty = ~shapely.is_empty(pieces)
    return pieces[nonempty], cell_ids[touched][nonempty], cell_ids[touched]


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty]
    if not parts:
        return shapely.Polygon()
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def _area_km2(geoms: npt.NDArray[np.object_]) -> tuple[FloatArray, FloatArray, FloatArray]:
    centroid = shapely.get_coordinates(shapely.centroid(geoms))
    lat = centroid[:, 1]
    area = shapely.area(geoms) * KM_PER_DEG**2 * np.cos(np.radians(lat))
    return area, lat, centroid[:, 0]


def build_spatial(geography: Geography, params: ScenarioParams) -> Spatial:
    """Cut the units into PRIO-GRID pieces and compute the exact piece weights."""
    tree = shapely.STRtree(geography.geoms)
    cities = geography.cities
    unit_l: list[IntArray] = []
    cell_l: list[IntArray] = []
    geom_l: list[npt.NDArray[np.object_]] = []
    weight_l: list[FloatArray] = []
    ref_l: list[IntArray] = []
    touched: dict[int, dict[str, float]] = {}
    for u in range(len(geography)):
        pieces, cells, all_cells = _unit_pieces(geography, u, tree)
        area, lat, lon = _area_km2(pieces) if len(pieces) else (np.zeros(0),) * 3
        country = geography.countries[u]
        for cell in all_cells.tolist():
            touched.setdefault(cell, {}).setdefault(country, 0.0)
        for cell, a in zip(cells.tolist(), area.tolist(), strict=True):
            touched[cell][country] += a
        perimeter = shapely.length(pieces) * KM_PER_DEG if len(pieces) else np.zeros(0)
        width_deg = 2 * area / np.maximum(perimeter, 1e-12) / KM_PER_DEG
        keep = (area >= params.min_piece_km2) & (width_deg >= MIN_WIDTH_DEG)
        if not keep.any():  # a tiny unit: keep its largest piece
            keep = area == area.max()
        pieces, cells, area, lat, lon = pieces[keep], cells[keep], area[keep], lat[keep], lon[keep]
        weight = area / area.sum()
        mine = np.flatnonzero(cities.unit == u)
        ref = np.full(len(pieces), -1, dtype=np.int64)
        if mine.size:
            dist = haversine_km(
                lat[None, :], lon[None, :], cities.lat[mine, None], cities.lon[mine, None]
            )
            kern = area[None, :] * np.exp(-0.5 * (dist / params.city_kernel_km) ** 2)
            sums = kern.sum(axis=1)
            nearest = np.argmin(dist, axis=1)
            for j in np.flatnonzero(sums <= 0):  # far beyond the kernel: the nearest piece
                kern[j, nearest[j]] = 1.0
            kern = kern / kern.sum(axis=1, keepdims=True)
            pop = cities.population[mine] / cities.population[mine].sum()
            weight = (1 - params.city_share) * weight + params.city_share * (pop @ kern)
            ref = mine[np.argmin(dist, axis=0)].astype(np.int64)
        unit_l.append(np.full(len(pieces), u, dtype=np.int64))
        cell_l.append(cells)
        geom_l.append(pieces)
        weight_l.append(weight)
        ref_l.append(ref)
    piece_unit = np.concatenate(unit_l)
    piece_geom = np.concatenate(geom_l)
    shapely.prepare(piece_geom)
    return _finish(
        geography,
        piece_unit,
        np.concatenate(cell_l),
        piece_geom,
        np.concatenate(weight_l),
        np.concatenate(ref_l),
        touched,
    )


def _finish(
    geography: Geography,
    piece_unit: IntArray,
    piece_cell: IntArray,
    piece_geom: npt.NDArray[np.object_],
    weight: FloatArray,
    ref: IntArray,
    touched: dict[int, dict[str, float]],
) -> Spatial:
    n_pieces = len(piece_unit)
    piece_cum = _grouped_cum(piece_unit, weight)
    # Triangles of each piece, for uniform draws.
    triangles, tri_piece = shapely.get_parts(
        shapely.constrained_delaunay_triangles(piece_geom), return_index=True
    )
    xy = shapely.get_coordinates(shapely.get_exterior_ring(triangles)).reshape(-1, 4, 2)[:, :3]
    tri_xy = xy.reshape(-1, 6)
    tri_area = np.abs(
        (xy[:, 1, 0] - xy[:, 0, 0]) * (xy[:, 2, 1] - xy[:, 0, 1])
        - (xy[:, 2, 0] - xy[:, 0, 0]) * (xy[:, 1, 1] - xy[:, 0, 1])
    )
    ok = tri_area > 0
    tri_piece, tri_xy, tri_area = tri_piece[ok].astype(np.int64), tri_xy[ok], tri_area[ok]
    if np.unique(tri_piece).size != n_pieces:
        raise RuntimeError("a scenario piece has no triangle to draw points from")
    # Cities inside pieces, for near-city draws.
    cities = geography.cities
    pc_piece: list[int] = []
    pc_city: list[int] = []
    for city in range(len(cities)):
        rows = np.flatnonzero(piece_unit == cities.unit[city])
        inside = shapely.contains_xy(piece_geom[rows], cities.lon[city], cities.lat[city])
        if inside.any():
            pc_piece.append(int(rows[np.argmax(inside)]))
            pc_city.append(city)
    order = np.argsort(np.array(pc_piece, dtype=np.int64), kind="stable")
    pcp = np.array(pc_piece, dtype=np.int64)[order]
    pcc = np.array(pc_city, dtype=np.int64)[order]
    cells = np.array(sorted(touched), dtype=np.int64)
    return Spatial(
        piece_unit=piece_unit,
        piece_cell=piece_cell,
        piece_geom=piece_geom,
        piece_cum=piece_cum,
        piece_ref_city=ref,
        piece_city_count=np.bincount(pcp, minlength=n_pieces).astype(np.int64),
        tri_cum=_grouped_cum(tri_piece, tri_area),
        tri_xy=tri_xy,
        pc_cum=_grouped_cum(pcp, cities.population[pcc]) if pcc.size else np.zeros(0),
        pc_city=pcc,
        cells=cells,
        cell_country=[max(sorted(touched[c]), key=lambda k: touched[c][k]) for c in cells.tolist()],
    )


@dataclass(frozen=True, slots=True)
class Places:
    """Drawn places of events: rounded coordinates, cell, piece and how the point was drawn."""

    lat: FloatArray
    lon: FloatArray
    cell: IntArray
    piece: IntArray
    city: IntArray  # the city drawn near, or -1 for a uniform draw


def draw_places(
    spatial: Spatial,
    geography: Geography,
    unit: IntArray,
    rng: np.random.Generator,
    params: ScenarioParams,
) -> Places:
    """Draw one place per event of the given units (vectorised, rejection in batches)."""
    n = len(unit)
    piece = _pick(spatial.piece_cum, unit, rng.random(n))
    near = (rng.random(n) < params.city_share) & (spatial.piece_city_count[piece] > 0)
    city = np.full(n, -1, dtype=np.int64)
    rows = np.flatnonzero(near)
    if rows.size:
        city[rows] = spatial.pc_city[_pick(spatial.pc_cum, piece[rows], rng.random(rows.size))]
    lat = np.zeros(n)
    lon = np.zeros(n)
    todo = np.arange(n)
    for round_no in range(MAX_ROUNDS):
        if round_no == CITY_ROUNDS:
            city[todo] = -1
        lat[todo], lon[todo] = _candidates(spatial, geography, piece[todo], city[todo], rng, params)
        ok = shapely.contains_xy(spatial.piece_geom[piece[todo]], lon[todo], lat[todo])
        ok &= gids(lat[todo], lon[todo]) == spatial.piece_cell[piece[todo]]
        todo = todo[~ok]
        if todo.size == 0:
            return Places(lat=lat, lon=lon, cell=spatial.piece_cell[piece], piece=piece, city=city)
    raise RuntimeError(f"could not place {todo.size} events inside their pieces")


def _candidates(
    spatial: Spatial,
    geography: Geography,
    piece: IntArray,
    city: IntArray,
    rng: np.random.Generator,
    params: ScenarioParams,
) -> tuple[FloatArray, FloatArray]:
    n = len(piece)
    tri = _pick(spatial.tri_cum, piece, rng.random(n))
    r1, r2 = rng.random(n), rng.random(n)
    flip = r1 + r2 > 1
    r1[flip], r2[flip] = 1 - r1[flip], 1 - r2[flip]
    t = spatial.tri_xy[tri]
    lon = t[:, 0] + r1 * (t[:, 2] - t[:, 0]) + r2 * (t[:, 4] - t[:, 0])
    lat = t[:, 1] + r1 * (t[:, 3] - t[:, 1]) + r2 * (t[:, 5] - t[:, 1])
    dy, dx = rng.standard_normal(n), rng.standard_normal(n)
    near = city >= 0
    if near.any():
        c = city[near]
        clat, clon = geography.cities.lat[c], geography.cities.lon[c]
        sd = params.local_kernel_km / KM_PER_DEG
        lat[near] = clat + dy[near] * sd
        lon[near] = clon + dx[near] * sd / np.cos(np.radians(clat))
    return np.round(lat, 4), np.round(lon, 4)
