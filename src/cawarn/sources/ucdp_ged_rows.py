"""One UCDP GED record to one :class:`~cawarn.domain.Event`, or to quarantine with a reason.

Mapping to the common schema: source "ucdp-ged"; ``type_of_violence`` 1 (state-based) and 2
(non-state) -> armed_clash, 3 (one-sided) -> attack_on_civilians; ``date_prec`` 1-5 -> day, days,
week, month, year; ``where_prec`` 1-7 -> exact, near, admin2, admin1, region, country,
international waters; country from ``country_id`` (Gleditsch-Ward), else from the ``country`` name;
actors are ``side_a`` and ``side_b`` (organisations, as UCDP names them). admin-1 and PRIO-GRID cell
are left to the ingest pipeline, which assigns them from boundaries.

Personal data (DESIGN.md principle 1): ``source_article`` and ``source_headline`` are free-text
extracts of news reports that can name private persons (victims, witnesses, suspects). They are
dropped here, from ``source_fields`` and from the raw content kept with a quarantined row alike;
every other column is kept verbatim as text. The summary is built from organisation and place
fields only (the type of violence, ``dyad_name``, ``where_description``).

The common path does the fewest checks that prove a row good; any failure sends the row to a slower
diagnosis that names every problem found, so a person can fix the row in one go.
"""

from __future__ import annotations

import datetime as dt

from cawarn.domain import Category, DatePrecision, Event, GeoPrecision, Marking, QuarantinedRow
from cawarn.geo.countries import GED_NAME_TO_ISO3, GW_TEXT_TO_ISO3, iso3_from_ged_name
from cawarn.sources.ucdp_ged_schema import RawRow
from cawarn.sources.ucdp_ged_version import GedVersion

SOURCE = "ucdp-ged"
#: Columns never stored: free-text news extracts that can name private persons.
PERSONAL_COLUMNS = ("source_article", "source_headline")
DEATH_COLUMNS = (
    "best",
    "low",
    "high",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
)

_CATEGORY = {
    "1": Category.ARMED_CLASH,
    "2": Category.ARMED_CLASH,
    "3": Category.ATTACK_ON_CIVILIANS,
}
_TYPE_LABEL = {"1": "State-based violence", "2": "Non-state violence", "3": "One-sided violence"}
_DATE_PREC = {
    "1": DatePrecision.DAY,
    "2": DatePrecision.DAYS,
    "3": DatePrecision.WEEK,
    "4": DatePrecision.MONTH,
    "5": DatePrecision.YEAR,
}
_GEO_PREC = {
    "1": GeoPrecision.EXACT,
    "2": GeoPrecision.NEAR,
    "3": GeoPrecision.ADMIN2,
    "4": GeoPrecision.ADMIN1,
    "5": GeoPrecision.REGION,
    "6": GeoPrecision.COUNTRY,
    "7": GeoPrecision.WATERS,
}
_PART_DEATHS = ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown")


class _BadRowError(Exception):
    """The fast path met something it does not accept; the diagnosis will say what."""


def _date(text: str) -> dt.date:
    # "2021-05-28 00:00:00.000" (CSV), "2021-05-28T00:00:00" (API) or "2021-05-28"
    if len(text) > 10 and text[10] not in " T":
        raise _BadRowError
    return dt.date.fromisoformat(text[:10])


def _count(text: str) -> int:
    if not text.isdigit():
        raise _BadRowError
    return int(text)


def row_iso3(values: dict[str, str]) -> str | None:
    """ISO3 of a row's country: from ``country_id``, else from ``country``; None if unknown."""
    found = GW_TEXT_TO_ISO3.get(values.get("country_id", "").strip())
    if found is None:
        name = values.get("country", "")
        found = GED_NAME_TO_ISO3.get(name) or (iso3_from_ged_name(name) if name else None)
    return found


def without_personal_fields(values: dict[str, str]) -> dict[str, str]:
    """A row's fields less the free-text columns that can name private persons."""
    kept = values.copy()
    for column in PERSONAL_COLUMNS:
        kept.pop(column, None)
    return kept


def _summary(values: dict[str, str], type_code: str) -> str:
    label = _TYPE_LABEL[type_code]
    dyad = values.get("dyad_name", "")
    where = values.get("where_description", "")
    if "\n" in where or "\r" in where:
        where = " ".join(where.split())
    if dyad and where:
        return f"{label}: {dyad}; {where}"
    if dyad or where:
        return f"{label}: {dyad or where}"
    return label


def map_row(row: RawRow, version: GedVersion) -> Event | QuarantinedRow:
    """Map one record to an Event, or to a QuarantinedRow naming what is wrong with it.

    When ``low <= best <= high`` fails, UCDP's own definition decides: ``best`` is the sum of
    ``deaths_a``, ``deaths_b``, ``deaths_civilians`` and ``deaths_unknown``. If it is, the row is
    a real event with a sound best estimate and a broken range (published GED files have such
    rows: 13 of the 1,000 sample rows of GED 23.1, 7 of them in Afghanistan; 15 of the 2,391 rows
    of Candidate 23.0.10), so it is kept with ``best`` and no low/high, the source's values staying
    in ``source_fields``. If it is not, nothing vouches for any of the three and the row is
    quarantined.
    """
    if row.problem is not None:
        return _quarantine(row, [row.problem])
    v = row.values
    try:
        event_id = v["id"]
        type_code = v["type_of_violence"]
        category = _CATEGORY[type_code]
        if not event_id.isdigit():
            raise _BadRowError
        start = _date(v["date_start"])
        end = _date(v["date_end"])
        date_precision = _DATE_PREC[v["date_prec"]]
        geo_precision = _GEO_PREC[v["where_prec"]]
        lat = float(v["latitude"])
        lon = float(v["longitude"])
        best = _count(v["best"])
        low = _count(v["low"])
        high = _count(v["high"])
        for column in _PART_DEATHS:
            part = v.get(column)
            if part and not part.isdigit():
                raise _BadRowError
        country = GW_TEXT_TO_ISO3.get(v["country_id"]) or row_iso3(v)
        if end < start or not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0) or country is None:
            raise _BadRowError
        ranged: tuple[int | None, int | None] = (low, high)
        if not (low <= best <= high):
            if _parts_sum(v) != best:
                raise _BadRowError
            ranged = (None, None)  # best is vouched for by its parts; the range is not
    except (KeyError, ValueError, _BadRowError):
        return _quarantine(row, diagnose(v))
    return Event(
        source=SOURCE,
        source_event_id=event_id,
        date_start=start,
        date_end=end,
        date_precision=date_precision,
        latitude=lat,
        longitude=lon,
        geo_precision=geo_precision,
        country=country,
        category=category,
        fatalities_best=best,
        fatalities_low=ranged[0],
        fatalities_high=ranged[1],
        actor1=v.get("side_a") or None,
        actor2=v.get("side_b") or None,
        summary=_summary(v, type_code),
        source_ref=f"UCDP GED {version.label}, event {event_id}",
        source_version=version.label,
        source_dataset=version.kind,
        source_fields=without_personal_fields(v),
        marking=Marking.CLEAR,
    )


def _parts_sum(v: dict[str, str]) -> int | None:
    """UCDP's best estimate from its parts, or None if a part is missing or not a count."""
    total = 0
    for column in _PART_DEATHS:
        text = v.get(column, "").strip()
        if not text.isdigit():
            return None
        total += int(text)
    return total


def _quarantine(row: RawRow, problems: list[str]) -> QuarantinedRow:
    event_id = row.values.get("id", "").strip() or None
    reason = "; ".join(problems) if problems else "the row could not be read"
    return QuarantinedRow(row.number, reason, without_personal_fields(row.values), event_id)


def _diagnose_dates(v: dict[str, str], problems: list[str]) -> None:
    dates: dict[str, dt.date] = {}
    for column in ("date_start", "date_end"):
        text = v.get(column, "")
        try:
            dates[column] = _date(text)
        except (ValueError, _BadRowError):
            problems.append(f"{column} {text!r} is not a date like 2021-05-28")
    if len(dates) == 2 and dates["date_end"] < dates["date_start"]:
        problems.append(f"date_end {dates['date_end']} is before date_start {dates['date_start']}")
    prec = v.get("date_prec", "")
    if prec not in _DATE_PREC:
        problems.append(f"unknown date_prec {prec!r} (UCDP uses 1 exact day to 5 year)")


def _diagnose_place(v: dict[str, str], problems: list[str]) -> None:
    prec = v.get("where_prec", "")
    if prec not in _GEO_PREC:
        problems.append(
            f"unknown where_prec {prec!r} (UCDP uses 1 exact place to 7 international waters)"
        )
    coords: dict[str, float] = {}
    for column in ("latitude", "longitude"):
        text = v.get(column, "")
        try:
            coords[column] = float(text)
        except ValueError:
            problems.append(f"{column} {text!r} is not a number")
    if len(coords) == 2:
        lat, lon = coords["latitude"], coords["longitude"]
        lat_ok, lon_ok = -90.0 <= lat <= 90.0, -180.0 <= lon <= 180.0
        if not lat_ok and -90.0 <= lon <= 90.0 and -180.0 <= lat <= 180.0:
            problems.append(
                f"latitude {v['latitude']} and longitude {v['longitude']} appear swapped"
                " (latitude must lie"
                " within -90..90)"
            )
        else:
            if not lat_ok:
                problems.append(f"latitude {v['latitude']} is outside -90..90")
            if not lon_ok:
                problems.append(f"longitude {v['longitude']} is outside -180..180")
    if row_iso3(v) is None:
        problems.append(
            f"cannot tell the country: country_id {v.get('country_id', '')!r} and"
            f" country {v.get('country', '')!r} are both unknown"
        )


def _diagnose_deaths(v: dict[str, str], problems: list[str]) -> None:
    counts: dict[str, int] = {}
    for column in DEATH_COLUMNS:
        text = v.get(column)
        if text is None or (text == "" and column in _PART_DEATHS):
            continue
        stripped = text.strip()
        if stripped.lstrip("-").isdigit() and stripped.startswith("-"):
            problems.append(f"{column} {text!r} is negative")
        elif not stripped.isdigit():
            problems.append(f"{column} {text!r} is not a whole number of deaths")
        else:
            counts[column] = int(stripped)
    if {"low", "best", "high"} <= counts.keys() and not (
        counts["low"] <= counts["best"] <= counts["high"]
    ):
        parts = _parts_sum(v)
        problems.append(
            f"deaths must satisfy low <= best <= high, but low {counts['low']},"
            f" best {counts['best']}, high {counts['high']}, and best is not the sum of"
            f" deaths_a, deaths_b, deaths_civilians and deaths_unknown"
            + (f" ({parts})" if parts is not None else "")
        )


def diagnose(v: dict[str, str]) -> list[str]:
    """Every problem of a record, each as a sentence a person can act on."""
    problems: list[str] = []
    event_id = v.get("id", "")
    if not event_id.strip():
        problems.append("id is missing")
    elif not event_id.isdigit():
        problems.append(f"id {event_id!r} is not a whole number")
    type_code = v.get("type_of_violence", "")
    if type_code not in _CATEGORY:
        problems.append(
            f"unknown type_of_violence {type_code!r}"
            " (UCDP uses 1 state-based, 2 non-state, 3 one-sided)"
        )
    _diagnose_dates(v, problems)
    _diagnose_place(v, problems)
    _diagnose_deaths(v, problems)
    return problems
