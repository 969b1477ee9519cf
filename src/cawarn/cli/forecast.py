"""``cawarn forecast``: evaluate forecasters by rolling origin, the way ViEWS does."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cawarn.cli.context import state

app = typer.Typer(
    help="Forecasts of political violence and their evaluation.", no_args_is_help=True
)


@app.callback()
def _group() -> None:
    """Forecasts of political violence and their evaluation."""


def _fmt(value: float | None) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:.4g}"


def _names(models: str | None) -> list[str] | None:
    return [m.strip() for m in models.split(",") if m.strip()] if models else None


@app.command("evaluate")
def evaluate(
    ctx: typer.Context,
    level: Annotated[str, typer.Option("--level", help="country, admin1 or pgm.")],
    test_start: Annotated[str, typer.Option("--test-start", help="First origin, YYYY-MM.")],
    test_end: Annotated[str, typer.Option("--test-end", help="Last origin, YYYY-MM.")],
    steps: Annotated[int, typer.Option("--steps", help="Months ahead, 1..steps.")] = 12,
    samples: Annotated[int, typer.Option("--samples", help="Samples per unit-month.")] = 1000,
    name: Annotated[
        str | None, typer.Option("--name", help="The panel's name (e.g. an imported series).")
    ] = None,
    models: Annotated[
        str | None,
        typer.Option("--models", help="Comma-separated models (default: every model)."),
    ] = None,
    target: Annotated[str, typer.Option("--target", help="The panel column to forecast.")] = (
        "fatalities"
    ),
    seed: Annotated[int, typer.Option("--seed", help="Seed of every random draw.")] = 0,
    seeds: Annotated[
        int, typer.Option("--seeds", help="Training seeds of the main model (averaged).")
    ] = 3,
    scenario: Annotated[
        Path | None,
        typer.Option("--scenario", help="The scenario folder: adds its oracle to the models."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Score every model by rolling origin over a test window; store the scores and a report."""
    from cawarn.forecast.service import evaluate as run_evaluation
    from cawarn.forecast.targets import check_targets, summary
    from cawarn.panel import parse_month

    cli = state(ctx)
    start = parse_month(test_start, what="--test-start")
    end = parse_month(test_end, what="--test-end")
    assert start is not None and end is not None
    bar_cm = cli.progress("Evaluating (model × origin)", unit="items")
    bar = None

    def open_bar() -> None:
        nonlocal bar
        bar = bar_cm.__enter__()

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar(done, total)

    try:
        evaluation = run_evaluation(
            cli.engine(),
            cli.settings,
            level=str(level),
            name=name,
            test_start=start,
            test_end=end,
            steps=steps,
            n_samples=samples,
            models=_names(models),
            target=target,
            seed=seed,
            seeds=seeds,
            scenario=scenario,
            progress=progress,
            before=open_bar,
        )
    finally:
        if bar is not None:
            bar_cm.__exit__(None, None, None)
    out = evaluation.scores
    if as_json:
        print(json.dumps(out, allow_nan=False))
        return
    panel, w = evaluation.panel, out["window"]
    cli.out.print(
        f"Panel {panel.key} (#{panel.id}), {out['units']} units, target {target}: origins "
        f"{w['test_start']}..{w['test_end']}, steps 1..{steps}, {samples} samples, seed {seed}; "
        f"{w['skipped_steps']} (origin, step) pairs beyond the panel's last month "
        f"({w['panel_last']}) skipped."
    )
    if w["ignorance_bins_widened"]:
        cli.out.print("Observations above 1,000: ignorance scored with an open last bin.")
    for score, title in (("crps", "CRPS (lower is better)"), ("ap", "average precision, y > 0")):
        table = Table(title=f"{title}, by step", title_justify="left")
        table.add_column("model", no_wrap=True)
        for step in range(1, steps + 1):
            table.add_column(str(step), justify="right")
        table.add_column("all", justify="right")
        for model, scores in out["models"].items():
            cells = [_fmt(scores["by_step"][str(s)][score]) for s in range(1, steps + 1)]
            table.add_row(model, *cells, _fmt(scores["overall"][score]))
        cli.out.print(table)
    table = Table(title="overall (all unit-months; CRPS on y > 0 in 'CRPS active')")
    for col in ("model", "CRPS", "95% CI", "Brier", "AP", "MSLE", "ign", "cov90", "CRPS active"):
        table.add_column(col, justify="left" if col == "model" else "right", no_wrap=True)
    for model, scores in out["models"].items():
        o, ci = scores["overall"], scores["ci"]["crps"]
        table.add_row(
            model,
            _fmt(o["crps"]),
            "" if ci is None else f"{_fmt(ci['low'])}–{_fmt(ci['high'])}",
            *(_fmt(o[k]) for k in ("brier", "ap", "msle", "ign", "coverage90")),
            _fmt(scores["active"]["overall"]["crps"]),
        )
    cli.out.print(table)
    cli.out.print("Targets: " + summary(check_targets(out, synthetic=panel.synthetic)))
    cli.out.print(f"Stored as evaluation run {evaluation.run_id}; report: {evaluation.report}")
    if panel.synthetic:
        cli.out.print("[yellow]This panel is built from SIMULATED events, not real ones.[/yellow]")


@app.command("run")
def run(
    ctx: typer.Context,
    level: Annotated[str, typer.Option("--level", help="country, admin1 or pgm.")],
    steps: Annotated[int, typer.Option("--steps", help="Months ahead, 1..steps.")] = 12,
    samples: Annotated[int, typer.Option("--samples", help="Samples per unit-month.")] = 1000,
    name: Annotated[str | None, typer.Option("--name", help="The panel's name.")] = None,
    models: Annotated[
        str | None,
        typer.Option("--models", help="Comma-separated models (default: the main model)."),
    ] = None,
    target: Annotated[str, typer.Option("--target", help="The panel column to forecast.")] = (
        "fatalities"
    ),
    seed: Annotated[int, typer.Option("--seed", help="Seed of training and sampling.")] = 0,
) -> None:
    """Forecast the months after the panel's last month and store the forecasts."""
    from cawarn.forecast.service import run_live
    from cawarn.panel import label

    cli = state(ctx)
    with cli.progress("Forecasting (model × step)", unit="steps") as bar:
        run_id, panel, rows = run_live(
            cli.engine(),
            cli.settings,
            level=str(level),
            name=name,
            steps=steps,
            n_samples=samples,
            models=_names(models),
            target=target,
            seed=seed,
            progress=bar,
        )
    first, last = panel.last_month_id + 1, panel.last_month_id + steps
    cli.out.print(
        f"Stored live forecast run {run_id}: {rows} unit-months of {target} for "
        f"{label(first)}..{label(last)} from panel {panel.key} (#{panel.id}, data to "
        f"{label(panel.last_month_id)}). See them with `cawarn forecast show --run {run_id}`."
    )
    if panel.synthetic:
        cli.out.print("[yellow]This panel is built from SIMULATED events, not real ones.[/yellow]")


@app.command("show")
def show(
    ctx: typer.Context,
    level: Annotated[
        str | None, typer.Option("--level", help="The newest run of this level.")
    ] = None,
    run_id: Annotated[int | None, typer.Option("--run", help="A run id.")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="One unit (all steps).")] = None,
    step: Annotated[int, typer.Option("--step", help="The step shown for all units.")] = 1,
    model: Annotated[str | None, typer.Option("--model", help="One model of the run.")] = None,
    top: Annotated[int, typer.Option("--top", help="Units shown, highest risk first.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Print a live forecast: the riskiest units at a step, or one unit's months ahead."""
    from cawarn.forecast.results import QUANTILE_COLUMNS, get_run, read_forecasts
    from cawarn.panel import label

    cli = state(ctx)
    with cli.engine().connect() as conn:
        run = get_run(conn, run_id, kind="live", level=level)
        rows = read_forecasts(conn, run["id"], model=model, unit=unit)
    if unit is not None and not rows:
        from cawarn.domain import NotFoundError

        raise NotFoundError(
            f"Run {run['id']} has no unit {unit!r}; give a unit code of level {run['level']}."
        )
    if unit is None:
        rows = [r for r in rows if r["step"] == step]
        if not rows:
            from cawarn.domain import InputError

            raise InputError(f"Run {run['id']} has steps 1..{run['steps']}, not {step}.")
        rows.sort(key=lambda r: (-r["p_positive"], -r["mean"]))
        rows = rows[:top]
    meta = {
        k: run[k]
        for k in ("id", "level", "panel_key", "target", "train_last", "steps", "n_samples")
    }
    meta["created_at"] = run["created_at"].isoformat()
    meta["synthetic"] = bool(run["synthetic"])
    meta["models"] = run["models"]
    if as_json:
        clean = [{k: v for k, v in r.items() if k != "run_id"} for r in rows]
        print(json.dumps({"run": meta, "forecasts": clean}, allow_nan=False))
        return
    title = (
        f"Unit {unit}, months ahead"
        if unit is not None
        else f"{label(run['train_last'] + step)} (step {step}): top {len(rows)} by P(y > 0)"
    )
    table = Table(title=title, title_justify="left")
    for col in ("model", "unit", "month", "step", "P(y>0)", "mean", "5%", "50%", "95%"):
        table.add_column(col, justify="left" if col in ("model", "unit") else "right")
    for r in rows:
        table.add_row(
            r["model"],
            r["unit"],
            label(r["month_id"]),
            str(r["step"]),
            f"{r['p_positive']:.2f}",
            _fmt(r["mean"]),
            *(_fmt(r[c]) for c in (QUANTILE_COLUMNS[0], "q50", QUANTILE_COLUMNS[-1])),
        )
    cli.out.print(
        f"Live run {run['id']} ({run['level']}, panel {run['panel_key']}, data to "
        f"{label(run['train_last'])}), target {run['target']}:"
    )
    cli.out.print(table)
    if run["synthetic"]:
        cli.out.print("[yellow]These forecasts are of SIMULATED events, not real ones.[/yellow]")
