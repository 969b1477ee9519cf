"""Events as CSV (optionally with an HXL hashtag row) or as a GeoJSON FeatureCollection.

Both stream: rows are written as they are read, so an export of the whole store needs no more
memory than one row.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

#: Columns of an export, in order.
EXPORT_COLUMNS = (
    "uid",
    "source",
    "source_event_id",
    "revision",
    "source_version",
    "date_start",
    "date_end",
    "date_precision",
    "country",
    "admin1",
    "latitude",
    "longitude",
    "geo_precision",
    "priogrid_gid",
    "category",
    "actor1",
    "actor2",
    "fatalities_best",
    "fatalities_low",
    "fatalities_high",
    "summary",
    "source_ref",
    "marking",
)

#: Humanitarian Exchange Language hashtags (hxlstandard.org) for each exported column.
HXL_TAGS = {
    "uid": "#event+id",
    "source": "#meta+source",
    "source_event_id": "#event+id+source",
    "revision": "#meta+revision",
    "source_version": "#meta+source+version",
    "date_start": "#date+start",
    "date_end": "#date+end",
    "date_precision": "#date+precision",
    "country": "#country+code",
    "admin1": "#adm1+code",
    "latitude": "#geo+lat",
    "longitude": "#geo+lon",
    "geo_precision": "#geo+precision",
    "priogrid_gid": "#geo+priogrid",
    "category": "#event+type",
    "actor1": "#org+actor+a",
    "actor2": "#org+actor+b",
    "fatalities_best": "#affected+killed+best",
    "fatalities_low": "#affected+killed+low",
    "fatalities_high": "#affected+killed+high",
    "summary": "#description",
    "source_ref": "#meta+source+ref",
    "marking": "#meta+tlp",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class _Line:
    """A file-like target for csv.writer that hands back what one writerow wrote."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text = text
        return len(text)


def iter_csv(rows: Iterable[dict[str, Any]], *, hxl: bool = False) -> Iterator[str]:
    """Events as CSV, one line at a time (the header first, then the HXL row if asked)."""
    line = _Line()
    writer = csv.writer(line, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    yield line.text
    if hxl:
        writer.writerow([HXL_TAGS[column] for column in EXPORT_COLUMNS])
        yield line.text
    for row in rows:
        writer.writerow([_text(row.get(column)) for column in EXPORT_COLUMNS])
        yield line.text


def _feature(row: dict[str, Any]) -> dict[str, Any]:
    properties = {
        column: (_text(row[column]) if isinstance(row.get(column), dt.date) else row.get(column))
        for column in EXPORT_COLUMNS
        if column not in ("latitude", "longitude")
    }
    geometry = None
    if row.get("latitude") is not None and row.get("longitude") is not None:
        geometry = {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]}
    return {"type": "Feature", "id": row["uid"], "geometry": geometry, "properties": properties}


def iter_geojson(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """Events as a GeoJSON FeatureCollection of points (RFC 7946), one feature at a time."""
    yield '{"type": "FeatureCollection", "features": ['
    for count, row in enumerate(rows):
        yield ("\n" if count == 0 else ",\n") + json.dumps(_feature(row), ensure_ascii=False)
    yield "\n]}\n"


def write_csv(rows: Iterable[dict[str, Any]], out: TextIO, *, hxl: bool = False) -> int:
    """Write events as CSV, the HXL hashtag row under the header if asked; returns the count."""
    lines = iter_csv(rows, hxl=hxl)
    count = -2 if hxl else -1  # the header lines are not events
    for text in lines:
        out.write(text)
        count += 1
    return count


def write_geojson(rows: Iterable[dict[str, Any]], out: TextIO) -> int:
    """Write events as a GeoJSON FeatureCollection of points (RFC 7946); returns the count."""
    count = -2  # the opening and the closing are not events
    for text in iter_geojson(rows):
        out.write(text)
        count += 1
    return count
