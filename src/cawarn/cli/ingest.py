"""``cawarn ingest``: load event data into the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cawarn.cli.context import CliState, state

app = typer.Typer(help="Load event data into the store.", no_args_is_help=True)


@app.command("ucdp-ged")
def ucdp_ged(
    ctx: typer.Context,
    source: Annotated[
        str | None,
        typer.Argument(
            help="CSV file, official zip, UCDP API JSON page(s) or folder of pages, or an "
            "http(s) URL of any of them. Omit it to download the release given by --version.",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        str | None,
        typer.Option(
            "--version",
            help="GED release, e.g. 25.1 (yearly) or 25.0.10 (Candidate). Alone, downloads it; "
            "with SOURCE, says which release SOURCE is when its name does not tell.",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Read every row even if this very file was ingested before with the same "
            "boundaries and settings.",
        ),
    ] = False,
) -> None:
    """Load UCDP GED or GED Candidate events for the node's region."""
    from cawarn.ingest.pipeline import ingest
    from cawarn.ingest.ucdp import GedReader, open_ucdp_ged

    cli = state(ctx)
    engine = cli.engine()
    settings = cli.settings
    with open_ucdp_ged(settings, source, version=version) as ged:
        reader = GedReader(ged, set(settings.region))
        with cli.progress(f"UCDP GED {ged.version.label}") as bar:
            report = ingest(engine, settings, reader, progress=bar, force=force)
    summarise(cli, report)


@app.command("scenario")
def scenario(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="A folder written by 'cawarn scenario generate'.")],
    force: Annotated[
        bool, typer.Option("--force", help="Read every row even if the file was read before.")
    ] = False,
) -> None:
    """Load a synthetic scenario's events; they stay marked as simulated (source synthetic:ID)."""
    load_scenario(state(ctx), folder, force=force)


def load_scenario(cli: CliState, folder: Path, *, force: bool) -> None:
    """Ingest a scenario folder with a progress bar and print the summary."""
    from cawarn.ingest.pipeline import ingest
    from cawarn.ingest.ucdp import GedReader, open_scenario

    engine = cli.engine()
    settings = cli.settings
    ged, source = open_scenario(settings, folder)
    with ged:
        reader = GedReader(ged, set(settings.region), synthetic=source)
        with cli.progress(f"{source}") as bar:
            report = ingest(engine, settings, reader, progress=bar, force=force)
    summarise(cli, report)
    cli.out.print(f"[yellow]{source} is simulated data, not real events.[/yellow]")


def summarise(cli: CliState, report: object) -> None:
    from cawarn.ingest.contract import IngestReport

    assert isinstance(report, IngestReport)
    r = report
    if r.same_as_batch_id is not None:
        cli.out.print(
            f"Batch {r.batch_id}: {r.location} is the same file as batch {r.same_as_batch_id} "
            f"(sha256 {r.sha256}), read with the same boundaries and settings: its "
            f"{r.events_unchanged} events are unchanged and nothing was read again "
            "(--force reads it anyway)."
        )
        return
    cli.out.print(
        f"Batch {r.batch_id} ({' '.join(filter(None, [r.source, r.source_version]))}, "
        f"{r.location}): "
        f"read {r.rows_read} rows in {r.seconds:.1f} s — {r.events_new} new events, "
        f"{r.events_revised} revised, {r.events_unchanged} unchanged, "
        f"{r.events_older} from an older release, {r.rows_quarantined} quarantined, "
        f"{r.rows_outside_region} outside the region, {r.duplicate_rows} repeated rows."
    )
    cli.out.print(
        f"Places: {r.admin1_snapped} snapped to the nearest admin-1 unit, "
        f"{r.admin1_unassigned} without one, {r.admin1_disagreements} disagree with the source's "
        f"adm_1, {r.priogrid_mismatches} PRIO-GRID cells differ from the source's."
    )
    if r.quarantine_reasons:
        reasons = "; ".join(f"{n} × {reason}" for reason, n in r.quarantine_reasons.most_common(5))
        cli.out.print(f"Quarantined: {reasons}. See 'cawarn quarantine --batch {r.batch_id}'.")
    if r.countries_without_boundaries:
        cli.out.print(
            "[yellow]No admin-1 boundaries are loaded for "
            f"{', '.join(r.countries_without_boundaries)}: their events have no admin-1 unit. "
            "Run 'cawarn geo fetch' or 'cawarn geo import DIR', then ingest again.[/yellow]"
        )
