"""Candidates carry their evidence; repeated triggers of one episode update one alert."""

from __future__ import annotations

import datetime as dt

import numpy as np

from cawarn.alerts.candidates import Candidate, candidates_from_scores, group_episodes
from cawarn.alerts.cusum import cusum_scores
from cawarn.alerts.series import EventRecord, count_series
from cawarn.domain import Category
from cawarn.domain.alerts import Severity


def _events() -> list[EventRecord]:
    out = []
    day = dt.date(2020, 1, 1)
    rng = np.random.default_rng(0)
    for i in range(900):  # a calm background in two units
        if rng.random() < 0.01:
            out.append(EventRecord(f"b{i}", day + dt.timedelta(days=i), "A", "TJK",
                                   Category.ARMED_CLASH, 1))  # fmt: skip
    for k, offset in enumerate([700, 702, 709, 716, 720, 790, 795]):  # two bursts in unit B
        out.append(EventRecord(f"s{k}", day + dt.timedelta(days=offset), "B", "TJK",
                               Category.ATTACK_ON_CIVILIANS, 2))  # fmt: skip
    out.append(EventRecord("p1", day + dt.timedelta(days=701), "B", "TJK", Category.PROTEST, 3))
    out.append(EventRecord("z1", day + dt.timedelta(days=703), "B", "TJK", Category.ARMED_CLASH, 0))
    return out


def test_series_count_fatal_violent_events_only() -> None:
    events = _events()
    weekly = count_series(
        events, freq="week", first=dt.date(2020, 1, 1), last=dt.date(2022, 6, 30), units=["A", "B"]
    )
    assert weekly.counts[:, 1].sum() == 7  # not the protest, not the event without deaths
    assert weekly.counts[:, 0].sum() == sum(e.unit == "A" for e in events)
    assert weekly.starts[0] == dt.date(2019, 12, 30)  # weeks start on Monday
    monthly = count_series(
        events, freq="month", first=dt.date(2020, 1, 1), last=dt.date(2022, 6, 30), units=["A", "B"]
    )
    assert monthly.counts.sum() == weekly.counts.sum()
    assert monthly.ends[1] == dt.date(2020, 2, 29)


def test_candidates_carry_evidence_and_episodes_group_them() -> None:
    events = _events()
    weekly = count_series(
        events, freq="week", first=dt.date(2020, 1, 1), last=dt.date(2022, 6, 30), units=["A", "B"]
    )
    scores = cusum_scores(weekly)
    found = candidates_from_scores(scores, 4.0, events, severity=Severity.HIGH, period_days=7)
    in_b = [c for c in found if c.unit == "B"]
    assert in_b, "the bursts must alarm"
    first = in_b[0]
    assert first.detector == "cusum"
    assert first.threshold == 4.0 and first.score > 4.0
    assert first.observed >= 1 and first.expected < 0.1
    assert set(first.event_ids) <= {"s0", "s1", "s2", "s3", "s4", "s5", "s6"}
    assert first.event_ids  # the events of the alarming week are named
    assert first.params["ratio"] == 2.0
    assert first.params["mu1"] >= first.expected + first.params["shift"] - 1e-6
    evidence = first.evidence()
    assert evidence["unit"] == "B" and evidence["events"] == list(first.event_ids)
    alerts = [a for a in group_episodes(found, gap_days=35) if a.unit == "B"]
    # Two bursts ten weeks apart: two alerts, the first updated by every trigger of its weeks.
    assert len(alerts) == 2
    assert len(alerts[0].triggers) >= 2
    assert alerts[0].event_ids[0] == "s0"
    assert alerts[1].first_day > alerts[0].last_day + dt.timedelta(days=35)


def test_episode_takes_the_highest_severity() -> None:
    def cand(day: int, severity: Severity) -> Candidate:
        return Candidate("surge", "U", dt.date(2024, 1, day), severity, 3, 0.1, 2, 2.5, {}, "m")

    alerts = group_episodes([cand(1, Severity.MEDIUM), cand(8, Severity.CRITICAL)])
    assert len(alerts) == 1
    assert alerts[0].severity is Severity.CRITICAL
    assert alerts[0].last_day == dt.date(2024, 1, 8)
