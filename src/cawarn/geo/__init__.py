"""Geography: admin-1 boundaries, point-to-unit assignment, PRIO-GRID and the admin-1 name table."""

from cawarn.geo.assign import AdminAssignment, AdminIndex, haversine_km
from cawarn.geo.boundaries import (
    CountryBoundaries,
    country_outline,
    read_boundary_folder,
    read_country,
)
from cawarn.geo.fetch import DEFAULT_API_BASE, fetch_boundaries
from cawarn.geo.names import NameEntry, NameTable, load_name_table, normalise
from cawarn.geo.priogrid import cell_center, gid, gids

__all__ = [
    "DEFAULT_API_BASE",
    "AdminAssignment",
    "AdminIndex",
    "CountryBoundaries",
    "NameEntry",
    "NameTable",
    "cell_center",
    "country_outline",
    "fetch_boundaries",
    "gid",
    "gids",
    "haversine_km",
    "load_name_table",
    "normalise",
    "read_boundary_folder",
    "read_country",
]
