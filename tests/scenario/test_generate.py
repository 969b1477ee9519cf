"""Generation end to end: files, layout, determinism, marking and the GED mapping."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from cawarn.domain import Category, Event, InputError
from cawarn.scenario import (
    EXTRA_COLUMNS,
    GED_COLUMNS,
    ScenarioParams,
    ScenarioResult,
    generate,
    scenario_id,
)
from cawarn.sources.ucdp_ged_rows import map_row
from cawarn.sources.ucdp_ged_schema import RawRow
from cawarn.sources.ucdp_ged_version import GedVersion
from tests.scenario.conftest import END, PARAMS, SEED, START, Units

SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ucdp-ged-sample"


def _first_line(path: Path) -> str:
    with path.open(encoding="utf-8") as handle:
        return handle.readline().strip()


def test_header_is_the_official_ged_header_then_two_cawarn_columns(
    scenario: ScenarioResult,
) -> None:
    official = _first_line(SAMPLE / "ged231_sample_1000.csv")
    header = _first_line(scenario.paths["events.csv"])
    assert header.split(",") == official.split(",") + list(EXTRA_COLUMNS)
    assert len(GED_COLUMNS) == 49


def test_every_row_is_marked_synthetic_with_the_scenario_id(
    scenario: ScenarioResult, events: list[dict[str, str]]
) -> None:
    assert scenario.scenario_id == scenario_id(SEED, START, END, 1.0, PARAMS)
    assert scenario.scenario_id.startswith(f"s{SEED}-{START}-{END}-x1-p")
    assert {row["cawarn_source"] for row in events} == {f"synthetic:{scenario.scenario_id}"}
    assert {row["cawarn_category"] for row in events} == {
        "armed_clash",
        "attack_on_civilians",
        "protest",
    }
    assert all(row["source_article"] == row["source_headline"] == "" for row in events)


def test_default_parameters_give_the_plain_id() -> None:
    assert scenario_id(3, "2000-01", "2024-12", 100.0) == "s3-2000-01-2024-12-x100"
    assert scenario_id(3, "2000-01", "2024-12", 0.5, ScenarioParams()) == "s3-2000-01-2024-12-x0p5"


def test_rows_are_sorted_by_date_then_id_and_ids_are_unique(events: list[dict[str, str]]) -> None:
    keys = [(row["date_start"], int(row["id"])) for row in events]
    assert keys == sorted(keys)
    assert len({row["id"] for row in events}) == len(events)


def test_counts_agree_with_the_files(
    scenario: ScenarioResult, events: list[dict[str, str]], admin1: list[dict[str, str]]
) -> None:
    assert scenario.events_written == len(events)
    assert scenario.events_drawn == scenario.violent + scenario.protest
    assert scenario.events_written + scenario.unreported == scenario.events_drawn
    assert scenario.violent == sum(int(r["observed_violent"]) for r in admin1)
    assert scenario.protest == sum(int(r["observed_protest"]) for r in admin1)
    written_violent = sum(row["cawarn_category"] != "protest" for row in events)
    assert written_violent == sum(int(r["observed_reported"]) for r in admin1)
    assert len(admin1) == scenario.months * scenario.units == 36 * 82


def test_reporting_lag_dates_and_unreported_events(
    scenario: ScenarioResult, events: list[dict[str, str]]
) -> None:
    assert all(row["date_start"][:10] <= row["source_date"] <= f"{END}-31" for row in events)
    lags = [row["source_date"] != row["date_start"][:10] for row in events]
    assert 0.5 < sum(lags) / len(lags) < 1.0
    assert scenario.unreported > 0  # events near the end are not reported yet


def test_every_violent_row_maps_to_an_event_without_quarantine(
    events: list[dict[str, str]],
) -> None:
    version = GedVersion.parse("23.1")
    violent = [row for row in events if row["cawarn_category"] != "protest"]
    assert len(violent) > 1000
    for number, row in enumerate(violent, start=1):
        values = {k: v for k, v in row.items() if k in GED_COLUMNS}
        mapped = map_row(RawRow(number, values), version)
        assert isinstance(mapped, Event), mapped
        assert mapped.category == Category(row["cawarn_category"])
        assert mapped.fatalities_low is not None  # low <= best <= high held


def test_protest_rows_have_no_type_of_violence_and_no_deaths(events: list[dict[str, str]]) -> None:
    protests = [row for row in events if row["cawarn_category"] == "protest"]
    assert protests
    assert {row["type_of_violence"] for row in protests} == {""}
    assert {row["best"] for row in protests} == {"0"}
    assert {row["side_a"] for row in protests} == {"Protesters"}


def test_same_arguments_give_byte_identical_files(
    units: Units, scenario: ScenarioResult, tmp_path: Path
) -> None:
    again = generate(units, seed=SEED, start=START, end=END, out_dir=tmp_path, params=PARAMS)
    for name, path in scenario.paths.items():
        assert again.paths[name].read_bytes() == path.read_bytes(), name
    manifest = json.loads(again.paths["scenario.json"].read_text(encoding="utf-8"))
    assert manifest["id"] == scenario.scenario_id
    assert manifest["params"]["campaign_rate_per_year"] == 3.0
    assert manifest["counts"]["events_written"] == scenario.events_written
    assert set(manifest["files"]) == {p.name for p in scenario.paths.values()} - {"scenario.json"}


def test_another_seed_gives_other_events_and_progress_reports_them(
    units: Units, scenario: ScenarioResult, tmp_path: Path
) -> None:
    seen: list[tuple[int, int]] = []
    other = generate(
        units,
        seed=SEED + 1,
        start=START,
        end=END,
        out_dir=tmp_path,
        params=PARAMS,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert other.scenario_id != scenario.scenario_id
    assert other.paths["events.csv"].read_bytes() != scenario.paths["events.csv"].read_bytes()
    assert seen and seen[-1] == (other.events_drawn, other.events_drawn)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": "2000-13"}, "not a month"),
        ({"start": "2001-01", "end": "2000-12"}, "before the start"),
        ({"seed": -1}, "seed"),
        ({"scale": 0.0}, "scale"),
    ],
)
def test_bad_arguments_are_refused(
    units: Units, tmp_path: Path, kwargs: dict[str, object], message: str
) -> None:
    arguments: dict[str, object] = {"seed": 1, "start": "2000-01", "end": "2000-02"} | kwargs
    with pytest.raises(InputError, match=message):
        generate(units, out_dir=tmp_path, **arguments)  # type: ignore[arg-type]


def test_bad_parameters_are_refused(units: Units, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="p_attack_on_civilians"):
        generate(
            units,
            seed=1,
            start="2000-01",
            end="2000-02",
            out_dir=tmp_path,
            params=replace(ScenarioParams(), p_attack_on_civilians=1.5),
        )
