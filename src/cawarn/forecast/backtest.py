"""Rolling-origin evaluation of forecasters, scored the way ViEWS scores them.

One origin per month of the test window [test_start, test_end]. At origin t every model is
fitted on the target of months ≤ t only and forecasts months t + 1 … t + steps; a step whose
month lies beyond the panel's last month is skipped (and counted). Each (model, origin, step)
forecast is scored against the observed target as soon as it is drawn and then dropped, so only
one units × samples array is held at a time. Scores are kept by step and overall, on every
unit-month and on the active ones (y > 0), with percentile bootstrap intervals over origins of
the mean CRPS.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cawarn.domain import InputError
from cawarn.forecast.bootstrap import bootstrap_ci
from cawarn.forecast.calibration import pit
from cawarn.forecast.forecast import FloatArray, Forecast
from cawarn.forecast.metrics import SCORE_NAMES, VIEWS_BINS, ScoreAccumulator
from cawarn.forecast.models import Forecaster
from cawarn.panel.months import label

#: The fewest months of history (the origin included) the first origin may have.
MIN_HISTORY = 12


@dataclass
class ModelScores:
    """One model's scores: by step and overall, on all and on active unit-months, CIs."""

    by_step: dict[int, dict[str, float]] = field(default_factory=dict)
    overall: dict[str, float] = field(default_factory=dict)
    active_by_step: dict[int, dict[str, float]] = field(default_factory=dict)
    active_overall: dict[str, float] = field(default_factory=dict)
    crps_by_origin: dict[int, float] = field(default_factory=dict)
    crps_ci: tuple[float, float, float] | None = None
    diagnostics: Diagnostics | None = None
    seeds: dict[int, dict[str, float]] = field(default_factory=dict)  # overall scores per seed


#: Bins of the PIT histograms and of the reliability diagram.
PIT_BINS = 10
RELIABILITY_BINS = 10


@dataclass
class Diagnostics:
    """Calibration counts of one model: PIT histograms (all and y > 0) and reliability sums."""

    pit_all: FloatArray = field(default_factory=lambda: np.zeros(PIT_BINS))
    pit_active: FloatArray = field(default_factory=lambda: np.zeros(PIT_BINS))
    rel_count: FloatArray = field(default_factory=lambda: np.zeros(RELIABILITY_BINS))
    rel_hits: FloatArray = field(default_factory=lambda: np.zeros(RELIABILITY_BINS))
    rel_p: FloatArray = field(default_factory=lambda: np.zeros(RELIABILITY_BINS))

    def add(self, y: FloatArray, x: FloatArray, rng: np.random.Generator) -> None:
        """Add the randomised PIT values and the P(y > 0) forecasts of a block."""
        u = pit(y, x, rng=rng)
        which = np.minimum((u * PIT_BINS).astype(np.int64), PIT_BINS - 1)
        self.pit_all += np.bincount(which, minlength=PIT_BINS)
        self.pit_active += np.bincount(which[y > 0], minlength=PIT_BINS)
        p = np.mean(x > 0, axis=1)
        b = np.minimum((p * RELIABILITY_BINS).astype(np.int64), RELIABILITY_BINS - 1)
        self.rel_count += np.bincount(b, minlength=RELIABILITY_BINS)
        self.rel_hits += np.bincount(
            b, weights=(y > 0).astype(np.float64), minlength=RELIABILITY_BINS
        )
        self.rel_p += np.bincount(b, weights=p, minlength=RELIABILITY_BINS)

    def merge(self, other: Diagnostics) -> None:
        """Add another model run's counts (seeds of one model)."""
        for name in ("pit_all", "pit_active", "rel_count", "rel_hits", "rel_p"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def to_json(self) -> dict[str, Any]:
        """Counts and frequencies, ready for JSON and for the report's plots."""
        with np.errstate(invalid="ignore", divide="ignore"):
            observed = self.rel_hits / self.rel_count
            mean_p = self.rel_p / self.rel_count
        return {
            "pit_all": [int(v) for v in self.pit_all],
            "pit_active": [int(v) for v in self.pit_active],
            "reliability": {
                "count": [int(v) for v in self.rel_count],
                "observed": [None if not math.isfinite(v) else float(v) for v in observed],
                "mean_forecast": [None if not math.isfinite(v) else float(v) for v in mean_p],
            },
        }


@dataclass
class BacktestResult:
    """Every model's scores with the window and settings they were computed on."""

    models: dict[str, ModelScores]
    test_start: int
    test_end: int
    steps: int
    n_samples: int
    seed: int
    units: int
    panel_first: int
    panel_last: int
    skipped_steps: int
    bins: tuple[float, ...]
    widened_bins: bool
    target: str

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN and infinity as None), shaped as issue 4 asks."""
        models = {}
        for name, scores in self.models.items():
            models[name] = {
                "by_step": {str(s): _clean(v) for s, v in scores.by_step.items()},
                "overall": _clean(scores.overall),
                "active": {
                    "by_step": {str(s): _clean(v) for s, v in scores.active_by_step.items()},
                    "overall": _clean(scores.active_overall),
                },
                "seeds": {str(k): _clean(v) for k, v in scores.seeds.items()},
                "diagnostics": None if scores.diagnostics is None else scores.diagnostics.to_json(),
                "ci": {
                    "crps": None
                    if scores.crps_ci is None
                    else dict(zip(("estimate", "low", "high"), scores.crps_ci, strict=True))
                    | {"level": 0.95, "over": "origins"}
                },
            }
        window = {
            "test_start": label(self.test_start),
            "test_end": label(self.test_end),
            "test_start_month_id": self.test_start,
            "test_end_month_id": self.test_end,
            "origins": self.test_end - self.test_start + 1,
            "steps": self.steps,
            "samples": self.n_samples,
            "seed": self.seed,
            "panel_first": label(self.panel_first),
            "panel_last": label(self.panel_last),
            "skipped_steps": self.skipped_steps,
            "ignorance_bins": [b for b in self.bins if math.isfinite(b)],
            "ignorance_bins_widened": self.widened_bins,
            "target": self.target,
        }
        return {"models": models, "window": window, "units": self.units}


def _clean(scores: dict[str, float]) -> dict[str, Any]:
    return {k: (v if isinstance(v, int) or math.isfinite(v) else None) for k, v in scores.items()}


def _nan_scores() -> dict[str, float]:
    return dict.fromkeys(SCORE_NAMES, math.nan)


def _result(acc: ScoreAccumulator, *, active: bool = False) -> dict[str, float]:
    out: dict[str, float] = _nan_scores() if acc.n == 0 else acc.result()
    if active:
        out["ap"] = math.nan  # every active unit-month is an event: AP would be 1 by definition
    return {**out, "n": acc.n}


def target_matrix(frame: pd.DataFrame, target: str) -> pd.DataFrame:
    """The target of a (month_id, unit) panel frame as a months × units matrix."""
    if target not in frame.columns:
        raise InputError(f"The panel has no target {target!r}; its columns are {list(frame)}.")
    matrix = frame[target].astype(np.float64).unstack("unit").sort_index()
    if matrix.isna().to_numpy().any():
        raise InputError(f"The panel's {target} has missing unit-months.")
    return matrix


def check_window(months: pd.Index, test_start: int, test_end: int) -> None:
    """Refuse a test window that the panel cannot evaluate, in one sentence."""
    first, last = int(months[0]), int(months[-1])
    if test_end < test_start:
        raise InputError(f"The test window ends ({label(test_end)}) before it starts.")
    if test_start < first or test_end > last:
        raise InputError(
            f"The test window {label(test_start)}..{label(test_end)} is not inside the panel "
            f"({label(first)}..{label(last)})."
        )
    if test_start - first + 1 < MIN_HISTORY:
        raise InputError(
            f"Too little history before the test window: {test_start - first + 1} months up to "
            f"{label(test_start)}, at least {MIN_HISTORY} needed; start the window later."
        )
    if test_start >= last:
        raise InputError(
            f"No month after the first origin {label(test_start)} is in the panel "
            f"(its last month is {label(last)}), so nothing can be scored."
        )


def model_frame(frame: pd.DataFrame, target: str) -> pd.DataFrame:
    """The panel as models read it: sorted by (month_id, unit), the target named ``target``."""
    target_matrix(frame, target)  # one-sentence errors for a missing or incomplete target
    data = frame.sort_index()
    return data.assign(target=data[target].astype(np.float64))


def origin_forecasts(
    data: pd.DataFrame,
    model: Forecaster,
    origins: Sequence[int],
    steps: int,
    *,
    n_samples: int,
    seed: int,
    model_index: int = 0,
) -> Iterator[Forecast]:
    """Yield one single-step forecast per (origin, step) in the panel, fitting once per origin.

    ``data`` is a :func:`model_frame`. The model sees only the rows of months ≤ origin (the
    target and every feature). The random stream of each (origin, step) depends only on (seed,
    model_index, origin, step), so a forecast does not depend on data after its origin, nor on
    the other origins evaluated.
    """
    month = data.index.get_level_values("month_id").to_numpy()
    last = int(month[-1])
    for origin in origins:
        past = data.iloc[: int(np.searchsorted(month, origin, side="right"))]
        assert int(past.index.get_level_values("month_id")[-1]) == origin  # no leakage
        model.fit(past)
        for step in range(1, steps + 1):
            if origin + step > last:
                break
            rng = np.random.default_rng([seed, model_index, origin, step])
            yield model.predict([step], n_samples=n_samples, rng=rng)


def run_backtest(
    frame: pd.DataFrame,
    models: Sequence[Forecaster],
    *,
    test_start: int,
    test_end: int,
    target: str = "fatalities",
    steps: int = 12,
    n_samples: int = 1000,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> BacktestResult:
    """Evaluate every model by rolling origin over [test_start, test_end] (month_ids)."""
    if steps < 1 or n_samples < 1:
        raise InputError("--steps and --samples must be at least 1.")
    matrix = target_matrix(frame, target)
    check_window(matrix.index, test_start, test_end)
    data = model_frame(frame, target)
    first, last = int(matrix.index[0]), int(matrix.index[-1])
    origins = list(range(test_start, test_end + 1))
    scored = matrix.loc[test_start + 1 : min(test_end + steps, last)].to_numpy()
    widened = bool(scored.size and scored.max() >= VIEWS_BINS[-1])
    bins = (*VIEWS_BINS, math.inf) if widened else VIEWS_BINS
    skipped = sum(max(0, origin + steps - last) for origin in origins)
    observed: FloatArray = matrix.to_numpy(dtype=np.float64)
    row_of = {int(m): i for i, m in enumerate(matrix.index)}
    results: dict[str, ModelScores] = {}
    total, done = len(models) * len(origins), 0
    for index, model in enumerate(models):
        if model.name in results:
            raise InputError(f"The model {model.name} is given twice.")

        def acc() -> ScoreAccumulator:
            return ScoreAccumulator(bins=bins)

        step_acc = {s: acc() for s in range(1, steps + 1)}
        active_acc = {s: acc() for s in range(1, steps + 1)}
        all_acc, all_active = acc(), acc()
        crps_sum: dict[int, float] = {}
        crps_n: dict[int, int] = {}
        diagnostics = Diagnostics()
        pit_rng = np.random.default_rng([seed, index, 2])
        for forecast in origin_forecasts(
            data, model, origins, steps, n_samples=n_samples, seed=seed, model_index=index
        ):
            if list(forecast.units) != list(matrix.columns):
                raise ValueError(f"{model.name} forecast other units than the panel's")
            (step,) = forecast.steps
            y = observed[row_of[forecast.origin + step]]
            x = forecast.samples[step]
            before = step_acc[step].total("crps")
            step_acc[step].add(y, x)
            crps_added = step_acc[step].total("crps") - before
            all_acc.add(y, x)
            active = y > 0
            if active.any():
                active_acc[step].add(y[active], x[active])
                all_active.add(y[active], x[active])
            diagnostics.add(y, x, pit_rng)
            o = forecast.origin
            crps_sum[o] = crps_sum.get(o, 0.0) + crps_added
            crps_n[o] = crps_n.get(o, 0) + y.size
            if step == min(steps, last - o) and progress is not None:
                done += 1
                progress(done, total)
        by_origin = {o: crps_sum[o] / crps_n[o] for o in crps_sum}
        ci = bootstrap_ci(
            np.array(list(by_origin.values())), rng=np.random.default_rng([seed, index, 1])
        )
        results[model.name] = ModelScores(
            by_step={s: _result(a) for s, a in step_acc.items()},
            overall=_result(all_acc),
            active_by_step={s: _result(a, active=True) for s, a in active_acc.items()},
            active_overall=_result(all_active, active=True),
            crps_by_origin=by_origin,
            crps_ci=(ci.estimate, ci.low, ci.high),
            diagnostics=diagnostics,
        )
    return BacktestResult(
        models=results,
        test_start=test_start,
        test_end=test_end,
        steps=steps,
        n_samples=n_samples,
        seed=seed,
        units=matrix.shape[1],
        panel_first=first,
        panel_last=last,
        skipped_steps=skipped,
        bins=bins,
        widened_bins=widened,
        target=target,
    )


def seeded_name(name: str, seed: int) -> str:
    """The name of one seed's run of a model, before :func:`merge_seeds` joins them."""
    return f"{name}#{seed}"


def _mean_scores(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: runs[0][k] if k == "n" else float(np.mean([r[k] for r in runs])) for k in runs[0]}


def merge_seeds(result: BacktestResult, name: str) -> BacktestResult:
    """Join the runs ``name#0``, ``name#1``, … into ``name``: scores averaged over seeds.

    Each seed's overall scores stay under ``seeds``; the interval over origins is recomputed
    on the seed-averaged CRPS of each origin; calibration counts are summed.
    """
    runs = {k: v for k, v in result.models.items() if k.startswith(f"{name}#")}
    if not runs:
        return result
    scores = list(runs.values())
    steps = list(scores[0].by_step)
    origins = list(scores[0].crps_by_origin)
    by_origin = {o: float(np.mean([s.crps_by_origin[o] for s in scores])) for o in origins}
    ci = bootstrap_ci(
        np.array(list(by_origin.values())), rng=np.random.default_rng([result.seed, 99, 1])
    )
    diagnostics = Diagnostics()
    for s in scores:
        if s.diagnostics is not None:
            diagnostics.merge(s.diagnostics)
    merged = ModelScores(
        by_step={k: _mean_scores([s.by_step[k] for s in scores]) for k in steps},
        overall=_mean_scores([s.overall for s in scores]),
        active_by_step={k: _mean_scores([s.active_by_step[k] for s in scores]) for k in steps},
        active_overall=_mean_scores([s.active_overall for s in scores]),
        crps_by_origin=by_origin,
        crps_ci=(ci.estimate, ci.low, ci.high),
        diagnostics=diagnostics,
        seeds={int(k.split("#")[1]): s.overall for k, s in runs.items()},
    )
    models: dict[str, ModelScores] = {}
    for key, value in result.models.items():
        if key in runs:
            models.setdefault(name, merged)
        else:
            models[key] = value
    result.models = models
    return result
