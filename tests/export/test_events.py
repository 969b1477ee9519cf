"""CSV, HXL and GeoJSON exports of events."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from cawarn.export import EXPORT_COLUMNS, HXL_TAGS, write_csv, write_geojson

ROW = {
    "uid": "2b1f3c5e-0000-5000-8000-000000000001",
    "source": "ucdp-ged",
    "source_event_id": "300380",
    "revision": 1,
    "source_version": "23.1",
    "date_start": dt.date(2021, 5, 28),
    "date_end": dt.date(2021, 5, 29),
    "date_precision": "days",
    "country": "AFG",
    "admin1": "AF-KAB",
    "latitude": 34.5,
    "longitude": 69.2,
    "geo_precision": "exact",
    "priogrid_gid": 179779,
    "category": "armed_clash",
    "actor1": "Government of Afghanistan",
    "actor2": 'Taleban, "IS"; others',
    "fatalities_best": 3,
    "fatalities_low": 2,
    "fatalities_high": 5,
    "summary": "line one\nline two",
    "source_ref": "UCDP GED 23.1, event 300380",
    "marking": "TLP:CLEAR",
}


def test_csv_round_trips_with_hxl_row() -> None:
    out = io.StringIO()
    assert write_csv([ROW, {**ROW, "latitude": None, "longitude": None}], out, hxl=True) == 2
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    assert rows[1] == [HXL_TAGS[c] for c in EXPORT_COLUMNS]
    assert all(tag.startswith("#") for tag in rows[1])
    record = dict(zip(rows[0], rows[2], strict=True))
    assert record["actor2"] == ROW["actor2"] and record["summary"] == ROW["summary"]
    assert record["date_start"] == "2021-05-28"
    assert dict(zip(rows[0], rows[3], strict=True))["latitude"] == ""


def test_csv_without_hxl_has_no_hashtag_row() -> None:
    out = io.StringIO()
    write_csv([ROW], out)
    assert not out.getvalue().splitlines()[1].startswith("#")


def test_geojson_is_a_feature_collection_with_lon_lat_points() -> None:
    out = io.StringIO()
    assert write_geojson([ROW, {**ROW, "uid": "x", "latitude": None}], out) == 2
    data = json.loads(out.getvalue())
    first, second = data["features"]
    assert first["geometry"] == {"type": "Point", "coordinates": [69.2, 34.5]}
    assert first["id"] == ROW["uid"] and first["properties"]["date_end"] == "2021-05-29"
    assert second["geometry"] is None
    empty = io.StringIO()
    assert write_geojson([], empty) == 0 and json.loads(empty.getvalue())["features"] == []
