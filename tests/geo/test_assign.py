"""Assigning points to admin-1 units of their own country."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
import shapely
from shapely.geometry.base import BaseGeometry

from cawarn.domain import AdminUnit
from cawarn.geo.assign import KM_PER_DEG, AdminIndex, haversine_km
from cawarn.geo.boundaries import CountryBoundaries
from cawarn.geo.names import load_name_table
from tests.geo.conftest import GED_SAMPLE, GW_TO_ISO3, read_ged

DEFAULT_REGION = {"700", "701", "702", "703", "704", "705"}


def _offset(lat: float, lon: float, toward: tuple[float, float], km: float) -> tuple[float, float]:
    """The point ``km`` from (lat, lon) in the direction of ``toward`` (lat, lon)."""
    c = math.cos(math.radians(lat))
    dx, dy = (toward[1] - lon) * c, toward[0] - lat
    norm = math.hypot(dx, dy)
    step = km / KM_PER_DEG
    return lat + dy / norm * step, lon + dx / norm * step / c


def _coast(geom: BaseGeometry, sea: tuple[float, float]) -> tuple[float, float]:
    """The point of ``geom`` nearest to a point at sea, as (lat, lon)."""
    x, y = shapely.get_coordinates(shapely.shortest_line(geom, shapely.Point(sea[1], sea[0])))[0]
    return float(y), float(x)


def _brute_km(outline: BaseGeometry, lat: float, lon: float) -> float:
    """Reference distance: haversine to every point of the outline densified to ~200 m."""
    xy = shapely.get_coordinates(shapely.segmentize(outline.boundary, 0.002))
    return float(haversine_km(lat, lon, xy[:, 1], xy[:, 0]).min())


def _unit(boundaries: dict[str, CountryBoundaries], code: str) -> BaseGeometry:
    country = next(b for b in boundaries.values() if any(u.code == code for u, _ in b.units))
    return next(g for u, g in country.units if u.code == code)


def test_ged_sample_region_events_fall_inside_and_mostly_agree_with_adm1(
    admin_index: AdminIndex,
) -> None:
    rows = [r for r in read_ged(GED_SAMPLE) if r["country_id"] in DEFAULT_REGION]
    assert len(rows) == 138
    lat = np.array([float(r["latitude"]) for r in rows])
    lon = np.array([float(r["longitude"]) for r in rows])
    found = admin_index.assign(lat, lon, [GW_TO_ISO3[r["country_id"]] for r in rows])
    assert Counter(found.method) == {"inside": 138}
    assert (found.distance_km == 0).all()
    table = load_name_table()
    named = [(r, c) for r, c in zip(rows, found.code, strict=True) if r["adm_1"]]
    disagree = {r["id"]: (r["adm_1"], c) for r, c in named if not table.matches(c, r["adm_1"])}
    assert len(named) == 136
    # All four are district-level points (where_prec 3) 4-15 km from the province the source
    # names: the 2007 province lines of the boundary file differ from UCDP's district coding.
    assert disagree == {
        "414226": ("Panjsher province", "AF-KAP"),
        "438647": ("Panjsher province", "AF-KAP"),
        "301109": ("Zabul province", "AF-GHA"),
        "166815": ("Wardak province", "AF-GHA"),
    }
    assert {r["where_prec"] for r in rows if r["id"] in disagree} == {"3"}


def test_ged_sample_neighbour_events(admin_index: AdminIndex) -> None:
    rows = [r for r in read_ged(GED_SAMPLE) if r["country_id"] in {"770", "630"}]
    lat = np.array([float(r["latitude"]) for r in rows])
    lon = np.array([float(r["longitude"]) for r in rows])
    found = admin_index.assign(lat, lon, [GW_TO_ISO3[r["country_id"]] for r in rows])
    assert Counter(found.method) == {"inside": 37}
    table = load_name_table()
    agree = [table.matches(c, r["adm_1"]) for r, c in zip(rows, found.code, strict=True)]
    assert sum(agree) == 37


@pytest.mark.parametrize(
    ("code", "country", "sea"),
    [("TM-B", "TKM", (40.6, 51.8)), ("KZ-47", "KAZ", (43.3, 50.3))],
)
def test_caspian_points_snap_near_the_coast_and_not_far_out(
    all_boundaries: dict[str, CountryBoundaries],
    admin_index: AdminIndex,
    code: str,
    country: str,
    sea: tuple[float, float],
) -> None:
    coast = _coast(_unit(all_boundaries, code), sea)
    near = _offset(*coast, toward=sea, km=3.0)
    far = _offset(*coast, toward=sea, km=200.0)
    found = admin_index.assign([near[0], far[0]], [near[1], far[1]], [country, country])
    assert found.method.tolist() == ["snapped", "none"]
    assert found.code.tolist() == [code, None]
    assert found.distance_km[0] == pytest.approx(3.0, abs=0.05)
    outline = all_boundaries[country].outline
    # The far point may be nearer to another stretch of the coast than to the one it left.
    reference = _brute_km(outline, *far)
    assert 150.0 < reference <= 200.0
    assert found.distance_km[1] == pytest.approx(reference, rel=0.01)


def test_point_in_pakistan_given_afghanistan(
    all_boundaries: dict[str, CountryBoundaries], admin_index: AdminIndex
) -> None:
    peshawar = (34.015, 71.58)
    border = _coast(all_boundaries["AFG"].outline, peshawar)
    inside_pak = _offset(*border, toward=peshawar, km=5.0)
    found = admin_index.assign(
        [inside_pak[0], peshawar[0], inside_pak[0]],
        [inside_pak[1], peshawar[1], inside_pak[1]],
        ["AFG", "AFG", "PAK"],
    )
    assert found.method.tolist() == ["snapped", "none", "inside"]
    assert found.code[0] == "AF-NAN" and found.code[1] is None and found.code[2] == "PK-KP"
    assert found.distance_km[0] == pytest.approx(5.0, abs=0.3)
    assert found.distance_km[1] == pytest.approx(
        _brute_km(all_boundaries["AFG"].outline, *peshawar), rel=0.01
    )
    assert 30.0 < found.distance_km[1] < 60.0
    wide = AdminIndex.build(
        [u for b in all_boundaries.values() for u in b.units], tolerance_km=100.0
    )
    again = wide.assign([peshawar[0]], [peshawar[1]], "AFG")
    assert again.method.tolist() == ["snapped"] and again.code[0] == "AF-NAN"
    assert again.distance_km[0] == pytest.approx(found.distance_km[1], rel=0.02)


def test_unusable_points_and_unknown_countries(admin_index: AdminIndex) -> None:
    found = admin_index.assign(
        np.array([np.nan, 34.5, 34.5, 95.0]),
        np.array([69.2, np.nan, 69.2, 69.2]),
        np.array(["AFG", "AFG", "RUS", "AFG"]),
    )
    assert found.method.tolist() == ["none"] * 4
    assert found.code.tolist() == [None] * 4
    assert np.isnan(found.distance_km).all()
    empty = admin_index.assign(np.array([]), np.array([]), np.array([], dtype=object))
    assert len(empty) == 0


def test_country_is_authoritative_and_case_insensitive(admin_index: AdminIndex) -> None:
    kabul = (34.53, 69.18)
    found = admin_index.assign([kabul[0]] * 2, [kabul[1]] * 2, ["afg", "TJK"])
    assert found.code[0] == "AF-KAB" and found.method[0] == "inside"
    assert found.method[1] == "none" and found.distance_km[1] > 100


def test_point_on_a_shared_border_is_inside_one_unit() -> None:
    west = shapely.box(0, 0, 1, 1)
    east = shapely.box(1, 0, 2, 1)
    units = [
        (AdminUnit("XA-W", "XAA", "West", "Запад", "West"), west),
        (AdminUnit("XA-E", "XAA", "East", "Восток", "East"), east),
    ]
    index = AdminIndex.build(units, tolerance_km=0.0)
    found = index.assign([0.5, 0.5, 0.5], [1.0, 2.05, 0.5], "XAA")
    assert found.method.tolist() == ["inside", "none", "inside"]
    assert found.code.tolist() == ["XA-W", None, "XA-W"]
    assert found.distance_km[1] == pytest.approx(
        0.05 * KM_PER_DEG * math.cos(0.5 * math.pi / 180), rel=1e-3
    )


def test_haversine() -> None:
    assert haversine_km(0, 0, 0, 1) == pytest.approx(111.195, abs=0.01)
    # Kabul to Dushanbe, about 400 km.
    assert haversine_km(34.53, 69.18, 38.56, 68.77) == pytest.approx(449, abs=3)


def test_build_refuses_a_negative_tolerance() -> None:
    with pytest.raises(ValueError, match="tolerance"):
        AdminIndex.build([], tolerance_km=-1.0)
