"""``cawarn scenario``: synthetic event data with a known truth."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from cawarn.cli.context import CliState, state
from cawarn.domain import InputError

app = typer.Typer(help="Synthetic scenarios with a known truth.", no_args_is_help=True)

#: The countries a scenario simulates: Afghanistan and the five Central Asian states.
SCENARIO_COUNTRIES = ("AFG", "KAZ", "KGZ", "TJK", "TKM", "UZB")


def scenario_units(cli: CliState, boundaries: Path | None) -> list[tuple[Any, Any]]:
    """Units to simulate on: --boundaries, else the node's store, else $CAWARN_GEO_SOURCE."""
    from cawarn.geo.boundaries import read_boundary_folder

    folder = boundaries
    if folder is None and (cli.home_dir / "cawarn.toml").exists():
        from cawarn.store.geography import load_units

        with cli.engine().connect() as conn:
            units = load_units(conn, SCENARIO_COUNTRIES)
        if {unit.country for unit, _ in units} == set(SCENARIO_COUNTRIES):
            return units
    if folder is None and os.environ.get("CAWARN_GEO_SOURCE"):
        folder = Path(os.environ["CAWARN_GEO_SOURCE"])
    if folder is None:
        raise InputError(
            "A scenario needs the admin-1 boundaries of AFG, KAZ, KGZ, TJK, TKM and UZB: load "
            "them into the node ('cawarn geo fetch' or 'cawarn geo import DIR') or pass "
            "--boundaries DIR."
        )
    return [
        unit for item in read_boundary_folder(folder, SCENARIO_COUNTRIES) for unit in item.units
    ]


def run_generate(
    cli: CliState,
    *,
    seed: int,
    start: str,
    end: str,
    scale: float,
    out: Path,
    boundaries: Path | None,
) -> Any:
    """Generate a scenario into ``out`` with a progress bar; returns the generator's result."""
    from cawarn.scenario import generate

    units = scenario_units(cli, boundaries)
    with cli.progress("scenario", unit="months") as bar:
        return generate(
            units, seed=seed, start=start, end=end, scale=scale, out_dir=out, progress=bar
        )


@app.command("generate")
def generate_cmd(
    ctx: typer.Context,
    out: Annotated[
        Path, typer.Option("--out", help="Folder to write events.csv and the truth to.")
    ],
    seed: Annotated[
        int, typer.Option(help="Random seed; the same arguments give the same files.")
    ] = 1,
    start: Annotated[str, typer.Option(help="First month, YYYY-MM.")] = "2000-01",
    end: Annotated[str, typer.Option(help="Last month, YYYY-MM.")] = "2024-12",
    scale: Annotated[
        float, typer.Option(help="Multiplies the event rates (100 gives ~10M events).")
    ] = 1.0,
    boundaries: Annotated[
        Path | None,
        typer.Option(help="geoBoundaries-style folder (default: the node's loaded boundaries)."),
    ] = None,
) -> None:
    """Write a synthetic scenario: events.csv (GED layout) and its truth files."""
    cli = state(ctx)
    result = run_generate(
        cli, seed=seed, start=start, end=end, scale=scale, out=out, boundaries=boundaries
    )
    cli.out.print(
        f"Scenario {result.scenario_id}: {result.events_written} events written to {out} "
        "with its truth files. Load it with 'cawarn ingest scenario "
        f"{out}'. These events are simulated, not real."
    )
