"""Synthetic scenario rows: marked as simulated end to end, never mixed with real data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import cawarn, one_sentence_error
from tests.conftest import BOUNDARIES, GED_SAMPLE
from tests.ged_files import region_rows, write_rows

SOURCE = "synthetic:test-7"


def _scenario(folder: Path) -> Path:
    """A tiny scenario folder made by hand: real sample rows, marked, one of them a protest."""
    header, rows = region_rows(GED_SAMPLE)
    marked = []
    for i, row in enumerate(rows[:20]):
        category = {"1": "armed_clash", "2": "armed_clash", "3": "attack_on_civilians"}[
            row["type_of_violence"]
        ]
        extra = {"cawarn_source": SOURCE, "cawarn_category": category}
        if i == 0:
            extra["cawarn_category"] = "protest"
            row = {**row, "type_of_violence": ""}
        if i == 1:
            extra["cawarn_source"] = "synthetic:other"
        if i == 2:
            extra["cawarn_category"] = "picnic"
        marked.append({**row, **extra})
    folder.mkdir()
    write_rows(folder / "events.csv", [*header, "cawarn_source", "cawarn_category"], marked)
    (folder / "scenario.json").write_text(json.dumps({"id": "test-7"}), encoding="utf-8")
    return folder


@pytest.fixture
def node(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    assert cawarn(home, "init").returncode == 0
    assert cawarn(home, "--quiet", "geo", "import", str(BOUNDARIES)).returncode == 0
    return home


def test_scenario_rows_stay_marked_as_simulated(node: Path, tmp_path: Path) -> None:
    folder = _scenario(tmp_path / "scn")
    result = cawarn(node, "--quiet", "ingest", "scenario", str(folder))
    assert result.returncode == 0, result.stderr
    assert "simulated" in result.stdout
    status = json.loads(cawarn(node, "status", "--json").stdout)
    assert status["events"]["by_source"] == {SOURCE: 18}
    assert status["synthetic_sources"] == [SOURCE]
    assert status["quarantine"]["total"] == 2
    rows = [
        json.loads(line)
        for line in cawarn(node, "events", "--json", "--limit", "100").stdout.splitlines()
    ]
    assert {r["source"] for r in rows} == {SOURCE}
    protest = [r for r in rows if r["category"] == "protest"]
    assert len(protest) == 1 and "simulated" in protest[0]["summary"]
    assert all("simulated" in r["source_ref"] for r in rows)
    table = cawarn(node, "events")
    assert "simulated" in table.stdout
    reasons = [
        json.loads(line)["reason"]
        for line in cawarn(node, "quarantine", "--json").stdout.splitlines()
    ]
    assert any("synthetic:other" in r for r in reasons)
    assert any("'picnic' is not one of" in r for r in reasons)
    exported = cawarn(node, "events", "export", "--format", "csv")
    assert exported.stdout.count("(simulated, not a real event)") == 18
    assert "18 of them are SIMULATED" in exported.stderr


def test_a_scenario_file_is_refused_as_real_ged(node: Path, tmp_path: Path) -> None:
    folder = _scenario(tmp_path / "scn")
    line = one_sentence_error(
        cawarn(node, "ingest", "ucdp-ged", str(folder / "events.csv"), "--version", "23.1")
    )
    assert "cawarn ingest scenario" in line


def test_a_folder_without_scenario_json_is_refused(node: Path, tmp_path: Path) -> None:
    line = one_sentence_error(cawarn(node, "ingest", "scenario", str(tmp_path)))
    assert "scenario.json" in line
