"""``cawarn forecast``: evaluate forecasters by rolling origin, the way ViEWS does."""

from __future__ import annotations

import json
import math
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
        typer.Option("--models", help="Comma-separated models (default: every baseline)."),
    ] = None,
    target: Annotated[str, typer.Option("--target", help="The panel column to forecast.")] = (
        "fatalities"
    ),
    seed: Annotated[int, typer.Option("--seed", help="Seed of every random draw.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Score the baselines by rolling origin over a test window of the newest panel."""
    from cawarn.domain import InputError
    from cawarn.forecast.backtest import check_window, run_backtest, target_matrix
    from cawarn.forecast.models import make_models
    from cawarn.panel import load_panel, parse_month

    cli = state(ctx)
    start = parse_month(test_start, what="--test-start")
    end = parse_month(test_end, what="--test-end")
    assert start is not None and end is not None
    if not 1 <= steps <= 36:
        raise InputError(f"--steps must be between 1 and 36, got {steps}.")
    if samples < 1:
        raise InputError(f"--samples must be at least 1, got {samples}.")
    chosen = make_models([m.strip() for m in models.split(",") if m.strip()] if models else None)
    panel = load_panel(cli.engine(), cli.settings, str(level), name)
    check_window(target_matrix(panel.frame, target).index, start, end)  # before any progress bar
    with cli.progress("Evaluating (model × origin)", unit="items") as bar:
        result = run_backtest(
            panel.frame,
            chosen,
            test_start=start,
            test_end=end,
            target=target,
            steps=steps,
            n_samples=samples,
            seed=seed,
            progress=bar,
        )
    if as_json:
        out = result.to_json()
        out["panel"] = {
            "key": panel.key,
            "id": panel.id,
            "synthetic": panel.synthetic,
            "sources": list(panel.sources),
        }
        print(json.dumps(out, allow_nan=False))
        return
    w = result.to_json()["window"]
    cli.out.print(
        f"Panel {panel.key} (#{panel.id}), {result.units} units, target {target}: origins "
        f"{w['test_start']}..{w['test_end']}, steps 1..{steps}, {samples} samples, seed {seed}; "
        f"{result.skipped_steps} (origin, step) pairs beyond the panel's last month "
        f"({w['panel_last']}) skipped."
    )
    if result.widened_bins:
        cli.out.print("Observations above 1,000: ignorance scored with an open last bin.")
    for score, title in (("crps", "CRPS (lower is better)"), ("ap", "average precision, y > 0")):
        table = Table(title=f"{title}, by step", title_justify="left")
        table.add_column("model", no_wrap=True)
        for step in range(1, steps + 1):
            table.add_column(str(step), justify="right")
        table.add_column("all", justify="right")
        for model, scores in result.models.items():
            cells = [_fmt(scores.by_step[s][score]) for s in range(1, steps + 1)]
            table.add_row(model, *cells, _fmt(scores.overall[score]))
        cli.out.print(table)
    table = Table(title="overall (all unit-months; CRPS on y > 0 in 'CRPS active')")
    for col in ("model", "CRPS", "95% CI", "Brier", "AP", "MSLE", "ign", "cov90", "CRPS active"):
        table.add_column(col, justify="left" if col == "model" else "right", no_wrap=True)
    for model, scores in result.models.items():
        o, ci = scores.overall, scores.crps_ci
        table.add_row(
            model,
            _fmt(o["crps"]),
            "" if ci is None else f"{_fmt(ci[1])}–{_fmt(ci[2])}",
            *(_fmt(o[k]) for k in ("brier", "ap", "msle", "ign", "coverage90")),
            _fmt(scores.active_overall["crps"]),
        )
    cli.out.print(table)
    if panel.synthetic:
        cli.out.print("[yellow]This panel is built from SIMULATED events, not real ones.[/yellow]")
