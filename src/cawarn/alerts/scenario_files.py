"""A scenario folder as the detectors see it: events, onsets (the truth) and protest waves.

``events.csv`` is read directly (UCDP GED layout plus ``cawarn_category``); the unit of an event
is its country (from the Gleditsch-Ward code) and its ``adm_1`` text. Onsets name their unit by
code and English name, and are matched to events through the same ``adm_1`` text.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cawarn.alerts.series import EventRecord
from cawarn.domain import Category, InputError
from cawarn.geo.countries import iso3_from_gw
from cawarn.scenario.ged_csv import adm1_label

_COLUMNS = [
    "id",
    "date_start",
    "country_id",
    "adm_1",
    "best",
    "latitude",
    "longitude",
    "side_a",
    "side_b",
    "cawarn_category",
]


@dataclass(frozen=True, slots=True)
class Onset:
    """A campaign's start: the unit, the day, and how long it runs (its episode)."""

    unit: str
    day: dt.date
    duration_months: int
    size: float

    @property
    def episode_end(self) -> dt.date:
        """The last day of the campaign's episode."""
        return self.day + dt.timedelta(days=round(self.duration_months * 365.25 / 12))


@dataclass(frozen=True)
class ScenarioData:
    """What the evaluation reads from one scenario folder."""

    name: str
    first: dt.date
    last: dt.date
    events: list[EventRecord]
    onsets: list[Onset]
    protest_waves: pd.DataFrame
    countries: dict[str, str]


def unit_key(country: str, label: str) -> str:
    """The series' name of a unit: ISO3 and its adm_1 text, e.g. 'TJK:Sughd Region'."""
    return f"{country}:{label}"


def read_scenario(folder: Path) -> ScenarioData:
    """Read events.csv, onsets.csv, protest_waves.csv and scenario.json of a scenario folder."""
    paths = {name: folder / name for name in ("events.csv", "onsets.csv", "scenario.json")}
    missing = [name for name, path in paths.items() if not path.is_file()]
    if missing:
        raise InputError(
            f"{folder} is not a scenario folder: {', '.join(missing)} missing; write one with "
            "'cawarn scenario generate --out DIR'."
        )
    meta = json.loads(paths["scenario.json"].read_text(encoding="utf-8"))
    args = meta.get("arguments", {})
    try:
        first = dt.date.fromisoformat(f"{args['start']}-01")
        end = dt.date.fromisoformat(f"{args['end']}-01")
    except (KeyError, ValueError):
        raise InputError(f"{paths['scenario.json']} has no start and end months.") from None
    last = (pd.Timestamp(end) + pd.offsets.MonthEnd(0)).date()
    frame = pd.read_csv(
        paths["events.csv"],
        usecols=_COLUMNS,
        dtype={"id": str, "adm_1": str},
        keep_default_na=False,
    )
    events, countries = _records(frame)
    onsets = []
    for row in pd.read_csv(paths["onsets.csv"], keep_default_na=False).itertuples(index=False):
        key = unit_key(str(row.country), adm1_label(str(row.country), str(row.unit_name)))
        countries.setdefault(key, str(row.country))
        onsets.append(
            Onset(
                unit=key,
                day=dt.date.fromisoformat(str(row.onset_date)),
                duration_months=int(str(row.duration_months)),
                size=float(str(row.size)),
            )
        )
    waves_path = folder / "protest_waves.csv"
    waves = pd.read_csv(waves_path) if waves_path.is_file() else pd.DataFrame()
    return ScenarioData(
        name=str(meta.get("id", folder.name)),
        first=first,
        last=last,
        events=events,
        onsets=onsets,
        protest_waves=waves,
        countries=countries,
    )


def _records(frame: pd.DataFrame) -> tuple[list[EventRecord], dict[str, str]]:
    gw = {code: iso3_from_gw(int(code)) or "" for code in frame["country_id"].unique()}
    countries: dict[str, str] = {}
    events = []
    days = pd.to_datetime(frame["date_start"].str.slice(0, 10)).dt.date
    for row, day in zip(frame.itertuples(index=False), days, strict=True):
        country = gw[row.country_id]
        key = unit_key(country, str(row.adm_1))
        countries[key] = country
        events.append(
            EventRecord(
                event_id=str(row.id),
                day=day,
                unit=key,
                country=country,
                category=Category(str(row.cawarn_category)),
                deaths=int(str(row.best)) if str(row.best) != "" else 0,
                latitude=float(str(row.latitude)),
                longitude=float(str(row.longitude)),
                actors=tuple(str(a) for a in (row.side_a, row.side_b) if str(a)),
            )
        )
    return events, countries
