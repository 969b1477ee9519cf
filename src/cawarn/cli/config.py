"""``cawarn config``: check and show the node's configuration."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cawarn.cli.context import state
from cawarn.config import read_config_file

app = typer.Typer(help="Check and show the node's configuration.", no_args_is_help=True)


@app.command("validate")
def validate(
    ctx: typer.Context,
    file: Annotated[
        Path | None, typer.Argument(help="Config file (default: the node home's cawarn.toml).")
    ] = None,
) -> None:
    """Check a config file; every mistake is named with the key and what is expected."""
    cli = state(ctx)
    path = file or cli.settings.config_path
    read_config_file(path)
    cli.out.print(f"{path} is valid.")


@app.command("show")
def show(ctx: typer.Context) -> None:
    """Print the settings in force (config file and CAWARN_* variables), secrets hidden."""
    cli = state(ctx)
    values = cli.settings.model_dump(mode="json")
    for secret in ("ucdp_token", "secret_key"):
        if values.get(secret):
            values[secret] = "***"
    print(json.dumps(values, indent=2, ensure_ascii=False))
