"""Gleditsch-Ward codes and UCDP GED country names to ISO3, and country names in two languages."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cawarn.geo.countries import (
    country_name,
    gw_from_iso3,
    iso3_from_ged_name,
    iso3_from_gw,
    known_gw_codes,
)

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
GED_FILES = [
    DATA / "ucdp-ged-sample" / "ged231_sample_1000.csv",
    DATA / "ucdp-candidate" / "GEDEvent_v23_0_10.csv",
]
# The country-month file holds one column-name artefact, "Unnamed: 133" (all zeros): no country.
ARTEFACTS = {"Unnamed: 133"}


def _country_month_names() -> set[str]:
    names: set[str] = set()
    for path in sorted((DATA / "ucdp-country-month").glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as f:
            names |= {row["country"] for row in csv.DictReader(f)}
    return names


def _ged_values(column: str) -> set[str]:
    values: set[str] = set()
    for path in GED_FILES:
        with path.open(encoding="utf-8-sig", newline="") as f:
            values |= {row[column] for row in csv.DictReader(f)}
    return values


def test_every_country_month_name_maps() -> None:
    names = _country_month_names()
    assert len(names) == 133
    unmapped = sorted(n for n in names - ARTEFACTS if iso3_from_ged_name(n) is None)
    assert unmapped == []
    assert iso3_from_ged_name("Unnamed: 133") is None


def test_every_ged_country_and_country_id_maps() -> None:
    assert sorted(n for n in _ged_values("country") if iso3_from_ged_name(n) is None) == []
    assert sorted(c for c in _ged_values("country_id") if iso3_from_gw(int(c)) is None) == []
    sides = {c for col in ("gwnoa", "gwnob") for v in _ged_values(col) for c in v.split(",") if c}
    assert sorted(c for c in sides if iso3_from_gw(int(c.strip())) is None) == []


def test_name_and_code_agree_in_the_ged_files() -> None:
    for path in GED_FILES:
        with path.open(encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                assert iso3_from_gw(int(row["country_id"])) == iso3_from_ged_name(row["country"])


@pytest.mark.parametrize(
    ("code", "iso3"),
    [
        (700, "AFG"),
        (701, "TKM"),
        (702, "TJK"),
        (703, "KGZ"),
        (704, "UZB"),
        (705, "KAZ"),
        (770, "PAK"),
        (630, "IRN"),
        (2, "USA"),
        (260, "DEU"),
        (265, "DEU"),
        (315, "CZE"),
        (316, "CZE"),
        (317, "SVK"),
        (343, "MKD"),
        (345, "SRB"),
        (347, "XKX"),
        (365, "RUS"),
        (490, "COD"),
        (484, "COG"),
        (572, "SWZ"),
        (626, "SSD"),
        (678, "YEM"),
        (680, "YEM"),
        (713, "TWN"),
        (731, "PRK"),
        (732, "KOR"),
        (816, "VNM"),
        (817, "VNM"),
        (860, "TLS"),
    ],
)
def test_gw_codes(code: int, iso3: str) -> None:
    assert iso3_from_gw(code) == iso3


def test_unknown_and_successorless_gw_codes() -> None:
    assert iso3_from_gw(1) is None
    assert iso3_from_gw(300) is None  # Austria-Hungary
    assert 300 in known_gw_codes() and 1 not in known_gw_codes()


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("DR Congo (Zaire)", "COD"),
        ("Congo", "COG"),
        ("Russia (Soviet Union)", "RUS"),
        ("Yemen (North Yemen)", "YEM"),
        ("Cambodia (Kampuchea)", "KHM"),
        ("Serbia (Yugoslavia)", "SRB"),
        ("Myanmar (Burma)", "MMR"),
        ("Kingdom of eSwatini (Swaziland)", "SWZ"),
        ("Ivory Coast", "CIV"),
        ("Bosnia-Herzegovina", "BIH"),
        ("Macedonia, FYR", "MKD"),
        ("North Macedonia", "MKD"),
        ("Antigua & Barbuda", "ATG"),
        ("Zimbabwe (Rhodesia)", "ZWE"),
        ("Madagascar (Malagasy)", "MDG"),
        ("United States of America", "USA"),
        ("  afghanistan ", "AFG"),
        ("KYRGYZSTAN", "KGZ"),
        ("Burma", "MMR"),
        ("Zaire", "COD"),
    ],
)
def test_ged_names(name: str, iso3: str) -> None:
    assert iso3_from_ged_name(name) == iso3


def test_unknown_name() -> None:
    assert iso3_from_ged_name("Atlantis") is None
    assert iso3_from_ged_name("") is None


@pytest.mark.parametrize(
    ("iso3", "gw"),
    [("AFG", 700), ("DEU", 260), ("YEM", 678), ("VNM", 816), ("SRB", 345), ("RUS", 365)],
)
def test_gw_of_todays_state(iso3: str, gw: int) -> None:
    assert gw_from_iso3(iso3) == gw
    assert iso3_from_gw(gw) == iso3
    assert gw_from_iso3("PSE") is None


REGION_NAMES = {
    "AFG": ("Afghanistan", "Афганистан"),
    "KAZ": ("Kazakhstan", "Казахстан"),
    "KGZ": ("Kyrgyzstan", "Кыргызстан"),
    "TJK": ("Tajikistan", "Таджикистан"),
    "TKM": ("Turkmenistan", "Туркменистан"),
    "UZB": ("Uzbekistan", "Узбекистан"),
    "PAK": ("Pakistan", "Пакистан"),
    "IRN": ("Iran", "Иран"),
    "CHN": ("China", "Китай"),
    "RUS": ("Russia", "Россия"),
    "IND": ("India", "Индия"),
}


@pytest.mark.parametrize("iso3", sorted(REGION_NAMES))
def test_country_names_in_english_and_russian(iso3: str) -> None:
    english, russian = REGION_NAMES[iso3]
    assert country_name(iso3) == english
    assert country_name(iso3, "ru") == russian


def test_country_name_fallbacks() -> None:
    assert country_name("COD") == "Democratic Republic of the Congo"
    assert country_name("SYR", "ru") == "Сирия"
    assert country_name("KHM", "ru") == "Cambodia"  # no Russian name yet: English
    assert country_name("NGA") == "Nigeria"
    assert country_name("ZZZ") == "ZZZ"
    with pytest.raises(ValueError, match="unsupported language"):
        country_name("AFG", "de")
