"""PRIO-GRID cell ids against UCDP's own coding."""

from __future__ import annotations

import numpy as np
import pytest

from cawarn.domain import InputError
from cawarn.geo.priogrid import MAX_GID, cell_center, gid, gids
from tests.geo.conftest import GED_SAMPLE, read_ged


def test_all_ged_sample_events_agree_with_ucdp_priogrid_gid() -> None:
    rows = read_ged(GED_SAMPLE)
    lat = np.array([float(r["latitude"]) for r in rows])
    lon = np.array([float(r["longitude"]) for r in rows])
    expected = np.array([int(r["priogrid_gid"]) for r in rows])
    on_edge = ((lat * 2) % 1 == 0) | ((lon * 2) % 1 == 0)
    assert len(rows) == 1000
    assert on_edge.sum() == 67  # points on a cell edge: the cell north/east of it wins
    assert (gids(lat, lon) == expected).sum() == 1000
    assert [gid(a, b) for a, b in zip(lat, lon, strict=True)] == expected.tolist()


def test_known_cells() -> None:
    assert gid(-90.0, -180.0) == 1
    assert gid(-89.9, -179.4) == 2
    assert gid(-89.5, -180.0) == 721
    assert gid(34.5167, 69.1833) == 179779  # Kabul: row 249, col 498
    assert gid(90.0, 180.0) == MAX_GID == 259200  # clamped into the last row and column
    assert gid(90.0, 0.0) == 359 * 720 + 360 + 1


def test_vectorised_matches_scalar_and_marks_unusable_points() -> None:
    lat = np.array([34.5, 90.0, np.nan, -91.0, 0.0])
    lon = np.array([69.0, 180.0, 10.0, 0.0, 181.0])
    out = gids(lat, lon)
    assert out.dtype == np.int64
    assert out.tolist() == [gid(34.5, 69.0), MAX_GID, -1, -1, -1]


def test_cell_center_round_trip() -> None:
    assert cell_center(1) == (-89.75, -179.75)
    assert cell_center(MAX_GID) == (89.75, 179.75)
    lat, lon = cell_center(179779)
    assert (lat, lon) == (34.75, 69.25)
    assert gid(lat, lon) == 179779


@pytest.mark.parametrize("cell", [0, MAX_GID + 1, -5])
def test_cell_center_rejects_unknown_ids(cell: int) -> None:
    with pytest.raises(InputError, match="does not exist"):
        cell_center(cell)


def test_gid_rejects_points_off_the_globe() -> None:
    with pytest.raises(InputError, match="outside the globe"):
        gid(95.0, 10.0)
    with pytest.raises(InputError):
        gid(float("nan"), 10.0)
