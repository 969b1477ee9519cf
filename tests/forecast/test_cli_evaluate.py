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
