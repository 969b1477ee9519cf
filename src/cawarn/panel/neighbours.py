"""Which units border which: shared borders with a tolerance, PRIO-GRID queen neighbours.

Two polygons are neighbours when they come within :data:`TOLERANCE_DEG` (0.02°, about 2 km) of
each other. The simplified geoBoundaries polygons of neighbouring units usually touch, but
simplification can leave slivers of a few hundred metres between them (more so across country
borders, where the two sides come from different sources); 2 km bridges those without making
units that merely come close (the narrowest real gaps in the region, e.g. Kazakhstan–Tajikistan,
are over 40 km) into neighbours. PRIO-GRID cells are neighbours of the 8 cells around them (queen
contiguity), among the panel's cells.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import shapely

from cawarn.geo.priogrid import N_COLS
from cawarn.panel.units import UnitSet

#: How close two polygons must come to count as sharing a border, in degrees.
TOLERANCE_DEG = 0.02

IntArray = npt.NDArray[np.int64]
ObjectArray = npt.NDArray[np.object_]


def touching(a: ObjectArray, b: ObjectArray) -> tuple[IntArray, IntArray]:
    """Pairs (i, j) of geometries ``a[i]`` and ``b[j]`` within the tolerance of each other."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    i, j = shapely.STRtree(b).query(a, predicate="dwithin", distance=TOLERANCE_DEG)
    return i.astype(np.int64), j.astype(np.int64)


def neighbour_pairs(units: UnitSet) -> tuple[IntArray, IntArray]:
    """Pairs (unit, neighbour) of positions in the unit set; no unit is its own neighbour."""
    if units.level == "pgm":
        position = {int(c): k for k, c in enumerate(units.codes)}
        unit: list[int] = []
        other: list[int] = []
        for k, cell in enumerate(units.codes):
            row, col = divmod(int(cell) - 1, N_COLS)
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    found = position.get((row + dr) * N_COLS + (col + dc) % N_COLS + 1)
                    if (dr or dc) and found is not None:
                        unit.append(k)
                        other.append(found)
        return np.array(unit, dtype=np.int64), np.array(other, dtype=np.int64)
    if not units.has_geometry:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    i, j = touching(units.geoms, units.geoms)
    keep = i != j
    return i[keep], j[keep]


def afghan_border_pairs(units: UnitSet) -> tuple[list[str], IntArray, IntArray]:
    """Afghan province codes, and pairs (unit, province) where a non-Afghan unit borders one."""
    provinces = [(u, g) for u, g in units.admin_units if u.country == "AFG"]
    codes = [u.code for u, _ in provinces]
    if not provinces or not units.has_geometry:
        return codes, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    geoms = np.array([g for _, g in provinces], dtype=object)
    outside = np.array([c != "AFG" for c in units.countries])
    u, p = touching(units.geoms, geoms)
    keep = outside[u]
    return codes, u[keep], p[keep]
