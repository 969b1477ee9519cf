"""Candidate alerts with their evidence, and their grouping into one alert per episode.

A detector's alarm becomes a :class:`Candidate`: the unit, the day, the detector and its
parameters, the model version, the observed and expected values, the threshold and the score,
and the events behind it. Candidates of one unit and detector that follow each other within
``gap_days`` belong to one episode and update one :class:`AlertDraft` (the inbox shows one alert
whose evidence grows) instead of flooding the inbox.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from cawarn.alerts.episodes import DEFAULT_GAP_DAYS
from cawarn.alerts.scores import Scores
from cawarn.alerts.series import EventRecord
from cawarn.domain.alerts import Severity


@dataclass(frozen=True, slots=True)
class Candidate:
    """One alarm of one detector for one unit, with everything needed to defend it."""

    detector: str
    unit: str
    day: dt.date  # when the alarm could be raised: the day it became true, or the event's
    severity: Severity
    observed: float
    expected: float
    threshold: float
    score: float
    params: dict[str, Any]
    model_version: str
    event_ids: tuple[str, ...] = ()
    period_start: dt.date | None = None
    rule: str = ""

    def evidence(self) -> dict[str, Any]:
        """The evidence as plain JSON values."""
        return {
            "detector": self.detector,
            "rule": self.rule or None,
            "unit": self.unit,
            "day": self.day.isoformat(),
            "period_start": self.period_start.isoformat() if self.period_start else None,
            "observed": _num(self.observed),
            "expected": _num(self.expected),
            "threshold": _num(self.threshold),
            "score": _num(self.score),
            "params": self.params,
            "model_version": self.model_version,
            "events": list(self.event_ids),
        }


def _num(value: float) -> float | None:
    return round(float(value), 6) if math.isfinite(value) else None


def candidates_from_scores(
    scores: Scores,
    threshold: float,
    events: Sequence[EventRecord] = (),
    *,
    severity: Severity = Severity.MEDIUM,
    period_days: int | None = None,
) -> list[Candidate]:
    """A candidate for every unit-period whose score exceeds ``threshold``, with its events."""
    alarms = scores.alarms(threshold)
    by_unit: dict[str, list[EventRecord]] = {}
    for event in events:
        if event.fatal_violent:
            by_unit.setdefault(event.unit, []).append(event)
    out = []
    for t, j in zip(*np.nonzero(alarms), strict=True):
        end = scores.ends[t]
        if period_days is not None:
            start = end - dt.timedelta(days=period_days - 1)
        else:
            start = scores.ends[t - 1] + dt.timedelta(days=1) if t > 0 else end
        unit = scores.units[j]
        ids = tuple(e.event_id for e in by_unit.get(unit, ()) if start <= e.day <= end)
        out.append(
            Candidate(
                detector=scores.detector,
                unit=unit,
                day=scores.alarm_day(int(t), int(j), threshold),
                severity=severity,
                observed=float(scores.observed[t, j]),
                expected=float(scores.expected[t, j]),
                threshold=threshold,
                score=float(scores.score[t, j]),
                # The detector's settings, and its per-unit values here (e.g. the CUSUM's μ1).
                params={
                    **scores.params,
                    **{k: round(float(v[t, j]), 6) for k, v in scores.extra.items()},
                },
                model_version=scores.model_version,
                event_ids=ids,
                period_start=start,
            )
        )
    return out


_SEVERITY_ORDER = list(Severity)


@dataclass(frozen=True)
class AlertDraft:
    """One alert of one unit, detector and episode, updated by each repeated trigger."""

    key: str
    detector: str
    unit: str
    first_day: dt.date
    last_day: dt.date
    severity: Severity
    triggers: tuple[Candidate, ...] = field(default=())

    @property
    def event_ids(self) -> tuple[str, ...]:
        """Every event behind the alert, once each, in the order they came."""
        return tuple(dict.fromkeys(i for c in self.triggers for i in c.event_ids))


def group_episodes(
    candidates: Iterable[Candidate], gap_days: int = DEFAULT_GAP_DAYS
) -> list[AlertDraft]:
    """One alert per (unit, detector, episode): a trigger within ``gap_days`` updates it."""
    open_: dict[tuple[str, str], AlertDraft] = {}
    done: list[AlertDraft] = []
    for c in sorted(candidates, key=lambda c: (c.day, c.detector, c.unit)):
        key = (c.unit, c.detector)
        draft = open_.get(key)
        if draft is not None and (c.day - draft.last_day).days <= gap_days:
            severity = max(draft.severity, c.severity, key=_SEVERITY_ORDER.index)
            open_[key] = replace(
                draft, last_day=c.day, severity=severity, triggers=(*draft.triggers, c)
            )
            continue
        if draft is not None:
            done.append(draft)
        open_[key] = AlertDraft(
            key=f"{c.unit}/{c.detector}/{c.day.isoformat()}",
            detector=c.detector,
            unit=c.unit,
            first_day=c.day,
            last_day=c.day,
            severity=c.severity,
            triggers=(c,),
        )
    done.extend(open_.values())
    return sorted(done, key=lambda d: (d.first_day, d.unit, d.detector))
