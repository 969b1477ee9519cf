"""``cawarn stix``: events as a STIX 2.1 bundle, and a bundle's incidents into the store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from cawarn.cli.context import state
from cawarn.domain import InputError, Marking

app = typer.Typer(
    help="Exchange events as STIX 2.1 bundles (TLP 2.0 markings).", no_args_is_help=True
)


def _marking(text: str) -> Marking:
    name = text.strip().upper().removeprefix("TLP:")
    try:
        return Marking(f"TLP:{name}")
    except ValueError:
        known = ", ".join(m.removeprefix("TLP:") for m in Marking)
        raise InputError(f"--max-marking {text!r} is not one of {known}.") from None


@app.command("export")
def export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", "-o", help="Write the bundle to this file.")],
    country: Annotated[
        list[str] | None, typer.Option("--country", "-c", help="ISO3 code; repeat for several.")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Events ending on or after this date (YYYY-MM-DD)."),
    ] = None,
    max_marking: Annotated[
        str,
        typer.Option(
            "--max-marking",
            help="The strictest TLP marking to include: CLEAR, GREEN, AMBER, AMBER+STRICT or "
            "RED. AMBER and RED leave only when asked for here.",
        ),
    ] = "GREEN",
) -> None:
    """Write current events as a STIX 2.1 bundle that validates on its own."""
    from cawarn.network.stix.bundle import dumps, make_bundle
    from cawarn.network.stix.export import ExportFilter, export_objects
    from cawarn.network.stix.validate import validate_objects

    cli = state(ctx)
    try:
        start = dt.date.fromisoformat(since) if since else None
    except ValueError:
        raise InputError(f"--since {since!r} is not a date; write YYYY-MM-DD.") from None
    flt = ExportFilter(
        countries=tuple(country or ()), since=start, max_marking=_marking(max_marking)
    )
    with cli.engine().connect() as conn:
        objects, count = export_objects(conn, flt)
    problems = validate_objects(objects)
    if problems:
        raise InputError(
            f"The export would not validate ({len(problems)} problems; first: {problems[0]}); "
            "nothing was written."
        )
    out.write_text(dumps(make_bundle(objects)), encoding="utf-8")
    cli.out.print(
        f"Wrote {count} events ({len(objects)} STIX objects, markings up to "
        f"{flt.max_marking}) to {out}."
    )


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A STIX 2.1 bundle (JSON).")],
    force: Annotated[
        bool, typer.Option("--force", help="Read every object even if the file was read before.")
    ] = False,
) -> None:
    """Load a bundle's incidents as events (source stix); bad objects go to quarantine."""
    from cawarn.cli.ingest import summarise
    from cawarn.ingest.pipeline import ingest
    from cawarn.ingest.stix import open_stix_bundle

    cli = state(ctx)
    engine = cli.engine()
    with engine.connect() as conn:
        reader = open_stix_bundle(conn, cli.settings, file)
    with cli.progress(f"STIX {file.name}") as bar:
        report = ingest(engine, cli.settings, reader, progress=bar, force=force)
    summarise(cli, report)
    data = reader.data
    cli.out.print(
        f"{data.held} incidents are events this node already holds; {data.other_objects} other "
        "objects (identities, markings, reports...) are not events."
    )
