"""``cawarn alerts``: alert detectors and their evaluation on scenarios with known onsets."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cawarn.cli import alert_inbox
from cawarn.cli.context import state

app = typer.Typer(
    help="Alerts: scan, the inbox and its lifecycle, notifications, evaluation.",
    no_args_is_help=True,
)


@app.callback()
def _group() -> None:
    """Alerts: scan, the inbox and its lifecycle, notifications, evaluation."""


alert_inbox.register(app)


def _fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:.{digits}g}"


@app.command("evaluate")
def evaluate(
    ctx: typer.Context,
    scenario: Annotated[
        list[Path],
        typer.Option(
            "--scenario",
            help="Scenario folder (from 'cawarn scenario generate'); repeat to pool several "
            "scenarios of the same months.",
        ),
    ],
    false_alarm_rate: Annotated[
        float,
        typer.Option(
            "--false-alarm-rate", help="Target alerts per 100 unit-months, for every detector."
        ),
    ] = 1.0,
    matched: Annotated[
        bool,
        typer.Option(
            "--matched",
            help="Set thresholds on the test period itself, so every detector has exactly the "
            "same false-alarm rate (default: calibrate on the calibration years).",
        ),
    ] = False,
    no_r: Annotated[
        bool, typer.Option("--no-r", help="Leave out Farrington and EARS (R surveillance).")
    ] = False,
    countries: Annotated[
        str,
        typer.Option("--countries", help="Comma-separated ISO3 codes of the units to watch."),
    ] = "KAZ,KGZ,TJK,TKM,UZB",
    model: Annotated[
        str, typer.Option("--model", help="Forecaster behind the surge and risk detectors.")
    ] = "zinb",
    warmup_years: Annotated[
        int, typer.Option("--warmup-years", help="Years before any detector judges.")
    ] = 4,
    calibration_years: Annotated[
        int, typer.Option("--calibration-years", help="Years the thresholds are set on.")
    ] = 4,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the forecast samples.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Score every detector on a scenario's known onsets at one false-alarm rate."""
    from cawarn.alerts.comparison import EvaluationSettings, run_evaluation
    from cawarn.alerts.surveillance import require_r
    from cawarn.domain import InputError
    from cawarn.forecast.models import make_models

    cli = state(ctx)
    if not false_alarm_rate > 0:
        raise InputError(f"--false-alarm-rate must be above 0, got {false_alarm_rate}.")
    if warmup_years < 4 and not no_r:
        raise InputError("Farrington needs --warmup-years of at least 4 (or pass --no-r).")
    if warmup_years < 1 or calibration_years < 1:
        raise InputError("--warmup-years and --calibration-years must be at least 1.")
    codes = tuple(c.strip().upper() for c in countries.split(",") if c.strip())
    make_models([model])  # an unknown model is an InputError before any work
    if not no_r:
        require_r()
    settings = EvaluationSettings(
        false_alarm_rate=false_alarm_rate,
        countries=codes,
        warmup_years=warmup_years,
        calibration_years=calibration_years,
        matched=matched,
        with_r=not no_r,
        model=model,
        seed=seed,
    )
    note = None if cli.quiet else (lambda msg: cli.err.print(f"Running {msg} …"))
    result = run_evaluation(scenario, settings, note=note)
    if as_json:
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
        return
    w = result.windows
    how = "matched on the test period" if matched else "calibrated on the calibration period"
    table = Table(
        title=(
            f"Detectors on {result.onsets} onsets, {result.units} units; thresholds {how} to "
            f"{false_alarm_rate:g} alerts per 100 unit-months (calibration "
            f"{w.calibration_first}..{w.calibration_last}, test {w.test_first}..{w.test_last})"
        )
    )
    for column in (
        "detector",
        "POD (≤30 d)",
        "detected",
        "false alarms /100 unit-months",
        "median delay (days)",
        "threshold",
        "calibration FA /100",
    ):
        table.add_column(column, justify="left" if column == "detector" else "right")
    for name, d in result.detectors.items():
        table.add_row(
            name,
            _fmt(d.pod),
            f"{d.detected}/{d.onsets}",
            _fmt(d.false_alarms_per_100),
            _fmt(d.median_delay_days),
            _fmt(d.threshold, 4),
            _fmt(d.calibration_false_alarms_per_100),
        )
    cli.out.print(table)
