"""Scenarios scored one by one and pooled evaluate as one panel of their units."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from cawarn.alerts.comparison import (
    EvaluationSettings,
    ScoredScenario,
    compute_scores,
    evaluate_scored,
    pool_scored,
)
from cawarn.domain import InputError

SETTINGS = EvaluationSettings(with_r=False, model="mean60", n_samples=200)


@pytest.fixture(scope="module")
def one(scenario_dir: Path) -> ScoredScenario:
    """The test scenario scored once (a cheap model: pooling is what is tested)."""
    return compute_scores([scenario_dir], SETTINGS)


def test_a_scenario_pooled_with_its_copy_scores_the_same_on_twice_the_onsets(
    one: ScoredScenario,
) -> None:
    settings = SETTINGS
    twin = replace(one, data=replace(one.data, name="twin"))
    both = pool_scored([one, twin])
    assert len(both.data.countries) == 2 * len(one.data.countries)
    assert all("/" in unit for unit in both.data.countries)
    for scores in both.scores:
        assert scores.score.shape[1] == 2 * len(one.data.countries)
    for matched in (False, True):
        run = replace(settings, matched=matched)
        alone = evaluate_scored(one, run)
        pooled = evaluate_scored(both, run)
        assert pooled.onsets == 2 * alone.onsets
        for name, mine in alone.detectors.items():
            theirs = pooled.detectors[name]
            assert theirs.detected == 2 * mine.detected, name
            assert theirs.pod == pytest.approx(mine.pod), name
            assert theirs.median_delay_days == mine.median_delay_days, name
            assert theirs.false_alarms_per_100 == pytest.approx(mine.false_alarms_per_100), name


def test_pooling_needs_the_same_detectors(one: ScoredScenario) -> None:
    fewer = replace(one, data=replace(one.data, name="b"), scores=one.scores[:1])
    with pytest.raises(InputError, match="did not run on every pooled scenario"):
        pool_scored([one, fewer])
