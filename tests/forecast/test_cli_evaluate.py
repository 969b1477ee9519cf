"""``cawarn forecast evaluate`` end to end on a small demo-like node built with the real CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tests.cli.helpers import cawarn, one_sentence_error
from tests.conftest import BOUNDARIES

EVALUATE = ("forecast", "evaluate", "--level", "admin1")
WINDOW = ("--test-start", "2018-01", "--test-end", "2018-06", "--steps", "3", "--samples", "200")


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A node with a 2015-2019 scenario and its admin-1 panel."""
    root = tmp_path_factory.mktemp("forecast-node")
    home, scenario = root / "home", root / "scenario"
    for args in (
        ("init",),
        ("geo", "import", str(BOUNDARIES)),
        ("scenario", "generate", "--start", "2015-01", "--end", "2019-12", "--out", str(scenario)),
        ("ingest", "scenario", str(scenario)),
        ("panel", "build", "--level", "admin1"),
    ):
        result = cawarn(home, "-q", *args)
        assert result.returncode == 0, result.stderr
    return home


def test_evaluate_json_on_the_scenario(node: Path) -> None:
    result = cawarn(node, "-q", *EVALUATE, *WINDOW, "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert list(out["models"]) == ["zero", "last", "mean60", "conflictology", "zinb", "hurdle"]
    assert out["units"] == 82 and out["panel"]["synthetic"] is True
    window = out["window"]
    assert (window["test_start"], window["test_end"], window["steps"]) == ("2018-01", "2018-06", 3)
    assert window["skipped_steps"] == 0 and window["samples"] == 200
    for model in out["models"].values():
        assert set(model["by_step"]) == {"1", "2", "3"}
        for scores in [*model["by_step"].values(), model["overall"]]:
            assert {"crps", "brier", "ap", "msle", "ign", "coverage90"} <= set(scores)
            assert all(v is None or math.isfinite(v) for v in scores.values())
            assert scores["n"] == (82 * 6 * 3 if scores is model["overall"] else 82 * 6)
    zero = out["models"]["zero"]
    for scores in [*zero["by_step"].values(), zero["overall"]]:
        # The zero forecast covers exactly the zeros and ranks every unit-month the same.
        share_zero = 1 - scores["brier"]
        assert scores["coverage90"] == pytest.approx(share_zero)
        assert scores["ap"] is None or scores["ap"] == pytest.approx(1 - share_zero)


def test_evaluate_prints_tables(node: Path) -> None:
    result = cawarn(node, "-q", *EVALUATE, *WINDOW, "--models", "zero,conflictology")
    assert result.returncode == 0, result.stderr
    assert "CRPS" in result.stdout and "average precision" in result.stdout
    assert "conflictology" in result.stdout and "SIMULATED" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("forecast", "evaluate", "--level", "oblast", *WINDOW[:4]), "level"),
        ((*EVALUATE, "--test-start", "2019-06", "--test-end", "2020-06"), "not inside the panel"),
        ((*EVALUATE, *WINDOW[:4], "--models", "zero,oracle"), "Unknown model oracle"),
    ],
)
def test_bad_input_is_one_sentence(node: Path, args: tuple[str, ...], message: str) -> None:
    assert message in one_sentence_error(cawarn(node, *args))


def test_evaluation_is_stored_with_a_report_and_the_oracle(node: Path) -> None:
    scenario = node.parent / "scenario"
    args = (*EVALUATE, *WINDOW, "--models", "conflictology,hurdle", "--seeds", "2")
    result = cawarn(node, "-q", *args, "--scenario", str(scenario), "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert list(out["models"]) == ["conflictology", "hurdle", "oracle"]
    hurdle = out["models"]["hurdle"]
    assert set(hurdle["seeds"]) == {"0", "1"}  # joined over the two training seeds
    crps_by_seed = [s["crps"] for s in hurdle["seeds"].values()]
    assert hurdle["overall"]["crps"] == pytest.approx(sum(crps_by_seed) / 2)
    versions = {m["name"]: m for m in out["model_versions"]}
    assert versions["hurdle"]["seeds"] == [0, 1] and "lightgbm" in versions["hurdle"]["version"]
    assert versions["oracle"]["params"]["scenario"].startswith("s")
    # The oracle knows the scenario's own expectations: no model does better at step 1.
    assert out["models"]["oracle"]["by_step"]["1"]["crps"] < hurdle["by_step"]["1"]["crps"] * 1.05
    report = Path(out["report"])
    assert report.parent == node / "reports" / f"evaluation-{out['run_id']}"
    text = report.read_text(encoding="utf-8")
    assert "## Targets" in text and "SIMULATED" in text and "crps_vs_oracle" in text
    for png in ("skill_by_step.png", "reliability.png", "pit.png"):
        data = (report.parent / png).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 5_000
    assert f"({png})" in text


def test_forecast_run_then_show(node: Path) -> None:
    run = cawarn(
        node, "-q", "forecast", "run", "--level", "admin1", "--steps", "3", "--samples", "300"
    )
    assert run.returncode == 0, run.stderr
    assert "Stored live forecast run" in run.stdout and "SIMULATED" in run.stdout
    shown = cawarn(
        node, "forecast", "show", "--level", "admin1", "--step", "2", "--top", "5", "--json"
    )
    assert shown.returncode == 0, shown.stderr
    out = json.loads(shown.stdout)
    assert out["run"]["steps"] == 3 and out["run"]["synthetic"] is True
    assert out["run"]["models"][0]["name"] == "hurdle"
    rows = out["forecasts"]
    assert len(rows) == 5 and all(r["step"] == 2 for r in rows)
    assert [r["p_positive"] for r in rows] == sorted((r["p_positive"] for r in rows), reverse=True)
    for r in rows:
        assert r["month_id"] == out["run"]["train_last"] + 2
        assert 0 <= r["p_positive"] <= 1 and r["q05"] <= r["q50"] <= r["q95"]
        assert len(r["exceed"]) == 10 and r["exceed"] == sorted(r["exceed"], reverse=True)
        assert r["exceed"][0] == pytest.approx(r["p_positive"])  # P(y > 0.5) = P(y > 0)
    one = cawarn(node, "forecast", "show", "--unit", rows[0]["unit"], "--json")
    assert [r["step"] for r in json.loads(one.stdout)["forecasts"]] == [1, 2, 3]
    status = json.loads(cawarn(node, "status", "--json").stdout)
    live = [f for f in status["forecasts"] if f["kind"] == "live"]
    assert [(f["level"], f["run"]) for f in live] == [("admin1", out["run"]["id"])]
    table = cawarn(node, "forecast", "show", "--level", "admin1")
    assert table.returncode == 0 and "P(y>0)" in table.stdout
    assert "no unit 'XX-00'" in one_sentence_error(
        cawarn(node, "forecast", "show", "--unit", "XX-00")
    )


def test_show_without_a_run_says_what_to_do(tmp_path: Path) -> None:
    home = tmp_path / "empty"
    assert cawarn(home, "-q", "init").returncode == 0
    message = one_sentence_error(cawarn(home, "forecast", "show"))
    assert "cawarn forecast run" in message
