"""What the forecast commands do: evaluate models and store the result, make live forecasts.

An evaluation runs the rolling-origin backtest (the main model once per seed, the seeds then
joined), stores the scores in ``forecast_runs`` with every model's version and parameters, and
writes a report into ``HOME/reports``. A live run fits every chosen model on the whole panel and
stores, for the ``steps`` months after the panel's last month, each unit's P(y > 0), mean,
quantiles and exceedance probabilities (``forecasts``). Each run is written in one transaction:
a run that stops half-way leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine

from cawarn.config import Settings
from cawarn.domain import InputError
from cawarn.forecast.backtest import (
    check_window,
    merge_seeds,
    model_frame,
    run_backtest,
    seeded_name,
    target_matrix,
)
from cawarn.forecast.models import (
    MAIN,
    MODELS,
    Forecaster,
    HurdleForecaster,
    describe,
    model_names,
)
from cawarn.forecast.models.oracle import load_oracle
from cawarn.forecast.report import write_report
from cawarn.forecast.results import add_forecasts, create_run, set_report
from cawarn.panel import load_panel
from cawarn.panel.model import Panel

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Evaluation:
    """A stored evaluation: its run id, its scores (the ``--json`` object) and its report."""

    run_id: int
    scores: dict[str, Any]
    report: Path
    panel: Panel


def _instances(names: Sequence[str], seeds: Sequence[int]) -> list[Forecaster]:
    """Fresh models; the main model once per training seed (``hurdle#<seed>`` when several)."""
    models: list[Forecaster] = []
    for name in names:
        if name == MAIN:
            models += [
                HurdleForecaster(seed=k, name=seeded_name(MAIN, k) if len(seeds) > 1 else MAIN)
                for k in seeds
            ]
        else:
            models.append(MODELS[name]())
    return models


def evaluate(
    engine: Engine,
    settings: Settings,
    *,
    level: str,
    name: str | None,
    test_start: int,
    test_end: int,
    steps: int = 12,
    n_samples: int = 1000,
    models: Sequence[str] | None = None,
    target: str = "fatalities",
    seed: int = 0,
    seeds: int = 3,
    scenario: Path | None = None,
    progress: Progress | None = None,
    before: Callable[[], None] | None = None,
) -> Evaluation:
    """Evaluate by rolling origin, store the scores and write the report."""
    if not 1 <= steps <= 36:
        raise InputError(f"--steps must be between 1 and 36, got {steps}.")
    if n_samples < 1:
        raise InputError(f"--samples must be at least 1, got {n_samples}.")
    if not 1 <= seeds <= 20:
        raise InputError(f"--seeds must be between 1 and 20, got {seeds}.")
    names = model_names(list(models) if models else None)
    panel = load_panel(engine, settings, level, name)
    check_window(target_matrix(panel.frame, target).index, test_start, test_end)
    seed_list = list(range(seed, seed + seeds))
    chosen = _instances(names, seed_list)
    if scenario is not None:
        if not panel.synthetic:
            raise InputError(
                f"The panel {panel.key} is built from real events; the oracle of a scenario "
                "only applies to a panel of that scenario's events. Leave out --scenario."
            )
        chosen.append(load_oracle(scenario, panel.level, target))
    if before is not None:
        before()
    result = run_backtest(
        panel.frame,
        chosen,
        test_start=test_start,
        test_end=test_end,
        target=target,
        steps=steps,
        n_samples=n_samples,
        seed=seed,
        progress=progress,
    )
    merge_seeds(result, MAIN)
    scores = result.to_json()
    scores["panel"] = {
        "key": panel.key,
        "id": panel.id,
        "synthetic": panel.synthetic,
        "sources": list(panel.sources),
    }
    described = [describe(m) for m in chosen if not m.name.startswith(f"{MAIN}#")]
    if seeds > 1 and MAIN in names:
        main = describe(chosen[names.index(MAIN)])
        main["name"] = MAIN
        main["params"] = {k: v for k, v in main["params"].items() if k != "seed"}
        main["seeds"] = seed_list
        described.insert(names.index(MAIN), main)
    scores["model_versions"] = described
    with engine.begin() as conn:
        run_id = create_run(
            conn,
            kind="evaluation",
            panel=panel,
            target=target,
            train_first=panel.first_month_id,
            train_last=test_end,
            steps=steps,
            n_samples=n_samples,
            seeds=seed_list,
            models=described,
            test_start=test_start,
            test_end=test_end,
            scores=scores,
        )
        folder = settings.home / "reports" / f"evaluation-{run_id}"
        report = write_report(
            folder,
            run_id,
            scores,
            {
                "panel": panel.key,
                "panel_id": panel.id,
                "level": panel.level,
                "sha256": panel.sha256 or "",
                "synthetic": panel.synthetic,
                "seeds": seed_list,
            },
        )
        set_report(conn, run_id, str(report))
    scores["run_id"] = run_id
    scores["report"] = str(report)
    return Evaluation(run_id=run_id, scores=scores, report=report, panel=panel)


def run_live(
    engine: Engine,
    settings: Settings,
    *,
    level: str,
    name: str | None,
    steps: int = 12,
    n_samples: int = 1000,
    models: Sequence[str] | None = None,
    target: str = "fatalities",
    seed: int = 0,
    progress: Progress | None = None,
) -> tuple[int, Panel, int]:
    """Forecast the ``steps`` months after the panel's last month; returns (run id, panel, rows)."""
    if not 1 <= steps <= 36:
        raise InputError(f"--steps must be between 1 and 36, got {steps}.")
    if n_samples < 1:
        raise InputError(f"--samples must be at least 1, got {n_samples}.")
    names = model_names(list(models) if models else [MAIN])
    panel = load_panel(engine, settings, level, name)
    data = model_frame(panel.frame, target)
    origin = panel.last_month_id
    instances = _instances(names, [seed])
    written = 0
    with engine.begin() as conn:
        run_id = create_run(
            conn,
            kind="live",
            panel=panel,
            target=target,
            train_first=panel.first_month_id,
            train_last=origin,
            steps=steps,
            n_samples=n_samples,
            seeds=[seed],
            models=[describe(m) for m in instances],
        )
        total, done = len(instances) * steps, 0
        for index, model in enumerate(instances):
            model.fit(data)
            for step in range(1, steps + 1):
                rng = np.random.default_rng([seed, index, origin, step])
                forecast = model.predict([step], n_samples=n_samples, rng=rng)
                written += add_forecasts(
                    conn,
                    run_id,
                    model.name,
                    origin,
                    step,
                    list(forecast.units),
                    forecast.samples[step],
                )
                done += 1
                if progress is not None:
                    progress(done, total)
    return run_id, panel, written
