"""``cawarn demo --no-serve``: the demo path end to end, on the local boundary folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import cawarn, one_sentence_error
from tests.conftest import BOUNDARIES


@pytest.mark.slow
def test_demo_builds_a_living_node(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    env = {"CAWARN_GEO_SOURCE": str(BOUNDARIES)}
    # The same path and defaults as `make demo` (the full 2000-2024 scenario).
    args = ("demo", "--no-serve")
    result = cawarn(home, *args, env=env)
    assert result.returncode == 0, result.stderr
    assert "[6/7]" in result.stderr and "SIMULATED" in result.stdout
    users = cawarn(home, "user", "list").stdout
    assert "demo.admin" in users and "demo.analyst" in users and "analyst" in users
    assert "demo.analyst, password: " in result.stdout
    meta = json.loads((home / "scenario" / "scenario.json").read_text(encoding="utf-8"))
    status = json.loads(cawarn(home, "status", "--json").stdout)
    source = f"synthetic:{meta['id']}"
    assert status["synthetic_sources"] == [source]
    assert list(status["events"]["by_source"]) == [source]
    assert status["events"]["total"] > 0
    assert status["quarantine"]["total"] == 0  # the generator writes only valid rows
    assert "protest" in status["events"]["by_category"]
    assert {b["country"] for b in status["boundaries"]} >= {"AFG", "TJK", "UZB", "TKM"}
    panels = {p["level"]: p for p in status["panels"]}
    assert set(panels) == {"country", "admin1", "pgm"}
    assert all(p["synthetic"] for p in panels.values())
    assert panels["admin1"]["units"] == 82 and panels["admin1"]["rows"] == 82 * 300
    # Live forecasts of the 12 months after the data, by the main model.
    shown = json.loads(cawarn(home, "forecast", "show", "--level", "admin1", "--json").stdout)
    assert shown["run"]["steps"] == 12 and shown["run"]["models"][0]["name"] == "hurdle"
    assert len(shown["forecasts"]) == 20 and shown["run"]["synthetic"] is True
    # A second demo does not silently wipe the node; --reset does.
    again = one_sentence_error(cawarn(home, *args, env=env))
    assert "--reset" in again
    # (A shorter scenario keeps the test's time down; a fresh node holds only its events.)
    reset = cawarn(home, *args, "--reset", "--start", "2022-01", env=env)
    assert reset.returncode == 0, reset.stderr
    rebuilt = json.loads(cawarn(home, "status", "--json").stdout)
    assert 0 < rebuilt["events"]["total"] < status["events"]["total"]
    assert rebuilt["synthetic_sources"] != status["synthetic_sources"]


def test_demo_refuses_to_delete_a_folder_that_is_not_a_node(tmp_path: Path) -> None:
    home = tmp_path / "precious"
    home.mkdir()
    (home / "thesis.txt").write_text("do not delete", encoding="utf-8")
    line = one_sentence_error(cawarn(home, "demo", "--no-serve", "--reset"))
    assert "not a cawarn node home" in line
    assert (home / "thesis.txt").exists()
