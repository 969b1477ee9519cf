"""The units of a panel at each level, with the geometry the spatial features need.

- ``country``: every country of the node's region; its geometry is the outline stored with its
  boundaries (the union of its admin-1 units), or none when no boundaries are loaded.
- ``admin1``: every admin-1 unit loaded in the store for the region.
- ``pgm``: every PRIO-GRID cell that intersects one of the region's admin-1 units; a cell's
  country (and admin-1 unit) is the one covering most of the cell's area.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, select

from cawarn.domain import AdminUnit, InputError, StoreError
from cawarn.geo.priogrid import CELL_DEG, N_COLS
from cawarn.store.geography import load_units
from cawarn.store.tables import boundary_sources

LEVELS = ("country", "admin1", "pgm")

ObjectArray = npt.NDArray[np.object_]


@dataclass(frozen=True, slots=True)
class UnitSet:
    """The units of one level in panel order, with country and geometry per unit."""

    level: str
    codes: list[Any]  # ISO3, admin-1 code, or PRIO-GRID gid
    countries: list[str]
    geoms: ObjectArray  # shapely geometry per unit, or None where unknown
    admin_units: list[tuple[AdminUnit, BaseGeometry]]  # the region's admin-1 units, all levels

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def has_geometry(self) -> bool:
        """Whether every unit has a geometry (spatial and static features need it)."""
        return len(self.geoms) > 0 and all(g is not None for g in self.geoms)


def check_level(level: str) -> str:
    """The level if it is one cawarn knows, else one clear sentence."""
    if level not in LEVELS:
        raise InputError(f"{level!r} is not a panel level; use one of {', '.join(LEVELS)}.")
    return level


def cell_boxes(cells: npt.NDArray[np.int64]) -> ObjectArray:
    """The 0.5° squares of PRIO-GRID cells."""
    row, col = np.divmod(cells - 1, N_COLS)
    south = row * CELL_DEG - 90.0
    west = col * CELL_DEG - 180.0
    return np.asarray(shapely.box(west, south, west + CELL_DEG, south + CELL_DEG))


def _cells_of(units: list[tuple[AdminUnit, BaseGeometry]]) -> tuple[list[int], list[str]]:
    """PRIO-GRID cells intersecting the units, each with the country covering most of it."""
    geoms = np.array([g for _, g in units], dtype=object)
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    rows = np.arange(
        int(np.floor((ymin + 90) / CELL_DEG)), int(np.floor((ymax + 90) / CELL_DEG)) + 1
    )
    cols = np.arange(
        int(np.floor((xmin + 180) / CELL_DEG)), int(np.floor((xmax + 180) / CELL_DEG)) + 1
    )
    grid = (rows[:, None] * N_COLS + cols[None, :] + 1).ravel().astype(np.int64)
    boxes = cell_boxes(grid)
    box_i, unit_i = shapely.STRtree(geoms).query(boxes, predicate="intersects")
    area = shapely.area(shapely.intersection(boxes[box_i], geoms[unit_i]))
    best: dict[int, tuple[float, str]] = {}
    for b, u, a in zip(box_i.tolist(), unit_i.tolist(), area.tolist(), strict=True):
        cell = int(grid[b])
        country = units[u][0].country
        if cell not in best or a > best[cell][0]:
            best[cell] = (a, country)
    cells = sorted(best)
    return cells, [best[c][1] for c in cells]


def load_unit_set(conn: Connection, region: list[str], level: str) -> UnitSet:
    """The units of a level for the region, from the boundaries loaded in the store."""
    check_level(level)
    admin = [(u, g) for u, g in load_units(conn, region) if g is not None and not g.is_empty]
    if level == "country":
        outlines = {
            row.country: shapely.from_wkb(row.outline_wkb)
            for row in conn.execute(
                select(boundary_sources.c.country, boundary_sources.c.outline_wkb).where(
                    boundary_sources.c.country.in_(region)
                )
            )
        }
        codes = sorted(region)
        geoms = np.array([outlines.get(c) for c in codes], dtype=object)
        return UnitSet(level, codes, list(codes), geoms, admin)
    if not admin:
        raise StoreError(
            f"No admin-1 boundaries are loaded for the region ({', '.join(region)}), so there "
            f"are no {level} units; run 'cawarn geo fetch' or 'cawarn geo import DIR' first."
        )
    if level == "admin1":
        geoms = np.array([g for _, g in admin], dtype=object)
        return UnitSet(
            level, [u.code for u, _ in admin], [u.country for u, _ in admin], geoms, admin
        )
    cells, countries = _cells_of(admin)
    return UnitSet(level, cells, countries, cell_boxes(np.array(cells, dtype=np.int64)), admin)
