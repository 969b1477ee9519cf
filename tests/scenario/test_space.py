"""Geography of the scenario: places inside their units, exact PRIO-GRID weights, neighbours."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from cawarn.geo.assign import AdminIndex
from cawarn.geo.names import load_name_table
from cawarn.geo.priogrid import gid
from cawarn.scenario import NonStationaryError, ScenarioParams
from cawarn.scenario.excitation import build_excitation
from cawarn.scenario.places import build_geography
from cawarn.scenario.spatial import build_spatial, draw_places
from tests.scenario.conftest import Units

ISO3 = {"700": "AFG", "701": "TKM", "702": "TJK", "703": "KGZ", "704": "UZB", "705": "KAZ"}


def test_every_event_lies_in_its_unit_and_its_cell(
    units: Units, events: list[dict[str, str]]
) -> None:
    names = load_name_table()
    index = AdminIndex.build(units, tolerance_km=0.0)
    lat = [float(row["latitude"]) for row in events]
    lon = [float(row["longitude"]) for row in events]
    iso3 = [ISO3[row["country_id"]] for row in events]
    found = index.assign(lat, lon, iso3)
    assert set(found.method.tolist()) == {"inside"}
    for row, code, la, lo, country in zip(events, found.code, lat, lon, iso3, strict=True):
        entry = names.lookup(country, row["adm_1"])
        assert entry is not None and entry.code == code, row["adm_1"]
        assert gid(la, lo) == int(row["priogrid_gid"])
        assert row["geom_wkt"] == f"POINT ({row['longitude']} {row['latitude']})"
        assert len(row["latitude"].split(".")[1]) == 4


@pytest.fixture(scope="module")
def geography(units: Units):  # type: ignore[no-untyped-def]
    return build_geography(units)


def test_cities_give_population_to_units(geography) -> None:  # type: ignore[no-untyped-def]
    population = dict(zip(geography.codes, geography.population(), strict=True))
    assert population["AF-KAB"] > 3_000_000  # Kabul
    assert population["TJ-DU"] > 500_000  # Dushanbe
    assert len(geography.cities) > 500


def test_piece_weights_are_distributions_and_match_the_draws(geography) -> None:  # type: ignore[no-untyped-def]
    params = ScenarioParams()
    spatial = build_spatial(geography, params)
    weight = spatial.piece_weight
    assert np.all(weight >= 0)
    totals = np.bincount(spatial.piece_unit, weight)
    np.testing.assert_allclose(totals, 1.0, rtol=0, atol=1e-12)
    # The draws follow the weights: chi-square over the pieces of Khatlon.
    unit = geography.codes.index("TJ-KT")
    n = 200_000
    places = draw_places(spatial, geography, np.full(n, unit), np.random.default_rng(5), params)
    rows = np.flatnonzero(spatial.piece_unit == unit)
    expected = n * weight[rows]
    observed = np.bincount(places.piece, minlength=len(weight))[rows]
    big = expected >= 5
    chi2 = float((((observed - expected) ** 2) / expected)[big].sum())
    dof = int(big.sum()) - 1
    assert chi2 < dof + 5 * np.sqrt(2 * dof)
    assert np.all(spatial.piece_cell[places.piece] == places.cell)


def test_afghan_border_provinces_excite_their_central_asian_neighbours(geography) -> None:  # type: ignore[no-untyped-def]
    excitation = build_excitation(geography, ScenarioParams())
    codes = geography.codes
    edges = {
        (codes[s], codes[d]): (w, k)
        for s, d, w, k in zip(
            excitation.src, excitation.dst, excitation.weight, excitation.kind, strict=True
        )
    }
    for pair in [
        ("AF-KDZ", "TJ-KT"),
        ("AF-TAK", "TJ-KT"),
        ("AF-BDS", "TJ-GB"),
        ("AF-BAL", "UZ-SU"),
        ("AF-JOW", "TM-L"),
        ("AF-BDG", "TM-M"),
    ]:
        assert edges[pair][1] == "afg_to_central_asia"
    cross = [w for (w, k) in edges.values() if k not in ("self", "neighbour")]
    assert max(cross) == edges["AF-KDZ", "TJ-KT"][0]
    assert ("AF-KAB", "TJ-KT") not in edges  # no shared border
    assert ("KG-O", "UZ-AN") in edges and ("UZ-AN", "KG-O") in edges


def test_the_process_is_stationary_and_explosive_parameters_are_refused(geography) -> None:  # type: ignore[no-untyped-def]
    excitation = build_excitation(geography, ScenarioParams())
    assert 0.3 < excitation.spectral_radius < 0.8
    radius = np.max(np.abs(np.linalg.eigvals(excitation.matrix())))
    assert excitation.spectral_radius == pytest.approx(radius * excitation.kernel.sum())
    assert excitation.kernel.sum() == pytest.approx(1.0)
    with pytest.raises(NonStationaryError, match="spectral radius"):
        build_excitation(geography, replace(ScenarioParams(), alpha_self_afg=0.95))
