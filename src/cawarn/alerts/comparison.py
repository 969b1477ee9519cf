"""The evaluation run: scenario folders → weekly and monthly series → every detector → scores.

Several scenarios with the same months are pooled as one panel of units (a unit is named
``<scenario>/<country>:<adm_1>``), which multiplies the onsets an evaluation sees.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from cawarn.alerts.calibrate import break_ties
from cawarn.alerts.cusum import CusumParams, cusum_scores, onset_scores
from cawarn.alerts.evaluate import DetectorScore, Windows, evaluate_detector
from cawarn.alerts.forecasts import monthly_forecasts
from cawarn.alerts.risk import DEFAULT_JUMP_WEIGHT, risk_scores
from cawarn.alerts.scenario_files import Onset, ScenarioData, read_scenario
from cawarn.alerts.scores import Scores
from cawarn.alerts.series import CountSeries, EventRecord, count_series, period_steps
from cawarn.alerts.surge import surge_scores
from cawarn.alerts.surveillance import SurveillanceParams, surveillance_scores
from cawarn.domain import InputError

#: Campaign onsets never start in Afghanistan; the network watches Central Asia.
CENTRAL_ASIA = ("KAZ", "KGZ", "TJK", "TKM", "UZB")


@dataclass(frozen=True)
class EvaluationSettings:
    """What an evaluation runs and how it splits time."""

    false_alarm_rate: float = 1.0  # alerts per 100 unit-months
    countries: tuple[str, ...] = CENTRAL_ASIA
    warmup_years: int = 4
    calibration_years: int = 4
    matched: bool = False
    with_r: bool = True
    pod_days: int = 30
    model: str = "zinb"
    n_samples: int = 1000
    risk_steps: int = 3
    jump_weight: float = DEFAULT_JUMP_WEIGHT
    seed: int = 0
    cusum: CusumParams = field(default_factory=CusumParams)
    surveillance: SurveillanceParams = field(default_factory=SurveillanceParams)


@dataclass(frozen=True)
class EvaluationResult:
    """Scores per detector, with what they were measured on."""

    scenarios: list[str]
    windows: Windows
    settings: EvaluationSettings
    units: int
    onsets: int
    detectors: dict[str, DetectorScore]

    def to_json(self) -> dict[str, object]:
        """The result as one JSON object; ``detectors`` holds the figures per detector."""
        return {
            "detectors": {name: d.to_json() for name, d in self.detectors.items()},
            "scenarios": self.scenarios,
            "units": self.units,
            "onsets_in_test": self.onsets,
            "false_alarm_rate_target": self.settings.false_alarm_rate,
            "matched": self.settings.matched,
            "countries": list(self.settings.countries),
            "calibration": [
                str(self.windows.calibration_first),
                str(self.windows.calibration_last),
            ],
            "test": [str(self.windows.test_first), str(self.windows.test_last)],
            "pod_days": self.settings.pod_days,
        }


def pooled(scenarios: Sequence[ScenarioData], countries: Sequence[str]) -> ScenarioData:
    """Several scenarios over the same months as one, units prefixed by the scenario's name."""
    first, last = scenarios[0].first, scenarios[0].last
    if any((s.first, s.last) != (first, last) for s in scenarios):
        raise InputError("Scenarios evaluated together must cover the same months.")
    wanted = set(countries)
    many = len(scenarios) > 1
    events: list[EventRecord] = []
    onsets: list[Onset] = []
    units: dict[str, str] = {}
    for s in scenarios:
        prefix = f"{s.name}/" if many else ""
        for e in s.events:
            if e.country in wanted:
                events.append(
                    EventRecord(
                        e.event_id, e.day, prefix + e.unit, e.country, e.category, e.deaths,
                        e.latitude, e.longitude, e.actors,
                    )
                )  # fmt: skip
        for o in s.onsets:
            if s.countries.get(o.unit) in wanted:
                onsets.append(Onset(prefix + o.unit, o.day, o.duration_months, o.size))
        units.update({prefix + u: c for u, c in s.countries.items() if c in wanted})
    return ScenarioData(
        name="+".join(s.name for s in scenarios),
        first=first,
        last=last,
        events=events,
        onsets=onsets,
        protest_waves=scenarios[0].protest_waves,
        countries=dict(sorted(units.items())),
    )


def windows_for(
    weekly: CountSeries, first: dt.date, last: dt.date, settings: EvaluationSettings
) -> tuple[Windows, int]:
    """The calibration and test periods, and the index of the first judged week."""
    cal_first = dt.date(first.year + settings.warmup_years, first.month, 1)
    test_first = dt.date(cal_first.year + settings.calibration_years, first.month, 1)
    if test_first >= last:
        raise InputError(
            f"The scenario is too short: {settings.warmup_years} warm-up and "
            f"{settings.calibration_years} calibration years leave no test period."
        )
    first_week = weekly.period_of(cal_first)
    windows = Windows(cal_first, test_first - dt.timedelta(days=1), test_first, last)
    return windows, max(first_week, 0)


@dataclass(frozen=True)
class ScoredScenario:
    """Every detector's scores on the pooled scenarios, ready to be evaluated at any rate."""

    data: ScenarioData
    windows: Windows
    scores: list[Scores]


def pool_scored(parts: Sequence[ScoredScenario]) -> ScoredScenario:
    """Scenarios scored one by one, evaluated as one: units prefixed by their scenario's name.

    Each part keeps its own scores (so a part's cached peer scores can be reused); a detector's
    threshold is then set on all of them together, as for scenarios read together. The parts
    must cover the same weeks and windows and have the same detectors.
    """
    if not parts:
        raise InputError("Give at least one scored scenario to pool.")
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    if any(p.windows != first.windows for p in parts):
        raise InputError("Scenarios pooled together must have the same evaluation windows.")
    data = pooled(
        [p.data for p in parts], sorted({c for p in parts for c in p.data.countries.values()})
    )
    by_detector: dict[str, list[tuple[str, Scores]]] = {}
    for part in parts:
        for scores in part.scores:
            by_detector.setdefault(scores.detector, []).append((part.data.name, scores))
    pooled_scores: list[Scores] = []
    for name, members in by_detector.items():
        if len(members) != len(parts):
            raise InputError(f"The detector {name} did not run on every pooled scenario.")
        head = members[0][1]
        if any(s.ends != head.ends for _, s in members):
            raise InputError("Scenarios pooled together must cover the same periods.")
        steps: dict[tuple[int, int], tuple[tuple[int, float], ...]] = {}
        offset = 0
        for _, member in members:
            steps.update({(t, j + offset): v for (t, j), v in member.steps.items()})
            offset += len(member.units)
        pooled_scores.append(
            replace(
                head,
                units=tuple(f"{scenario}/{u}" for scenario, s in members for u in s.units),
                score=np.hstack([s.score for _, s in members]),
                observed=np.hstack([s.observed for _, s in members]),
                expected=np.hstack([s.expected for _, s in members]),
                extra={key: np.hstack([s.extra[key] for _, s in members]) for key in head.extra},
                steps=steps,
            )
        )
    return ScoredScenario(data=data, windows=first.windows, scores=pooled_scores)


def compute_scores(
    folders: Sequence[Path],
    settings: EvaluationSettings | None = None,
    *,
    note: Callable[[str], None] | None = None,
) -> ScoredScenario:
    """Read the scenarios and run every detector (and Farrington and EARS unless ``with_r``)."""
    settings = settings or EvaluationSettings()
    say = note or (lambda _msg: None)
    if not folders:
        raise InputError("Give at least one scenario folder.")
    data = pooled([read_scenario(f) for f in folders], settings.countries)
    if not data.countries:
        raise InputError(f"No unit of {', '.join(settings.countries)} in the scenario.")
    units = list(data.countries)
    weekly = count_series(
        data.events, freq="week", first=data.first, last=data.last, units=units,
        countries=data.countries,
    )  # fmt: skip
    monthly = count_series(
        data.events, freq="month", first=data.first, last=data.last, units=units,
        countries=data.countries,
    )  # fmt: skip
    windows, first_week = windows_for(weekly, data.first, data.last, settings)
    within = period_steps(data.events, weekly)
    say(f"forecasts ({settings.model})")
    forecasts = monthly_forecasts(
        monthly,
        model=settings.model,
        steps=settings.risk_steps,
        n_samples=settings.n_samples,
        seed=settings.seed,
    )
    all_scores = [
        surge_scores(weekly, monthly, forecasts, within=within),
        cusum_scores(weekly, settings.cusum, within),
        onset_scores(weekly, within),
        risk_scores(monthly, forecasts, jump_weight=settings.jump_weight),
    ]
    if settings.with_r:
        say("farrington and ears (R)")
        all_scores.extend(surveillance_scores(weekly, first_week, settings.surveillance, within))
    return ScoredScenario(
        data=data,
        windows=windows,
        scores=[
            break_ties(mask_before(scores, first_week, weekly), settings.seed)
            for scores in all_scores
        ],
    )


def evaluate_scored(
    scored: ScoredScenario,
    settings: EvaluationSettings,
    folders: Sequence[Path] = (),
) -> EvaluationResult:
    """Calibrate and score every detector of a scored scenario at the settings' rate."""
    windows = scored.windows
    results = {
        scores.detector: evaluate_detector(
            scores,
            scored.data.onsets,
            windows,
            target_per_100=settings.false_alarm_rate,
            matched=settings.matched,
            pod_days=settings.pod_days,
        )
        for scores in scored.scores
    }
    judged = sum(windows.test_first <= o.day <= windows.test_last for o in scored.data.onsets)
    return EvaluationResult(
        scenarios=[str(f) for f in folders],
        windows=windows,
        settings=settings,
        units=len(scored.data.countries),
        onsets=judged,
        detectors=results,
    )


def run_evaluation(
    folders: Sequence[Path],
    settings: EvaluationSettings | None = None,
    *,
    note: Callable[[str], None] | None = None,
) -> EvaluationResult:
    """Evaluate every detector (and Farrington and EARS unless ``with_r`` is off)."""
    settings = settings or EvaluationSettings()
    return evaluate_scored(compute_scores(folders, settings, note=note), settings, folders)


def mask_before(scores: Scores, first_week: int, weekly: CountSeries) -> Scores:
    """The scores with every period ending before the first judged week set to NaN."""
    cut = weekly.starts[first_week]
    keep = [end >= cut for end in scores.ends]
    score = scores.score.copy()
    score[[not k for k in keep]] = float("nan")
    return Scores(
        detector=scores.detector,
        params=scores.params,
        ends=scores.ends,
        units=scores.units,
        score=score,
        observed=scores.observed,
        expected=scores.expected,
        model_version=scores.model_version,
        extra=scores.extra,
        rule=scores.rule,
        steps={key: cell for key, cell in scores.steps.items() if keep[key[0]]},
    )
