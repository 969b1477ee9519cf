"""Reading geoBoundaries folders, with the real files' defects repaired and reported."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import shapely

from cawarn.domain import InputError
from cawarn.geo.boundaries import CountryBoundaries, read_boundary_folder
from cawarn.geo.names import load_name_table
from tests.geo.conftest import BOUNDARY_DIR

EXPECTED_UNITS = {
    "AFG": 34,
    "KAZ": 16,
    "KGZ": 7,
    "TJK": 5,
    "TKM": 6,
    "UZB": 14,
    "PAK": 7,
    "IRN": 31,
}


def _codes(b: CountryBoundaries) -> dict[str, Any]:
    return {unit.code: (unit, geom) for unit, geom in b.units}


def test_unit_counts_and_codes(all_boundaries: dict[str, CountryBoundaries]) -> None:
    table = load_name_table()
    assert {c: len(b.units) for c, b in all_boundaries.items()} == EXPECTED_UNITS
    for country, b in all_boundaries.items():
        codes = [u.code for u, _ in b.units]
        assert len(set(codes)) == len(codes)
        for unit, geom in b.units:
            entry = table.get(unit.code)
            assert entry is not None and entry.country == country, unit.code
            assert (unit.name_en, unit.name_ru) == (entry.name_en, entry.name_ru)
            assert geom.is_valid and geom.geom_type in ("Polygon", "MultiPolygon")
            assert geom.area > 0


def test_units_tile_the_outline(all_boundaries: dict[str, CountryBoundaries]) -> None:
    for country, b in all_boundaries.items():
        total = sum(geom.area for _, geom in b.units)
        assert b.outline.is_valid
        assert b.outline.area == pytest.approx(total, rel=2e-3), country
        kabul = shapely.Point(69.18, 34.53)
        assert b.outline.contains(kabul) is (country == "AFG")


def test_afghanistan_defects(all_boundaries: dict[str, CountryBoundaries]) -> None:
    afg = all_boundaries["AFG"]
    units = _codes(afg)
    assert units["AF-GHA"][0].name_en == "Ghazni"
    assert units["AF-GHA"][0].source_name == "Ghanzi"
    assert units["AF-KAN"][0].name_ru == "Кандагар"
    assert "AF-BDS" in units and "AF-BDN" not in units
    assert afg.warnings == [
        "AFG: normalised code AF_KAN to AF-KAN",
        "AFG: renamed Ghanzi to Ghazni",
        "AFG: replaced code AF-BDN of Badakhshan by AF-BDS",
    ]


def test_iran_defects(all_boundaries: dict[str, CountryBoundaries]) -> None:
    irn = all_boundaries["IRN"]
    units = _codes(irn)
    # The file's Shape_Area of the main piece and of the tiny extra piece, in square degrees.
    assert units["IR-02"][1].area == pytest.approx(2.3855 + 0.0232, rel=0.01)
    assert units["IR-23"][0].name_en == "Tehran"
    assert units["IR-23"][0].name_ru == "Тегеран"
    text = "\n".join(irn.warnings)
    assert "IRN: merged 2 features of Mazandaran" in irn.warnings
    assert "IRN: filled the missing ISO code of Tehran with IR-23" in irn.warnings
    assert "IRN: replaced code IR-09 of Alborz by IR-30" in irn.warnings
    assert "level other than ADM1 in the properties of 10 features" in text
    assert "replaced 27 former ISO 3166-2 codes" in text
    assert text.count("IR-21 → IR-02 (Mazandaran)") == 1
    repaired = sorted(w.split(" of ")[1].split(" (")[0] for w in irn.warnings if "repaired" in w)
    assert repaired == ["Bushehr", "Gilan", "Hormozgan", "Khuzestan"]


def test_invalid_polygons_of_central_asia_are_repaired(
    all_boundaries: dict[str, CountryBoundaries],
) -> None:
    repaired = {
        country: [w for w in b.warnings if "repaired the invalid geometry" in w]
        for country, b in all_boundaries.items()
    }
    assert [w.split(" (")[0] for w in repaired["KAZ"]] == [
        "KAZ: repaired the invalid geometry of Almaty Region",
        "KAZ: repaired the invalid geometry of West Kazakhstan Region",
    ]
    assert len(repaired["TKM"]) == 1 and "Balkan Region" in repaired["TKM"][0]
    assert repaired["AFG"] == repaired["TJK"] == repaired["UZB"] == repaired["KGZ"] == []


def test_renames_in_uzbekistan_and_turkmenistan(
    all_boundaries: dict[str, CountryBoundaries],
) -> None:
    assert "UZB: renamed Xorazm Region to Khorezm Region" in all_boundaries["UZB"].warnings
    assert "TKM: renamed Daşoguz Region to Dashoguz Region" in all_boundaries["TKM"].warnings
    assert _codes(all_boundaries["UZB"])["UZ-XO"][0].source_name == "Xorazm Region"
    assert all_boundaries["KGZ"].warnings == all_boundaries["TJK"].warnings == []


def test_kazakhstan_uses_codes_in_force(all_boundaries: dict[str, CountryBoundaries]) -> None:
    units = _codes(all_boundaries["KAZ"])
    assert units["KZ-75"][0].name_en == "Almaty"
    assert units["KZ-YUZ"][0].name_ru == "Южно-Казахстанская область"
    assert not {"KZ-ALA", "KZ-61", "KZ-79", "KZ-10", "KZ-33", "KZ-62"} & set(units)


def test_attribution_from_metadata(all_boundaries: dict[str, CountryBoundaries]) -> None:
    afg = all_boundaries["AFG"].source
    assert (afg.country, afg.level, afg.source) == ("AFG", "ADM1", "geoBoundaries gbOpen")
    assert (afg.year, afg.licence, afg.original_source) == ("2007", "Public Domain", "Wikimedia")
    assert afg.licence_url == "https://commons.wikimedia.org/wiki/File"
    assert afg.build_date == "Oct 27, 2022"
    kaz = all_boundaries["KAZ"].source
    assert kaz.year == "2017"
    assert kaz.licence == "Open Data Commons Open Database License 1.0"
    assert kaz.original_source == "OpenStreetMap, Wambacher"
    assert kaz.attribution == (
        "geoBoundaries gbOpen, data: OpenStreetMap, Wambacher, 2017, "
        "Open Data Commons Open Database License 1.0"
    )
    assert all_boundaries["PAK"].source.original_source == "Wikipedia"


def test_country_arguments_are_normalised() -> None:
    loaded = read_boundary_folder(BOUNDARY_DIR, ["tjk", "TJK", " kgz "])
    assert [b.country for b in loaded] == ["TJK", "KGZ"]


def _write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _feature(name: str, iso: str | None, geometry: dict[str, Any] | None) -> dict[str, Any]:
    props = {"shapeName": name, "shapeISO": iso, "shapeGroup": "TJK", "shapeType": "ADM1"}
    return {"type": "Feature", "properties": props, "geometry": geometry}


def _square(x: float, y: float) -> dict[str, Any]:
    ring = [[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_unknown_unit_loads_with_a_generated_code(tmp_path: Path) -> None:
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[70, 38], [71, 39], [71, 38], [70, 39], [70, 38]]],
    }
    features = [
        _feature("Khatlon Region", "TJ-KT", _square(68, 37)),
        _feature("Atlantis (Sunken) Region", "TJ-XX", _square(72, 37)),
        _feature("Dushanbe", "TJ-DU", bowtie),
        _feature("Sughd Region", "TJ-SU", None),
        _feature("Viloyati Vahdat", "TJ-RA", _square(69, 38)),
    ]
    _write(
        tmp_path / "TJK" / "ADM1" / "geoBoundaries-TJK-ADM1.geojson",
        {"type": "FeatureCollection", "features": features},
    )
    (b,) = read_boundary_folder(tmp_path, ["TJK"])
    units = _codes(b)
    assert sorted(units) == ["TJ-DU", "TJ-KT", "TJ-RA", "TJK-X-atlantis-sunken-region"]
    assert units["TJ-RA"][0].source_name == "Viloyati Vahdat"
    atlantis = units["TJK-X-atlantis-sunken-region"][0]
    assert (
        atlantis.name_en == atlantis.name_ru == atlantis.source_name == "Atlantis (Sunken) Region"
    )
    assert units["TJ-DU"][1].area == pytest.approx(0.5)  # the bow-tie's two triangles
    assert b.source.licence is None
    text = "\n".join(b.warnings)
    assert "no geoBoundaries metaData file" in text
    assert "Atlantis (Sunken) Region matches no unit of the name table" in text
    assert "repaired the invalid geometry of Dushanbe" in text
    assert "skipped feature 4 (Sughd Region)" in text
    assert "matched Viloyati Vahdat to Districts of Republican Subordination by its code" in text
    assert "TJK: no boundary for Sughd Region, Gorno-Badakhshan Autonomous Region" in text


def test_missing_folder_and_country(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_boundary_folder(tmp_path / "nowhere", ["AFG"])
    with pytest.raises(InputError, match=r"No ADM1 boundaries for UZB: .* does not exist"):
        read_boundary_folder(tmp_path, ["UZB"])


def test_missing_adm1_file(tmp_path: Path) -> None:
    (tmp_path / "KGZ" / "ADM1").mkdir(parents=True)
    with pytest.raises(InputError, match=r"has no geoBoundaries-KGZ-ADM1.*geojson file"):
        read_boundary_folder(tmp_path, ["KGZ"])


def test_folder_with_only_topojson(tmp_path: Path) -> None:
    folder = tmp_path / "KGZ" / "ADM1"
    folder.mkdir(parents=True)
    source = BOUNDARY_DIR / "KGZ" / "ADM1" / "geoBoundaries-KGZ-ADM1_simplified.topojson"
    shutil.copy(source, folder / source.name)
    with pytest.raises(InputError, match="holds only TopoJSON") as err:
        read_boundary_folder(tmp_path, ["KGZ"])
    assert "convert it" in str(err.value)


def test_file_that_is_not_geojson(tmp_path: Path) -> None:
    path = tmp_path / "TKM" / "ADM1" / "geoBoundaries-TKM-ADM1_simplified.geojson"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"PK\x03\x04 this is a zip archive")
    with pytest.raises(InputError, match="is not GeoJSON"):
        read_boundary_folder(tmp_path, ["TKM"])
    _write(path, {"type": "Topology", "objects": {}})
    with pytest.raises(InputError, match="is TopoJSON, not GeoJSON"):
        read_boundary_folder(tmp_path, ["TKM"])
    _write(path, {"type": "FeatureCollection", "features": []})
    with pytest.raises(InputError, match="not a GeoJSON FeatureCollection with features"):
        read_boundary_folder(tmp_path, ["TKM"])
