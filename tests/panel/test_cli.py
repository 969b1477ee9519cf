"""``cawarn panel`` as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import cawarn, one_sentence_error
from tests.conftest import BOUNDARIES
from tests.panel.conftest import EVENTS, write_scenario
from tests.panel.test_import import SERIES


@pytest.fixture
def node(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    assert cawarn(home, "init").returncode == 0
    return home


@pytest.mark.slow
def test_build_list_show(node: Path, tmp_path: Path) -> None:
    assert cawarn(node, "--quiet", "geo", "import", str(BOUNDARIES)).returncode == 0
    folder = write_scenario(tmp_path / "scn", EVENTS)
    assert cawarn(node, "--quiet", "ingest", "scenario", str(folder)).returncode == 0
    result = cawarn(node, "panel", "build", "--level", "admin1")
    assert result.returncode == 0, result.stderr
    assert "82 units × 4 months" in result.stdout and "SIMULATED" in result.stdout
    assert (node / "panels" / "admin1.parquet").is_file()
    listed = [
        json.loads(line) for line in cawarn(node, "panel", "list", "--json").stdout.splitlines()
    ]
    assert [(r["level"], r["rows"], r["synthetic"]) for r in listed] == [("admin1", 328, True)]
    shown = cawarn(node, "panel", "show", "--level", "admin1", "--unit", "TJ-KT", "--json")
    rows = [json.loads(line) for line in shown.stdout.splitlines()]
    assert [r["fatalities"] for r in rows] == [5, 0, 0, 0]
    assert "TJ-KT" in cawarn(node, "panel", "show", "--level", "admin1", "--unit", "tj-kt").stdout


def test_import_prints_a_summary(node: Path) -> None:
    result = cawarn(node, "panel", "import", str(SERIES), "--name", "ucdp")
    assert result.returncode == 0, result.stderr
    assert "348 quarantined" in result.stdout and "132 units × 348 months" in result.stdout
    again = cawarn(node, "panel", "import", str(SERIES), "--name", "ucdp")
    assert "same file" in again.stdout


def test_bad_input_is_one_sentence(node: Path, tmp_path: Path) -> None:
    assert "not a panel level" in one_sentence_error(
        cawarn(node, "panel", "build", "--level", "province")
    )
    assert "no events" in one_sentence_error(cawarn(node, "panel", "build", "--level", "country"))
    folder = write_scenario(tmp_path / "scn", EVENTS)
    assert cawarn(node, "--quiet", "ingest", "scenario", str(folder)).returncode == 0
    assert "No admin-1 boundaries" in one_sentence_error(
        cawarn(node, "panel", "build", "--level", "pgm")
    )
    assert "not a month" in one_sentence_error(
        cawarn(node, "panel", "build", "--level", "country", "--start", "2020-13")
    )
    assert "Cannot read" in one_sentence_error(
        cawarn(node, "panel", "import", str(tmp_path / "missing.csv"))
    )
    assert "no column 'nope'" in one_sentence_error(
        cawarn(node, "panel", "import", str(SERIES), "--value-column", "nope")
    )
    assert "no panel admin1" in one_sentence_error(
        cawarn(node, "panel", "show", "--level", "admin1")
    )
