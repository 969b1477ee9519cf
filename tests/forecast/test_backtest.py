"""Rolling-origin evaluation: no leakage, skipped steps, the scores and the JSON shape."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from cawarn.domain import InputError
from cawarn.forecast.backtest import model_frame, origin_forecasts, run_backtest, target_matrix
from cawarn.forecast.metrics import SCORE_NAMES
from cawarn.forecast.models import make_models

FIRST, LAST = 400, 459  # 60 months


def panel_frame(seed: int = 0, units: int = 6, big: bool = False) -> pd.DataFrame:
    """A small panel: a few active units with counts, some always 0."""
    rng = np.random.default_rng(seed)
    months = np.arange(FIRST, LAST + 1)
    values = rng.poisson(3.0, size=(months.size, units)) * (rng.random((months.size, units)) < 0.5)
    values[:, -2:] = 0
    if big:
        values[-1, 0] = 5000
    index = pd.MultiIndex.from_product([months, [f"U{i}" for i in range(units)]])
    index.names = ["month_id", "unit"]
    return pd.DataFrame(
        {"fatalities": values.ravel().astype(np.float64), "events": 1.0}, index=index
    )


def run(frame: pd.DataFrame, **kw: object) -> dict:  # type: ignore[type-arg]
    args = {"test_start": 450, "test_end": 455, "steps": 3, "n_samples": 100, **kw}
    return run_backtest(frame, make_models(), **args).to_json()  # type: ignore[arg-type]


def test_no_leakage_data_after_an_origin_does_not_change_its_forecasts() -> None:
    frame = panel_frame()
    changed = frame.copy()
    later = changed.index.get_level_values("month_id") > 452
    changed.loc[later, "fatalities"] = 999.0
    for index, model in enumerate(make_models()):
        drawn = [
            [
                f.samples[f.steps[0]]
                for f in origin_forecasts(
                    model_frame(data, "fatalities"),
                    model,
                    [450, 452],
                    3,
                    n_samples=50,
                    seed=1,
                    model_index=index,
                )
            ]
            for data in (frame, changed)
        ]
        assert len(drawn[0]) == len(drawn[1]) == 6
        for a, b in zip(*drawn, strict=True):
            np.testing.assert_array_equal(a, b)
    # The data did change at the later months, so a later origin sees it.
    last = make_models(["last"])[0]
    after = next(
        origin_forecasts(model_frame(changed, "fatalities"), last, [453], 1, n_samples=5, seed=1)
    )
    assert (after.samples[1] == 999.0).all()


def test_steps_beyond_the_panel_are_skipped_and_counted() -> None:
    out = run(panel_frame(), test_start=455, test_end=459, steps=3)
    # Origins 455..459 with last month 459: 0 + 0 + 1 + 2 + 3 pairs skipped.
    assert out["window"]["skipped_steps"] == 6
    by_step = out["models"]["zero"]["by_step"]
    assert [by_step[s]["n"] for s in ("1", "2", "3")] == [4 * 6, 3 * 6, 2 * 6]
    assert out["models"]["zero"]["overall"]["n"] == 9 * 6


def test_json_shape_and_well_founded_facts() -> None:
    frame = panel_frame()
    out = run(frame)
    json.dumps(out, allow_nan=False)  # NaN written as null
    assert set(out) == {"models", "window", "units"} and out["units"] == 6
    assert list(out["models"]) == ["zero", "last", "mean60", "conflictology", "zinb", "hurdle"]
    assert out["window"]["test_start"] == "2017-06" and out["window"]["origins"] == 6
    assert out["window"]["ignorance_bins_widened"] is False
    matrix = target_matrix(frame, "fatalities")
    y = np.concatenate([matrix.loc[o + s].to_numpy() for o in range(450, 456) for s in (1, 2, 3)])
    for name, model in out["models"].items():
        assert set(model["by_step"]) == {"1", "2", "3"}
        for scores in [*model["by_step"].values(), model["overall"]]:
            assert set(SCORE_NAMES) <= set(scores)
            assert all(v is None or math.isfinite(v) for v in scores.values()), name
        ci = model["ci"]["crps"]
        assert ci["low"] <= ci["estimate"] <= ci["high"]
        assert model["active"]["overall"]["ap"] is None
    zero = out["models"]["zero"]["overall"]
    share_zero = float(np.mean(y == 0))
    assert zero["coverage90"] == pytest.approx(share_zero)
    assert zero["ap"] == pytest.approx(1 - share_zero)  # one threshold: AP is the base rate
    assert zero["crps"] == pytest.approx(y.mean())  # CRPS of 0 against y is y


def test_seed_makes_the_evaluation_reproducible() -> None:
    assert run(panel_frame(), seed=3) == run(panel_frame(), seed=3)
    assert run(panel_frame(), seed=3) != run(panel_frame(), seed=4)


def test_counts_above_1000_widen_the_ignorance_bins() -> None:
    out = run(panel_frame(big=True), test_start=455, test_end=458)
    assert out["window"]["ignorance_bins_widened"] is True
    assert out["models"]["last"]["overall"]["ign"] is not None


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"test_start": 390}, "not inside the panel"),
        ({"test_end": 470}, "not inside the panel"),
        ({"test_start": 405}, "Too little history"),
        ({"test_start": 459, "test_end": 459}, "nothing can be scored"),
        ({"test_start": 455, "test_end": 450}, "before it starts"),
        ({"target": "nope"}, "no target"),
    ],
)
def test_bad_windows_are_one_sentence(kw: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(InputError, match=message):
        run(panel_frame(), **kw)
