"""cawarn's admin-1 name table and its tolerant matching."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from cawarn.domain import InputError
from cawarn.geo.names import load_name_table, normalise, parse_name_table
from tests.geo.conftest import GED_CANDIDATE, GED_SAMPLE, GW_TO_ISO3, read_ged


def test_table_covers_the_region_and_neighbours() -> None:
    table = load_name_table()
    counts = Counter(e.country for e in table)
    assert counts == {
        "AFG": 34,
        "KAZ": 21,  # the 16 units of 2017 and the 5 created since
        "KGZ": 9,  # 7 regions and the cities of Bishkek and Osh
        "TJK": 5,
        "TKM": 6,
        "UZB": 14,
        "PAK": 7,
        "IRN": 31,
    }
    in_2017 = [e.code for e in table.for_country("KAZ") if e.in_geoboundaries]
    assert len(in_2017) == 16
    newer = {e.code for e in table.for_country("KAZ") if not e.in_geoboundaries}
    assert newer == {"KZ-61", "KZ-79", "KZ-10", "KZ-33", "KZ-62"}
    assert load_name_table() is table  # read once


ISO2 = {
    "AFG": "AF",
    "KAZ": "KZ",
    "KGZ": "KG",
    "TJK": "TJ",
    "TKM": "TM",
    "UZB": "UZ",
    "PAK": "PK",
    "IRN": "IR",
}


def test_every_unit_has_english_and_russian_names() -> None:
    for entry in load_name_table():
        assert entry.name_en and entry.name_ru, entry.code
        assert any("\u0400" <= ch <= "\u04ff" for ch in entry.name_ru), entry.code
        assert entry.code.split("-")[0] == ISO2[entry.country], entry.code


@pytest.mark.parametrize(
    ("code", "name_ru"),
    [
        ("AF-BDS", "Бадахшан"),
        ("TJ-SU", "Согдийская область"),
        ("TJ-GB", "Горно-Бадахшанская автономная область"),
        ("TM-A", "Ахалский велаят"),
        ("KZ-75", "Алматы"),
        ("UZ-QR", "Республика Каракалпакстан"),
    ],
)
def test_russian_names(code: str, name_ru: str) -> None:
    entry = load_name_table().get(code)
    assert entry is not None and entry.name_ru == name_ru


@pytest.mark.parametrize(
    ("country", "text", "code"),
    [
        ("AFG", "Ghanzi", "AF-GHA"),
        ("AFG", "Ghazni province", "AF-GHA"),
        ("AFG", "AF_KAN", "AF-KAN"),
        ("AFG", "af-kan", "AF-KAN"),
        ("AFG", "Sar-e-Pol province", "AF-SAR"),
        ("AFG", "Бадахшан", "AF-BDS"),
        ("TJK", "Sughd", "TJ-SU"),
        ("TJK", "Sogd", "TJ-SU"),
        ("TJK", "Leninabad", "TJ-SU"),
        ("TJK", "Leninobod region", "TJ-SU"),
        ("TJK", "GBAO", "TJ-GB"),
        ("TJK", "Kuhistoni Badakhshon", "TJ-GB"),
        ("TJK", "Gorno-Badakhshan Autonomous Region", "TJ-GB"),
        ("TJK", "Khatlon province", "TJ-KT"),
        ("TJK", "Dushanbe independent city", "TJ-DU"),
        ("TKM", "Daşoguz Region", "TM-D"),
        ("TKM", "Ahal welaýaty", "TM-A"),
        ("TKM", "ахалский велаят", "TM-A"),
        ("UZB", "Farg‘ona viloyati", "UZ-FA"),
        ("UZB", "Qoraqalpogʻiston Respublikasi", "UZ-QR"),
        ("UZB", "Toshkent shahri", "UZ-TK"),
        ("UZB", "Tashkent", "UZ-TK"),
        ("UZB", "Tashkent viloyati", "UZ-TO"),
        ("UZB", "Tashkent Region", "UZ-TO"),
        ("KGZ", "Osh", "KG-GO"),
        ("KGZ", "Osh oblast", "KG-O"),
        ("KGZ", "Jalal-Abad oblast", "KG-J"),
        ("KAZ", "KZ-ALA", "KZ-75"),
        ("KAZ", "Almaty", "KZ-75"),
        ("KAZ", "Almaty oblysy", "KZ-19"),
        ("KAZ", "Nur-Sultan", "KZ-71"),
        ("KAZ", "South Kazakhstan Region", "KZ-YUZ"),
        ("KAZ", "Turkistan region", "KZ-61"),
        ("KAZ", "область Жетісу", "KZ-33"),
        ("PAK", "Federally Administered Tribal Areas", "PK-KP"),
        ("PAK", "Azad Jammu & Kashmir", "PK-JK"),
        ("IRN", "Mazandaran", "IR-02"),
        ("IRN", "IR-23", "IR-23"),  # a code in force wins over the same former code
        ("IRN", "IR-32", "IR-30"),  # a former code nobody holds now still works
        ("IRN", "East Azarbaijan province", "IR-03"),
    ],
)
def test_lookup(country: str, text: str, code: str) -> None:
    entry = load_name_table().lookup(country, text)
    assert entry is not None and entry.code == code


@pytest.mark.parametrize(
    ("country", "text"),
    [("AFG", "Sughd"), ("TJK", "Kabul"), ("AFG", ""), ("XXX", "Kabul"), ("AFG", "province")],
)
def test_lookup_finds_nothing_outside_the_country_or_for_noise(country: str, text: str) -> None:
    assert load_name_table().lookup(country, text) is None


def test_matches() -> None:
    table = load_name_table()
    assert table.matches("AF-PKA", "Paktika province")
    assert table.matches("TJ-KT", "Khatlon province")
    assert table.matches("af_kan", "Kandahar")
    assert not table.matches("TJ-KT", "Sughd")
    assert not table.matches("UZ-TO", "Tashkent city")
    assert not table.matches("XX-YY", "Kabul")


@pytest.mark.parametrize("path", [GED_SAMPLE, GED_CANDIDATE], ids=["ged-sample", "candidate"])
def test_every_ucdp_adm1_of_the_region_and_neighbours_matches_a_unit(path: Path) -> None:
    table = load_name_table()
    seen = 0
    for row in read_ged(path):
        country = GW_TO_ISO3.get(row["country_id"])
        if country and row["adm_1"]:
            seen += 1
            assert table.lookup(country, row["adm_1"]) is not None, row["adm_1"]
    assert seen > 20


def test_normalise() -> None:
    assert normalise("  Daşoguz_Region ") == "dasoguz region"
    assert normalise("Farg‘ona") == normalise("Fargona") == "fargona"
    assert normalise("Azad Jammu & Kashmir") == "azad jammu and kashmir"


def test_duplicate_codes_are_refused() -> None:
    header = "code,country,category,name_en,name_ru,aliases,former_codes,in_geoboundaries,note\n"
    row = "AF-KAB,AFG,province,Kabul,Кабул,,,yes,\n"
    with pytest.raises(InputError, match="twice"):
        parse_name_table(header + row + row)
