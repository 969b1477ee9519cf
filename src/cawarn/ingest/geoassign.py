"""Placing mapped events: admin-1 unit, PRIO-GRID cell, agreement with the source's own codes."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from sqlalchemy import Connection

from cawarn.domain import Event
from cawarn.geo.assign import AdminIndex
from cawarn.geo.names import NameTable, load_name_table
from cawarn.geo.priogrid import gids
from cawarn.store.geography import load_units


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one event was placed and how."""

    code: str | None
    method: str  # inside | snapped | none | imprecise
    distance_km: float | None
    gid: int | None
    agrees: bool | None  # with the source's own admin-1 name; None when it gives none
    swapped: bool = False


class GeoAssigner:
    """Admin-1 assignment against the boundaries in the store, for one batch."""

    def __init__(
        self, index: AdminIndex, countries: set[str], names: NameTable, fingerprint: str
    ) -> None:
        self.index = index
        self.countries = countries
        self.names = names
        #: Changes whenever the loaded boundaries change, so rows are placed again after a
        #: re-import instead of being skipped as unchanged.
        self.fingerprint = fingerprint
        self.missing: set[str] = set()
        self._agreement: dict[tuple[str, str], bool] = {}

    @classmethod
    def from_store(
        cls, conn: Connection, region: Sequence[str], tolerance_km: float
    ) -> GeoAssigner:
        """Build the index from the admin-1 units loaded for the region."""
        units = load_units(conn, region)
        countries = {unit.country for unit, _ in units}
        digest = hashlib.blake2b(f"{tolerance_km}".encode(), digest_size=8)
        for unit, geometry in units:
            digest.update(unit.code.encode())
            digest.update(shapely.to_wkb(geometry))
        return cls(
            AdminIndex.build(units, tolerance_km=tolerance_km),
            countries,
            load_name_table(),
            digest.hexdigest(),
        )

    def assign(self, batch: Sequence[Event], source_admin1: Sequence[str]) -> list[Placement]:
        """Place each event; the country is the source's, the point picks the unit."""
        lat = np.array([_nan(e.latitude) for e in batch], dtype=np.float64)
        lon = np.array([_nan(e.longitude) for e in batch], dtype=np.float64)
        country = np.array([e.country for e in batch], dtype=object)
        found = self.index.assign(lat, lon, country)
        cells = gids(lat, lon)
        unplaced = [
            i
            for i, e in enumerate(batch)
            if found.method[i] == "none" and e.country in self.countries and not math.isnan(lat[i])
        ]
        swapped: set[int] = set()
        if unplaced:
            check = self.index.assign(lon[unplaced], lat[unplaced], country[unplaced])
            swapped = {
                i for i, method in zip(unplaced, check.method, strict=True) if method == "inside"
            }
        result = []
        for i, event in enumerate(batch):
            gid = int(cells[i]) if cells[i] > 0 else None
            if event.country not in self.countries:
                self.missing.add(event.country)
            if not event.geo_precision.locates_admin1:
                result.append(Placement(None, "imprecise", None, gid, None, swapped=i in swapped))
                continue
            code = found.code[i]
            distance = float(found.distance_km[i])
            agrees = None
            if code is not None and source_admin1[i].strip():
                key = (code, source_admin1[i])
                agrees = self._agreement.get(key)
                if agrees is None:  # a source repeats a few names thousands of times
                    agrees = self._agreement[key] = self.names.matches(code, source_admin1[i])
            result.append(
                Placement(
                    code,
                    str(found.method[i]),
                    None if math.isnan(distance) else round(distance, 3),
                    gid,
                    agrees,
                    swapped=i in swapped,
                )
            )
        return result


def _nan(value: float | None) -> float:
    return math.nan if value is None else value
