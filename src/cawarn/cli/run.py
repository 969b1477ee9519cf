"""``cawarn run``: the node's schedule (ingest → panel → forecasts → alert scan)."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Annotated

import typer

from cawarn.cli.context import state


def run(
    ctx: typer.Context,
    once: Annotated[
        bool, typer.Option("--once", help="Run the tasks that are due once, then stop.")
    ] = False,
    every: Annotated[
        bool, typer.Option("--all", help="Run every task now, whatever its interval.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="With --once: print one JSON object.")
    ] = False,
) -> None:
    """Run the node's schedule: each task on its own interval; a killed run resumes cleanly."""
    from cawarn.schedule import next_due, run_due

    cli = state(ctx)
    engine = cli.engine()
    while True:
        results = run_due(engine, cli.settings, every=every, note=cli.note)
        if as_json and once:
            out = [
                {"task": r.task, "status": r.status, "message": r.message, **r.details}
                for r in results
            ]
            print(json.dumps({"tasks": out}))
        else:
            for r in results:
                if r.status != "skipped":
                    cli.out.print(f"{r.task}: {r.status}: {r.message}", markup=False)
        if once:
            return
        every = False
        wait = next_due(engine, cli.settings, dt.datetime.now(dt.UTC)) - dt.datetime.now(dt.UTC)
        time.sleep(min(max(wait.total_seconds(), 1.0), 3600.0))


def register(app: typer.Typer) -> None:
    """Add ``cawarn run``."""
    app.command("run")(run)
