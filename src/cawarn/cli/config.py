"""``cawarn config``: check and show the node's configuration."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cawarn.cli.context import state
from cawarn.config import CONFIG_FILE, read_config_file
from cawarn.domain import ConfigError

app = typer.Typer(help="Check and show the node's configuration.", no_args_is_help=True)


@app.command("validate")
def validate(
    ctx: typer.Context,
    file: Annotated[
        Path | None, typer.Argument(help="Config file (default: the node home's cawarn.toml).")
    ] = None,
    rules: Annotated[
        Path | None,
        typer.Option(
            "--rules",
            help="Alert rules file (default: the alert_rules setting, else alert-rules.toml "
            "in the node home, when it exists).",
        ),
    ] = None,
) -> None:
    """Check a config file and the alert rules file; every mistake is named on its own line."""
    from cawarn.alerts.rules import read_rules

    cli = state(ctx)
    path = file or cli.home_dir / CONFIG_FILE
    problems: list[str] = []
    checked: list[Path] = []
    try:
        read_config_file(path)
        checked.append(path)
    except ConfigError as err:
        problems.append(str(err))
    rules_path = rules
    if rules_path is None and not problems:
        default = cli.settings.alert_rules_path
        rules_path = default if cli.settings.alert_rules is not None or default.exists() else None
    if rules_path is not None:
        try:
            read_rules(rules_path)
            checked.append(rules_path)
        except ConfigError as err:
            problems.append(str(err))
    if problems:
        raise ConfigError("\n".join(problems))
    for done in checked:
        cli.out.print(f"{done} is valid.")


@app.command("show")
def show(ctx: typer.Context) -> None:
    """Print the settings in force (config file and CAWARN_* variables), secrets hidden."""
    cli = state(ctx)
    values = cli.settings.model_dump(mode="json")
    for secret in ("ucdp_token", "secret_key"):
        if values.get(secret):
            values[secret] = "***"
    print(json.dumps(values, indent=2, ensure_ascii=False))
