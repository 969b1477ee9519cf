"""Mapping UCDP GED records to the common schema, and quarantining bad ones with a reason."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from cawarn.domain import Category, DatePrecision, Event, GeoPrecision, Marking, QuarantinedRow
from cawarn.sources.ucdp_ged import GedVersion, RawRow, open_ged
from cawarn.sources.ucdp_ged_rows import map_row, row_iso3

from .conftest import CANDIDATE, SAMPLE, api_rows, sample_header_and_rows

GED231 = GedVersion.parse("23.1")
REGION = {"AFG", "KAZ", "KGZ", "TJK", "TKM", "UZB"}


def _rows(path: Path) -> tuple[GedVersion, list[RawRow]]:
    with open_ged(str(path), cache_dir=path.parent) as ged:
        return ged.version, list(ged.rows())


@pytest.fixture(scope="module")
def sample() -> list[RawRow]:
    return _rows(SAMPLE)[1]


def _by_id(rows: list[RawRow], event_id: str) -> dict[str, str]:
    return dict(next(r.values for r in rows if r.values["id"] == event_id))


def _event(values: dict[str, str], **kwargs: str) -> Event:
    out = map_row(RawRow(7, {**values, **kwargs}), GED231)
    assert isinstance(out, Event), out
    return out


def _reason(values: dict[str, str], **kwargs: str) -> QuarantinedRow:
    out = map_row(RawRow(7, {**values, **kwargs}), GED231)
    assert isinstance(out, QuarantinedRow), out
    assert out.row_number == 7
    return out


def test_an_afghan_event_maps_to_the_common_schema(sample: list[RawRow]) -> None:
    event = _event(_by_id(sample, "401115"))
    assert event.source == "ucdp-ged" and event.source_event_id == "401115"
    assert (event.source_version, event.source_dataset) == ("23.1", "ged")
    assert (event.date_start, event.date_end) == (dt.date(2021, 5, 28), dt.date(2021, 5, 29))
    assert event.date_precision is DatePrecision.DAYS
    assert event.geo_precision is GeoPrecision.ADMIN1
    assert (event.latitude, event.longitude) == (34.33333, 70.41667)
    assert event.country == "AFG" and event.category is Category.ARMED_CLASH
    assert (event.fatalities_best, event.fatalities_low, event.fatalities_high) == (10, 10, 10)
    assert (event.actor1, event.actor2) == ("Government of Afghanistan", "Taleban")
    assert event.source_ref == "UCDP GED 23.1, event 401115"
    assert event.summary is not None
    assert event.summary.startswith(
        "State-based violence: Government of Afghanistan - Taleban; Nangarhar, Laghman"
    )
    assert event.marking is Marking.CLEAR
    assert event.admin1 is None and event.priogrid_gid is None


def test_source_fields_are_verbatim_except_news_extracts(sample: list[RawRow]) -> None:
    values = _by_id(sample, "300380")
    event = _event(values)
    assert "source_article" not in event.source_fields
    assert "source_headline" not in event.source_fields
    assert len(event.source_fields) == 47
    assert all(event.source_fields[k] == v for k, v in event.source_fields.items() if k in values)
    assert event.source_fields["date_start"] == "2013-01-03 00:00:00.000"
    assert "Abdul Satar" not in repr(event)  # a person named in the headline


def test_one_sided_violence_is_an_attack_on_civilians() -> None:
    version, rows = _rows(CANDIDATE)
    event = map_row(next(r for r in rows if r.values["id"] == "492699"), version)
    assert isinstance(event, Event)
    assert event.category is Category.ATTACK_ON_CIVILIANS
    assert event.source_dataset == "candidate" and event.source_version == "23.0.10"
    assert event.summary is not None and event.summary.startswith("One-sided violence: ")


@pytest.mark.parametrize(
    ("code", "precision"),
    [("1", "day"), ("2", "days"), ("3", "week"), ("4", "month"), ("5", "year")],
)
def test_date_precisions(sample: list[RawRow], code: str, precision: str) -> None:
    assert _event(_by_id(sample, "401115"), date_prec=code).date_precision == precision


@pytest.mark.parametrize(
    ("code", "precision"),
    [
        ("1", GeoPrecision.EXACT),
        ("2", GeoPrecision.NEAR),
        ("3", GeoPrecision.ADMIN2),
        ("4", GeoPrecision.ADMIN1),
        ("5", GeoPrecision.REGION),
        ("6", GeoPrecision.COUNTRY),
        ("7", GeoPrecision.WATERS),
    ],
)
def test_where_precisions(sample: list[RawRow], code: str, precision: GeoPrecision) -> None:
    assert _event(_by_id(sample, "401115"), where_prec=code).geo_precision is precision


@pytest.mark.parametrize("text", ["2021-05-28", "2021-05-28 00:00:00.000", "2021-05-28T00:00:00"])
def test_date_forms(sample: list[RawRow], text: str) -> None:
    event = _event(_by_id(sample, "401115"), date_start=text, date_end=text)
    assert event.date_start == event.date_end == dt.date(2021, 5, 28)


def test_country_falls_back_to_the_name(sample: list[RawRow]) -> None:
    values = _by_id(sample, "401115")
    assert _event(values, country_id="").country == "AFG"
    assert _event(values, country_id="9999", country="Russia (Soviet Union)").country == "RUS"


def test_api_typed_row_maps_like_the_csv_row() -> None:
    header, rows = sample_header_and_rows()
    typed = api_rows(header, rows[:50])
    from cawarn.sources.ucdp_ged_pages import _text

    for csv_row, api_row in zip(rows[:50], typed, strict=True):
        from_csv = map_row(RawRow(1, dict(zip(header, csv_row, strict=True))), GED231)
        values = {k: _text(v) for k, v in api_row.items()}
        values["date_start"] = values["date_start"].replace("T", " ")
        from_api = map_row(RawRow(1, values), GED231)
        if isinstance(from_csv, Event):
            assert isinstance(from_api, Event)
            for name in ("date_start", "date_end", "country", "category", "fatalities_best"):
                assert getattr(from_api, name) == getattr(from_csv, name)
            assert (from_api.latitude, from_api.longitude) == (
                from_csv.latitude,
                from_csv.longitude,
            )


# ---- row problems -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"id": ""}, "id is missing"),
        ({"id": "30x"}, "id '30x' is not a whole number"),
        ({"id": "12.5"}, "id '12.5' is not a whole number"),
        (
            {"type_of_violence": "4"},
            "unknown type_of_violence '4' (UCDP uses 1 state-based, 2 non-state, 3 one-sided)",
        ),
        ({"type_of_violence": ""}, "unknown type_of_violence ''"),
        ({"best": "many"}, "best 'many' is not a whole number of deaths"),
        ({"best": ""}, "best '' is not a whole number of deaths"),
        ({"low": "-3"}, "low '-3' is negative"),
        ({"high": "2.5"}, "high '2.5' is not a whole number of deaths"),
        ({"deaths_a": "-1"}, "deaths_a '-1' is negative"),
        ({"deaths_b": "x"}, "deaths_b 'x' is not a whole number of deaths"),
        ({"deaths_civilians": "-2"}, "deaths_civilians '-2' is negative"),
        ({"deaths_unknown": "?"}, "deaths_unknown '?' is not a whole number of deaths"),
        (
            {"low": "11", "best": "12"},
            "deaths must satisfy low <= best <= high, but low 11, best 12, high 10, and best is "
            "not the sum of deaths_a, deaths_b, deaths_civilians and deaths_unknown (10)",
        ),
        (
            {
                "high": "9",
                "deaths_a": "4",
                "deaths_b": "0",
                "deaths_civilians": "0",
                "deaths_unknown": "0",
            },
            "deaths must satisfy low <= best <= high, but low 10, best 10, high 9, and best is "
            "not the sum of deaths_a, deaths_b, deaths_civilians and deaths_unknown (4)",
        ),
        ({"latitude": "95.5", "longitude": "-100.2"}, "latitude 95.5 is outside -90..90"),
        ({"latitude": "-190.0"}, "latitude -190.0 is outside -90..90"),
        ({"longitude": "181"}, "longitude 181 is outside -180..180"),
        ({"latitude": "north"}, "latitude 'north' is not a number"),
        ({"longitude": ""}, "longitude '' is not a number"),
        (
            {"latitude": "120.5", "longitude": "34.3"},
            "latitude 120.5 and longitude 34.3 appear swapped",
        ),
        ({"date_start": "28/05/2021"}, "date_start '28/05/2021' is not a date like 2021-05-28"),
        ({"date_end": "2021-02-30"}, "date_end '2021-02-30' is not a date like 2021-05-28"),
        ({"date_start": ""}, "date_start '' is not a date"),
        ({"date_end": "2021-05-27"}, "date_end 2021-05-27 is before date_start 2021-05-28"),
        ({"date_prec": "6"}, "unknown date_prec '6' (UCDP uses 1 exact day to 5 year)"),
        ({"where_prec": "0"}, "unknown where_prec '0' (UCDP uses 1 exact place to 7"),
        (
            {"country_id": "999", "country": "Atlantis"},
            "cannot tell the country: country_id '999' and country 'Atlantis' are both unknown",
        ),
    ],
)
def test_row_problems_are_quarantined_with_a_reason(
    sample: list[RawRow], changes: dict[str, str], reason: str
) -> None:
    values = _by_id(sample, "401115")
    out = _reason(values, **changes)
    assert out.reason.startswith(reason), out.reason
    assert out.raw["country"] == changes.get("country", "Afghanistan")
    assert "source_article" not in out.raw and "source_headline" not in out.raw
    assert out.source_event_id == (changes.get("id", "401115") or None)


def test_several_problems_are_all_named(sample: list[RawRow]) -> None:
    out = _reason(_by_id(sample, "401115"), type_of_violence="9", best="-1", date_prec="0")
    assert out.reason.count("; ") == 2
    assert "type_of_violence '9'" in out.reason and "best '-1' is negative" in out.reason


def test_wrong_number_of_fields_is_quarantined(sample: list[RawRow]) -> None:
    row = RawRow(12, _by_id(sample, "401115"), "record has 47 fields but the header has 49")
    out = map_row(row, GED231)
    assert isinstance(out, QuarantinedRow)
    assert (out.row_number, out.reason) == (12, "record has 47 fields but the header has 49")


def test_broken_range_with_best_vouched_by_its_parts_is_kept(sample: list[RawRow]) -> None:
    values = _by_id(sample, "401115")
    assert (
        sum(int(values[c]) for c in ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown"))
        == int(values["best"])
        == 10
    )
    event = map_row(RawRow(1, {**values, "high": "9"}), GED231)
    assert isinstance(event, Event)
    assert (event.fatalities_best, event.fatalities_low, event.fatalities_high) == (10, None, None)
    assert event.source_fields["high"] == "9"
    unvouched = map_row(
        RawRow(
            1,
            {
                **values,
                "high": "9",
                "deaths_b": "0",
                "deaths_a": "0",
                "deaths_civilians": "0",
                "deaths_unknown": "3",
            },
        ),
        GED231,
    )
    assert isinstance(unvouched, QuarantinedRow)
    assert "best is not the sum" in unvouched.reason and "(3)" in unvouched.reason
    other = map_row(
        RawRow(1, {**values, "high": "9", "latitude": "-91", "longitude": "100"}), GED231
    )
    assert isinstance(other, QuarantinedRow) and "latitude -91 is outside" in other.reason


# ---- the shared files, end to end ---------------------------------------------------------


def test_sample_maps_every_row(sample: list[RawRow]) -> None:
    events = [e for e in (map_row(r, GED231) for r in sample) if isinstance(e, Event)]
    assert len(events) == 1000
    # GED 23.1 has 13 rows with a broken range in this sample (e.g. event 236880: low 3, best 2,
    # high 3), each with best equal to the sum of its parts: kept, without low/high.
    broken = [e for e in events if e.fatalities_low is None]
    assert len(broken) == 13
    assert all(e.fatalities_high is None and e.fatalities_best is not None for e in broken)
    counts = Counter(e.country for e in events)
    assert (counts["AFG"], counts["TJK"], counts["KGZ"], counts["PAK"], counts["IRN"]) == (
        135,
        2,
        1,
        34,
        3,
    )
    assert sum(e.fatalities_best or 0 for e in events if e.country == "AFG") == 915
    afg = [e for e in events if e.country == "AFG"]
    assert min(e.date_start.year for e in afg) == 1989 and max(e.date_end.year for e in afg) == 2022


def test_row_iso3_tells_each_rows_country_cheaply(sample: list[RawRow]) -> None:
    countries = Counter(row_iso3(r.values) for r in sample)
    assert sum(n for iso3, n in countries.items() if iso3 in REGION) == 138  # AFG 135, TJK 2, KGZ 1
    assert sum(n for iso3, n in countries.items() if iso3 not in REGION) == 862
    assert (countries["PAK"], countries["IRN"], countries["SYR"]) == (34, 3, 265)


def test_row_iso3_falls_back_to_the_name_and_admits_unknowns() -> None:
    assert row_iso3({"country_id": "999", "country": "Atlantis"}) is None
    assert row_iso3({"country_id": "", "country": "Tajikistan"}) == "TJK"
    assert row_iso3({"country_id": "", "country": "Pakistan"}) == "PAK"


def test_candidate_afghanistan_matches_the_readme() -> None:
    version, rows = _rows(CANDIDATE)
    out = [map_row(r, version) for r in rows]
    events = [e for e in out if isinstance(e, Event)]
    afg = [e for e in events if e.country == "AFG"]
    assert len(afg) == 12 and sum(e.fatalities_best or 0 for e in afg) == 34
    assert sum(1 for e in events if e.country == "PAK") == 55
    assert all(e.source_dataset == "candidate" for e in events)
    assert not [q for q in out if isinstance(q, QuarantinedRow)]
    # 15 Candidate rows have high 0 or below best; their best is the sum of its parts.
    assert sum(1 for e in events if e.fatalities_low is None) == 15
