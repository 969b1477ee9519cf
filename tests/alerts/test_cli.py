"""``cawarn alerts evaluate`` through the real command line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cawarn.alerts.surveillance import r_available
from tests.cli.helpers import cawarn, one_sentence_error


def test_evaluate_json_shape(scenario_dir: Path, tmp_path: Path) -> None:
    result = cawarn(
        tmp_path / "home", "--quiet", "alerts", "evaluate", "--scenario", str(scenario_dir),
        "--json", "--no-r", "--false-alarm-rate", "2", "--calibration-years", "2",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert set(out["detectors"]) == {"surge", "cusum", "onset", "risk"}
    for name, figures in out["detectors"].items():
        assert {"pod", "false_alarms_per_100", "median_delay_days"} <= set(figures), name
        assert 0 <= figures["pod"] <= 1
        assert figures["onsets"] == out["onsets_in_test"] > 0
        assert figures["false_alarms_per_100"] >= 0
        assert figures["median_delay_days"] is None or 0 <= figures["median_delay_days"] <= 30
        # Calibrated on the calibration years to 2 alerts per 100 unit-months.
        assert figures["calibration_false_alarms_per_100"] <= 2.0
    assert out["test"] == ["2018-01-01", "2021-12-31"]
    assert out["detectors"]["surge"]["params"]["model"] == "zinb"


def test_evaluate_table_and_mistakes(scenario_dir: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    table = cawarn(
        home, "--quiet", "alerts", "evaluate", "--scenario", str(scenario_dir), "--no-r",
        "--matched", "--calibration-years", "2", "--model", "conflictology",
    )  # fmt: skip
    assert table.returncode == 0, table.stderr
    assert "POD" in table.stdout and "cusum" in table.stdout and "matched" in table.stdout
    missing = cawarn(home, "alerts", "evaluate", "--scenario", str(tmp_path / "nowhere"), "--no-r")
    assert "is not a scenario folder" in one_sentence_error(missing)
    assert missing.returncode == 2
    bad = cawarn(home, "alerts", "evaluate", "--scenario", str(scenario_dir), "--model", "nope")
    assert "Unknown model nope" in one_sentence_error(bad)
    rate = cawarn(home, "alerts", "evaluate", "--scenario", str(scenario_dir), "--false-alarm-rate",
                  "0", "--no-r")  # fmt: skip
    assert "--false-alarm-rate must be above 0" in one_sentence_error(rate)


def test_evaluate_without_r_fails_with_one_sentence(scenario_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    result = cawarn(
        tmp_path / "home", "alerts", "evaluate", "--scenario", str(scenario_dir),
        env={"PATH": str(empty)},
    )  # fmt: skip
    message = one_sentence_error(result)
    assert "needs R with the surveillance package" in message
    assert result.returncode == 3


@pytest.mark.slow
@pytest.mark.skipif(
    r_available() is None and os.environ.get("CI") != "true",
    reason="R with the surveillance package is not installed (make test installs it)",
)
def test_evaluate_with_farrington_and_ears_at_a_matched_rate(
    scenario_dir: Path, tmp_path: Path
) -> None:
    result = cawarn(
        tmp_path / "home", "--quiet", "alerts", "evaluate", "--scenario", str(scenario_dir),
        "--json", "--matched", "--countries", "TJK,KGZ", "--calibration-years", "2",
        "--false-alarm-rate", "3",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    detectors = json.loads(result.stdout)["detectors"]
    assert set(detectors) == {"surge", "cusum", "onset", "risk", "farrington", "ears"}
    assert detectors["farrington"]["model_version"].startswith("surveillance ")
    for name in ("surge", "cusum", "onset", "farrington", "ears"):
        # Matched on the test period: every weekly detector at (nearly) the same rate.
        assert 2.0 <= detectors[name]["false_alarms_per_100"] <= 3.0, name
