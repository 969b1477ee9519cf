"""Farrington and EARS from R's surveillance package on a series with a known outbreak."""

from __future__ import annotations

import os

import numpy as np
import pytest

from cawarn.alerts.surveillance import r_available, surveillance_scores
from tests.alerts.conftest import weekly_series

# Under CI a missing R is a failure, not a skip (make test installs it).
pytestmark = pytest.mark.skipif(
    r_available() is None and os.environ.get("CI") != "true",
    reason="R with the surveillance package is not installed (make test installs it)",
)


def test_farrington_and_ears_flag_the_outbreak_week() -> None:
    rng = np.random.default_rng(4)
    counts = rng.poisson([0.05, 2.0, 0.3], size=(220, 3))
    counts[200, 0] = 6  # an outbreak in a calm unit
    weekly = weekly_series(counts)
    farrington, ears = surveillance_scores(weekly, first=170)
    for scores in (farrington, ears):
        assert np.isnan(scores.score[:170]).all()
        assert np.isfinite(scores.score[170:, 1]).all()
        assert scores.model_version.startswith("surveillance ")
    judged = slice(170, 220)
    assert np.nanargmax(farrington.score[judged, 0]) == 30
    assert farrington.score[200, 0] > 3  # p < 0.001
    assert np.nanmax(farrington.score[judged, 1]) < farrington.score[200, 0]
    assert ears.score[200, 0] == np.nanmax(ears.score[judged, 0])
    # EARS' z-score: (count - baseline mean) / baseline sd over the 7 weeks before.
    window = counts[193:200, 1]
    z = (counts[200, 1] - window.mean()) / window.std(ddof=1)
    assert ears.score[200, 1] == pytest.approx(z, rel=1e-6)


def test_the_peers_scores_after_each_day_end_at_their_week_scores() -> None:
    """Farrington's plug-in p-value and EARS' z for a week's events so far: the last step is
    R's own score of the full week (so the p-value is reproduced, not guessed)."""
    rng = np.random.default_rng(5)
    counts = rng.poisson([0.1, 1.5], size=(220, 2))
    weekly = weekly_series(counts)
    # Every week's events spread one a day from Monday, so a week of c events has c steps.
    epoch = np.datetime64("1970-01-01", "D")
    within = {
        (t, j): tuple(
            (int((np.datetime64(weekly.starts[t], "D") - epoch).astype(int)) + k, k + 1)
            for k in range(int(counts[t, j]))
        )
        for t in range(220)
        for j in range(2)
        if counts[t, j] > 0
    }
    farrington, ears = surveillance_scores(weekly, first=170, within=within)
    judged_cells = [(t, j) for (t, j) in within if t >= 170]
    for scores in (farrington, ears):
        # Farrington keeps its steps only where it reproduces R's p-value: nearly everywhere.
        assert len([k for k in judged_cells if k in scores.steps]) >= 0.95 * len(judged_cells)
        for (t, j), steps in scores.steps.items():
            values = [v for _, v in steps]
            assert values[-1] == pytest.approx(scores.score[t, j], rel=1e-6, abs=1e-9)
            assert values == sorted(values)
