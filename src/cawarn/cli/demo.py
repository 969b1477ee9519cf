"""``cawarn demo``: a fresh node with boundaries and a synthetic scenario, every stage run."""

from __future__ import annotations

import os
import secrets
import shutil
import time
from pathlib import Path
from typing import Annotated

import typer

from cawarn.cli.context import CliState, state
from cawarn.cli.serve import HostOpt, PortOpt
from cawarn.domain import ConfigError

STEPS = 7
#: The demo node's administrator; its password is made up and printed once.
DEMO_ADMIN = "demo.admin"
DEMO_ANALYST = "demo.analyst"  # the role that sees forecasts and every marking of its organisation


def register(app: typer.Typer) -> None:
    """Add ``cawarn demo`` to the top-level app."""
    app.command("demo")(demo)


def _step(cli: CliState, number: int, text: str) -> None:
    cli.note(f"[bold][{number}/{STEPS}][/bold] {text}")


def _fresh_home(cli: CliState, reset: bool) -> None:
    home = cli.home_dir
    if not home.exists() or not any(home.iterdir()):
        return
    if not reset:
        raise ConfigError(
            f"{home} already holds a node; pass --reset to replace it with a fresh demo node, "
            "or choose another --home."
        )
    if not (home / "cawarn.toml").exists():
        raise ConfigError(
            f"{home} is not empty and is not a cawarn node home; --reset will not delete it. "
            "Choose another --home."
        )
    shutil.rmtree(home)


def demo(
    ctx: typer.Context,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Stop after the pipeline; do not serve the API.")
    ] = False,
    reset: Annotated[
        bool, typer.Option("--reset", help="Replace an existing node home with a fresh one.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Scenario seed.")] = 7,
    start: Annotated[str, typer.Option(help="First month of the scenario, YYYY-MM.")] = "2000-01",
    end: Annotated[str, typer.Option(help="Last month of the scenario, YYYY-MM.")] = "2024-12",
    scale: Annotated[float, typer.Option(help="Scenario size (1 is a demo-sized file).")] = 1.0,
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
) -> None:
    """Create a fresh demo node: boundaries, a synthetic scenario ingested, every stage run."""
    from cawarn.accounts import audit
    from cawarn.accounts.directory import create_user
    from cawarn.cli.geo import import_boundaries
    from cawarn.cli.ingest import load_scenario
    from cawarn.cli.node import create_home, print_status
    from cawarn.cli.panel import build_and_save
    from cawarn.cli.scenario import run_generate
    from cawarn.cli.serve import run_server
    from cawarn.cli.user import create_admin_user
    from cawarn.domain.access import Role
    from cawarn.forecast.service import run_live

    cli = state(ctx)
    began = time.perf_counter()
    _fresh_home(cli, reset)
    _step(cli, 1, f"creating the node home {cli.home_dir}, an administrator and an analyst")
    create_home(cli, organisation="Demo node", region=None, demo=True)
    password = secrets.token_urlsafe(18)
    create_admin_user(cli, DEMO_ADMIN, cli.settings.organisation, password)
    analyst_password = secrets.token_urlsafe(18)
    with cli.engine().begin() as conn:
        create_user(
            conn,
            DEMO_ANALYST,
            cli.settings.organisation,
            Role.ANALYST,
            analyst_password,
            actor=audit.CLI,
        )
    geo_source = os.environ.get("CAWARN_GEO_SOURCE")
    if geo_source:
        _step(cli, 2, f"importing admin-1 boundaries from {geo_source}")
        import_boundaries(cli, Path(geo_source), list(cli.settings.region))
    else:
        _step(cli, 2, "downloading admin-1 boundaries from geoBoundaries")
        from cawarn.cli.geo import fetch_and_import

        fetch_and_import(cli, list(cli.settings.region), None)
    folder = cli.home_dir / "scenario"
    _step(cli, 3, f"generating synthetic scenario (seed {seed}, {start} to {end}) into {folder}")
    run_generate(cli, seed=seed, start=start, end=end, scale=scale, out=folder, boundaries=None)
    _step(cli, 4, "ingesting the scenario through the UCDP GED path")
    load_scenario(cli, folder, force=False)
    _step(cli, 5, "building the unit-month panels (country, admin-1, PRIO-GRID)")
    for level in ("country", "admin1", "pgm"):
        build_and_save(cli, level)
    _step(cli, 6, "forecasting the next 12 months with the main model (country, admin-1)")
    for level in ("country", "admin1"):
        run_id, _, rows = run_live(cli.engine(), cli.settings, level=level, name=None)
        cli.note(f"  {level}: live forecast run {run_id}, {rows} unit-months")
    _step(cli, 7, "status (alerts join the demo as they are built)")
    print_status(cli)
    cli.out.print(
        f"Demo node ready in {time.perf_counter() - began:.0f} s at {cli.home_dir}. Its events are "
        "SIMULATED (source synthetic:...), not real."
    )
    cli.out.print(
        f"Administrator: {DEMO_ADMIN}, password: {password} (shown only now; "
        "'cawarn apikey create --user demo.admin' makes an API key)."
    )
    cli.out.print(
        f"Analyst (sees the forecasts and the risk map): {DEMO_ANALYST}, password: "
        f"{analyst_password} (shown only now)."
    )
    if not no_serve:
        run_server(cli, host, port)
