"""Fixtures for panel tests: a store with the real boundaries and small known sets of events."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from cawarn.config import Settings
from cawarn.ingest.pipeline import ingest
from cawarn.ingest.ucdp import GedReader, open_scenario, open_ucdp_ged
from tests.conftest import GED_SAMPLE
from tests.ged_files import read_rows, write_rows

SOURCE_ID = "panel-test"
SOURCE = f"synthetic:{SOURCE_ID}"
#: Points inside known units (checked against the boundaries).
PLACES = {
    "TJ-KT": (37.84, 68.78, "702", "Tajikistan"),  # Khatlon, borders Kunduz
    "TJ-DU": (38.56, 68.78, "702", "Tajikistan"),
    "AF-KDZ": (36.73, 68.86, "700", "Afghanistan"),  # Kunduz, on the Tajik border
    "AF-KAB": (34.53, 69.17, "700", "Afghanistan"),
    "KZ-75": (43.24, 76.95, "705", "Kazakhstan"),
}
TOV = {"armed_clash": "1", "attack_on_civilians": "3", "protest": ""}


def ged_row(
    template: dict[str, str],
    event_id: int,
    place: str,
    start: str,
    best: int,
    category: str = "armed_clash",
    end: str | None = None,
) -> dict[str, str]:
    """A GED row (with the scenario's category column) at a known place and date."""
    lat, lon, gw, country = PLACES[place]
    return {
        **template,
        "id": str(event_id),
        "relid": f"T-{event_id}",
        "type_of_violence": TOV[category],
        "where_prec": "1",
        "adm_1": "",
        "adm_2": "",
        "latitude": str(lat),
        "longitude": str(lon),
        "geom_wkt": f"POINT ({lon} {lat})",
        "priogrid_gid": "",
        "country": country,
        "country_id": gw,
        "date_prec": "1",
        "date_start": f"{start} 00:00:00.000",
        "date_end": f"{end or start} 00:00:00.000",
        "deaths_a": str(best),
        "deaths_b": "0",
        "deaths_civilians": "0",
        "deaths_unknown": "0",
        "best": str(best),
        "low": str(best),
        "high": str(best),
        "cawarn_source": SOURCE,
        "cawarn_category": category,
    }


#: The known events: (id, place, date_start, best, category[, date_end]).
EVENTS: list[tuple] = [  # type: ignore[type-arg]
    (1, "TJ-KT", "2020-01-15", 3, "armed_clash"),
    (2, "TJ-KT", "2020-01-31", 2, "attack_on_civilians", "2020-02-02"),
    (3, "TJ-KT", "2020-02-10", 5, "protest"),
    (4, "AF-KDZ", "2020-02-05", 7, "armed_clash"),
    (5, "AF-KAB", "2020-04-20", 0, "armed_clash"),
    (6, "TJ-DU", "2020-03-03", 1, "attack_on_civilians"),
]


def write_scenario(folder: Path, events: list[tuple]) -> Path:  # type: ignore[type-arg]
    """A scenario folder holding exactly these events."""
    header, rows = read_rows(GED_SAMPLE)
    template = rows[0]
    folder.mkdir(parents=True, exist_ok=True)
    out = [ged_row(template, e[0], e[1], e[2], e[3], e[4], *(e[5:])) for e in events]
    write_rows(folder / "events.csv", [*header, "cawarn_source", "cawarn_category"], out)
    (folder / "scenario.json").write_text(json.dumps({"id": SOURCE_ID}), encoding="utf-8")
    return folder


def load_scenario(engine: sa.Engine, settings: Settings, folder: Path) -> None:
    """Ingest a scenario folder through the real pipeline."""
    ged, source = open_scenario(settings, folder)
    with ged:
        ingest(engine, settings, GedReader(ged, set(settings.region), synthetic=source))


def load_real(engine: sa.Engine, settings: Settings, path: Path) -> None:
    """Ingest real GED rows."""
    with open_ucdp_ged(settings, str(path), version="23.1") as ged:
        ingest(engine, settings, GedReader(ged, set(settings.region)))


@pytest.fixture
def known(store: sa.Engine, backend: Settings, tmp_path: Path) -> sa.Engine:
    """A store holding the known events."""
    load_scenario(store, backend, write_scenario(tmp_path / "scn", EVENTS))
    return store
