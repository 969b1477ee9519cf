"""Alarms dated by the day they became true: running counts within a week, every detector's score
after each day's events, the evaluation's delays and the live scan's mid-week alarms."""

from __future__ import annotations

import datetime as dt

import numpy as np

from cawarn.alerts.calibrate import break_ties
from cawarn.alerts.cusum import cusum_scores
from cawarn.alerts.evaluate import Windows, evaluate_detector
from cawarn.alerts.forecasts import monthly_forecasts
from cawarn.alerts.scan import ScanInput, ScanSettings, cusum_candidates
from cawarn.alerts.scenario_files import Onset
from cawarn.alerts.scores import Scores
from cawarn.alerts.series import EventRecord, count_series, period_steps
from cawarn.alerts.surge import surge_scores
from cawarn.domain import Category

FIRST = dt.date(2010, 1, 4)  # a Monday


def _event(i: int, day: dt.date, unit: str = "KG-OS", deaths: int = 1) -> EventRecord:
    return EventRecord(f"e{i}", day, unit, "KGZ", Category.ARMED_CLASH, deaths)


def _day(n: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=n)


def test_period_steps_are_running_counts_by_day() -> None:
    week = FIRST + dt.timedelta(weeks=3)
    events = [
        _event(1, week + dt.timedelta(days=4)),
        _event(2, week + dt.timedelta(days=1)),
        _event(3, week + dt.timedelta(days=4)),
        _event(4, week + dt.timedelta(days=2), deaths=0),  # not fatal: not counted
        EventRecord("p", week, "KG-OS", "KGZ", Category.PROTEST, 5),  # protest never counts
    ]
    weekly = count_series(events, freq="week", first=FIRST, last=week + dt.timedelta(days=6))
    steps = period_steps(events, weekly)
    assert list(steps) == [(3, 0)]
    assert [(_day(d), c) for d, c in steps[(3, 0)]] == [
        (week + dt.timedelta(days=1), 1),
        (week + dt.timedelta(days=4), 3),
    ]
    assert steps[(3, 0)][-1][1] == weekly.counts[3, 0]


def _calm_then_busy_week() -> tuple[list[EventRecord], dt.date]:
    events = [_event(i, FIRST + dt.timedelta(weeks=8 * i)) for i in range(40)]
    busy = FIRST + dt.timedelta(weeks=330)  # Monday of the busy week
    events += [_event(100 + k, busy + dt.timedelta(days=k)) for k in range(5)]  # Mon..Fri
    return events, busy


def test_every_weekly_detector_ends_its_steps_at_the_week_score() -> None:
    events, busy = _calm_then_busy_week()
    last = busy + dt.timedelta(days=6)
    weekly = count_series(events, freq="week", first=FIRST, last=last)
    monthly = count_series(events, freq="month", first=FIRST, last=last)
    within = period_steps(events, weekly)
    forecasts = monthly_forecasts(monthly, model="mean60", steps=1, n_samples=500)
    for scores in (
        cusum_scores(weekly, within=within),
        surge_scores(weekly, monthly, forecasts, within=within),
    ):
        assert scores.steps, scores.detector
        for (t, j), steps in scores.steps.items():
            values = [v for _, v in steps]
            assert np.isclose(values[-1], scores.score[t, j]), scores.detector
            assert values == sorted(values), scores.detector  # the score only rises
        t = weekly.period_of(busy)
        values = [v for _, v in scores.steps[(t, 0)]]
        assert len(values) == 5 and values[0] < values[-1], scores.detector


def test_alarm_day_is_the_first_day_over_the_threshold() -> None:
    events, busy = _calm_then_busy_week()
    last = busy + dt.timedelta(days=6)
    weekly = count_series(events, freq="week", first=FIRST, last=last)
    scores = cusum_scores(weekly, within=period_steps(events, weekly))
    t = weekly.period_of(busy)
    steps = scores.steps[(t, 0)]
    threshold = (steps[1][1] + steps[2][1]) / 2  # passed by Wednesday's event
    assert scores.alarm_day(t, 0, threshold) == busy + dt.timedelta(days=2)
    assert scores.alarm_day(t, 0, steps[0][1] - 1e-9) == busy  # Monday already
    # Without steps an alarm is dated by its period's end.
    bare = cusum_scores(weekly)
    assert bare.alarm_day(t, 0, threshold) == weekly.ends[t]
    # Breaking ties moves the steps with the score, so the day stays the same.
    jittered = break_ties(scores, seed=3)
    shift = jittered.score[t, 0] - scores.score[t, 0]
    assert jittered.alarm_day(t, 0, threshold + shift) == busy + dt.timedelta(days=2)


def _scores(steps: dict[tuple[int, int], tuple[tuple[int, float], ...]]) -> Scores:
    ends = tuple(FIRST + dt.timedelta(days=6 + 7 * t) for t in range(20))
    score = np.zeros((20, 1))
    score[10, 0] = 5.0
    return Scores(
        detector="x",
        params={},
        ends=ends,
        units=("u",),
        score=score,
        observed=score.copy(),
        expected=np.zeros((20, 1)),
        steps=steps,
    )


def test_the_evaluation_measures_delay_to_the_alarm_day() -> None:
    week = FIRST + dt.timedelta(weeks=10)  # Monday of week 10
    onset = Onset("u", week, 1, 5.0)
    windows = Windows(FIRST, week - dt.timedelta(days=1), week, FIRST + dt.timedelta(weeks=20))
    stepped_day = (week + dt.timedelta(days=2) - dt.date(1970, 1, 1)).days
    dated = _scores({(10, 0): ((stepped_day, 5.0),)})
    result = evaluate_detector(dated, [onset], windows, target_per_100=50.0, matched=True)
    assert result.delays == {f"u@{week}": 2}
    week_end = evaluate_detector(_scores({}), [onset], windows, target_per_100=50.0, matched=True)
    assert week_end.delays == {f"u@{week}": 6}


def test_a_scan_mid_week_raises_the_alarm_before_the_week_ends() -> None:
    events, busy = _calm_then_busy_week()
    wednesday = busy + dt.timedelta(days=2)
    data = ScanInput(as_of=wednesday, events=events, units={"KG-OS": "KGZ"})
    found = cusum_candidates(data, wednesday, ScanSettings())
    assert found, "three deadly events in three days of a calm unit must alarm by Wednesday"
    assert all(c.day <= wednesday for c in found)
    assert {e for c in found for e in c.event_ids} <= {"e100", "e101", "e102"}
