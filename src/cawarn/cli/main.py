"""The ``cawarn`` command: global options, command groups, and errors as one sentence."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cawarn import __version__
from cawarn.cli import alerts as alerts_cli
from cawarn.cli import apikey as apikey_cli
from cawarn.cli import audit as audit_cli
from cawarn.cli import config as config_cli
from cawarn.cli import demo as demo_cli
from cawarn.cli import events as events_cli
from cawarn.cli import forecast as forecast_cli
from cawarn.cli import geo as geo_cli
from cawarn.cli import ingest as ingest_cli
from cawarn.cli import node as node_cli
from cawarn.cli import node_keys as node_keys_cli
from cawarn.cli import org as org_cli
from cawarn.cli import panel as panel_cli
from cawarn.cli import peer as peer_cli
from cawarn.cli import release as release_cli
from cawarn.cli import run as run_cli
from cawarn.cli import scenario as scenario_cli
from cawarn.cli import serve as serve_cli
from cawarn.cli import stix as stix_cli
from cawarn.cli import trust as trust_cli
from cawarn.cli import user as user_cli
from cawarn.cli.context import CliState
from cawarn.domain import CawarnError

app = typer.Typer(
    name="cawarn",
    help="A node of the Central Asia counter-terrorism early warning network.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        print(f"cawarn {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            help="Node home directory (default: $CAWARN_HOME, else ./cawarn-home).",
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bars or notes on stderr.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """A node of the Central Asia counter-terrorism early warning network."""
    ctx.obj = CliState(home=home, quiet=quiet)


node_cli.register(app)
demo_cli.register(app)
app.add_typer(scenario_cli.app, name="scenario")
app.add_typer(config_cli.app, name="config")
app.add_typer(geo_cli.app, name="geo")
app.add_typer(ingest_cli.app, name="ingest")
app.add_typer(events_cli.app, name="events")
events_cli.register_quarantine(app)
app.add_typer(panel_cli.app, name="panel")
app.add_typer(forecast_cli.app, name="forecast")
app.add_typer(org_cli.app, name="org")
app.add_typer(user_cli.app, name="user")
app.add_typer(apikey_cli.app, name="apikey")
serve_cli.register(app)
app.add_typer(alerts_cli.app, name="alerts")
run_cli.register(app)
app.add_typer(node_keys_cli.app, name="node")
app.add_typer(trust_cli.app, name="trust-group")
app.add_typer(release_cli.app, name="release")
app.add_typer(audit_cli.app, name="audit")
app.add_typer(stix_cli.app, name="stix")
peer_cli.register(app)


def run() -> None:
    """Entry point: run the CLI; a known error prints one sentence, never a traceback.

    Usage mistakes (unknown options, bad values) are reported by the command-line parser itself
    with exit code 2; errors of cawarn's own families map to their exit codes.
    """
    try:
        app()
    except CawarnError as err:
        print(f"Error: {err}", file=sys.stderr)
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        print("Interrupted; nothing of the unfinished step was kept.", file=sys.stderr)
        sys.exit(130)
    except Exception as err:  # the last line of defence: no traceback for users
        if _debug():
            raise
        print(
            f"Error: an unexpected {type(err).__name__}: {err}. This is a bug in cawarn; "
            "rerun with CAWARN_DEBUG=1 for details and report it.",
            file=sys.stderr,
        )
        sys.exit(70)


def _debug() -> bool:
    import os

    return os.environ.get("CAWARN_DEBUG", "") not in ("", "0")
