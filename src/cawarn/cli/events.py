"""``cawarn events`` (list, show, export) and ``cawarn quarantine``."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.table import Table

from cawarn.cli.context import state
from cawarn.domain import Category, InputError, NotFoundError, is_synthetic_source

app = typer.Typer(
    help="List, show and export events (current revisions).", invoke_without_command=True
)

DateFrom = Annotated[
    str | None, typer.Option("--from", help="Events on or after this date (YYYY-MM-DD or YYYY-MM).")
]
DateTo = Annotated[
    str | None, typer.Option("--to", help="Events on or before this date (YYYY-MM-DD or YYYY-MM).")
]
CountryOpt = Annotated[
    list[str] | None, typer.Option("--country", "-c", help="ISO3 code; repeat for several.")
]
Admin1Opt = Annotated[
    list[str] | None, typer.Option("--admin1", "-a", help="Admin-1 code (e.g. AF-KAB).")
]
CategoryOpt = Annotated[
    list[Category] | None, typer.Option("--category", help="Event category; repeatable.")
]
SourceOpt = Annotated[
    list[str] | None, typer.Option("--source", "-s", help="Source, e.g. ucdp-ged; repeatable.")
]
BatchOpt = Annotated[int | None, typer.Option("--batch", help="Only events stored by this batch.")]
DisagreeOpt = Annotated[
    bool,
    typer.Option("--admin1-disagrees", help="Only events whose admin-1 differs from the source's."),
]


def _parse_date(value: str | None, *, end: bool) -> dt.date | None:
    if not value:
        return None
    try:
        if len(value) == 7:
            first = dt.date.fromisoformat(value + "-01")
            if not end:
                return first
            following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            return following - dt.timedelta(days=1)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{value!r} is not a date; write YYYY-MM-DD or YYYY-MM.") from None


def _filter(
    date_from: str | None,
    date_to: str | None,
    country: list[str] | None,
    admin1: list[str] | None,
    category: list[Category] | None,
    source: list[str] | None,
    batch: int | None = None,
    disagrees: bool = False,
) -> Any:
    from cawarn.store.queries import EventFilter

    return EventFilter(
        date_from=_parse_date(date_from, end=False),
        date_to=_parse_date(date_to, end=True),
        country=tuple(c.upper() for c in country or ()),
        admin1=tuple(a.upper() for a in admin1 or ()),
        category=tuple(str(c) for c in category or ()),
        source=tuple(source or ()),
        batch_id=batch,
        admin1_disagrees=disagrees,
    )


@app.callback()
def list_events(
    ctx: typer.Context,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    country: CountryOpt = None,
    admin1: Admin1Opt = None,
    category: CategoryOpt = None,
    source: SourceOpt = None,
    batch: BatchOpt = None,
    disagrees: DisagreeOpt = False,
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 50,
    offset: Annotated[int, typer.Option(help="Skip this many rows first.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List current events, oldest first, with filters; subcommands show and export."""
    if ctx.invoked_subcommand is not None:
        return
    from cawarn.store.queries import count_events, iter_events

    cli = state(ctx)
    flt = _filter(date_from, date_to, country, admin1, category, source, batch, disagrees)
    with cli.engine().connect() as conn:
        total = count_events(conn, flt)
        rows = list(iter_events(conn, flt, limit=limit, offset=offset))
    if as_json:
        for row in rows:
            print(json.dumps(row, default=str, ensure_ascii=False))
        return
    table = Table(title=f"{len(rows)} of {total} events", title_justify="left")
    # Every column but the actors keeps its full width; the actors give way on a narrow screen.
    widths = {"date": 10, "cc": 3, "admin1": 6, "category": 11, "deaths": 6, "source": 8, "id": 6}
    for col in ("date", "cc", "admin1", "category", "deaths", "actors", "source", "id"):
        table.add_column(
            col,
            no_wrap=True,
            overflow="ellipsis",
            justify="right" if col == "deaths" else "left",
            min_width=widths.get(col),
            max_width=32 if col == "actors" else None,
        )
    for row in rows:
        label = str(row["source"])
        if row["source_version"]:
            label += f" {row['source_version']}"
        actors = " – ".join(a for a in (row["actor1"], row["actor2"]) if a)
        table.add_row(
            row["date_start"].isoformat(),
            row["country"],
            row["admin1"] or "",
            row["category"],
            "" if row["fatalities_best"] is None else str(row["fatalities_best"]),
            actors,
            label,
            row["source_event_id"],
        )
    cli.out.print(table)
    if any(is_synthetic_source(row["source"]) for row in rows):
        cli.out.print(
            "[yellow]Rows from a synthetic: source are simulated, not real events.[/yellow]"
        )


@app.command("show")
def show(
    ctx: typer.Context,
    event: Annotated[str, typer.Argument(help="Event uid, or SOURCE:ID (e.g. ucdp-ged:300380).")],
) -> None:
    """Show one event with every revision the store keeps and the source's own fields."""
    from cawarn.ingest.records import event_uid
    from cawarn.store.queries import event_revisions

    cli = state(ctx)
    uid = event
    if ":" in event and len(event) != 36:
        source, _, sid = event.rpartition(":")
        uid = event_uid(source, sid)
    with cli.engine().connect() as conn:
        revisions = event_revisions(conn, uid)
    if not revisions:
        raise NotFoundError(f"No event {event!r}; list events with 'cawarn events'.")
    print(json.dumps(revisions, indent=2, default=str, ensure_ascii=False))


class ExportFormat(StrEnum):
    """Export formats."""

    CSV = "csv"
    GEOJSON = "geojson"


@app.command("export")
def export(
    ctx: typer.Context,
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="csv or geojson.")] = (
        ExportFormat.CSV
    ),
    hxl: Annotated[bool, typer.Option("--hxl", help="CSV: add an HXL hashtag row.")] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    country: CountryOpt = None,
    admin1: Admin1Opt = None,
    category: CategoryOpt = None,
    source: SourceOpt = None,
) -> None:
    """Write current events as CSV (optionally with HXL hashtags) or GeoJSON."""
    from cawarn.export import write_csv, write_geojson
    from cawarn.store.queries import iter_events

    if hxl and fmt is not ExportFormat.CSV:
        raise InputError("--hxl applies to CSV only; drop it or use --format csv.")
    cli = state(ctx)
    flt = _filter(date_from, date_to, country, admin1, category, source)
    target: Any = (
        output.open("w", encoding="utf-8", newline="") if output else nullcontext(sys.stdout)
    )
    synthetic = 0

    def marked(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        nonlocal synthetic
        for row in rows:
            synthetic += is_synthetic_source(row["source"])
            yield row

    with cli.engine().connect() as conn, target as out:
        rows = marked(iter_events(conn, flt))
        count = (
            write_csv(rows, out, hxl=hxl) if fmt is ExportFormat.CSV else write_geojson(rows, out)
        )
    cli.note(f"Exported {count} events" + (f" to {output}." if output else "."))
    if synthetic:
        cli.err.print(
            f"[yellow]{synthetic} of them are SIMULATED (source synthetic:...), not real events; "
            "their source column says so.[/yellow]"
        )


def register_quarantine(root: typer.Typer) -> None:
    """Add ``cawarn quarantine`` to the top-level app."""
    root.command("quarantine")(quarantine_list)


def quarantine_list(
    ctx: typer.Context,
    batch: Annotated[int | None, typer.Option("--batch", help="Only this batch.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 50,
    offset: Annotated[int, typer.Option(help="Skip this many rows first.")] = 0,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per line, with the raw row.")
    ] = False,
) -> None:
    """List rejected input rows with their batch, row number and reason."""
    from cawarn.store.queries import count_quarantine, list_quarantine

    cli = state(ctx)
    with cli.engine().connect() as conn:
        total = count_quarantine(conn, batch_id=batch)
        rows = list_quarantine(conn, batch_id=batch, limit=limit, offset=offset)
    if as_json:
        _print_jsonl(rows, sys.stdout)
        return
    table = Table(title=f"{len(rows)} of {total} quarantined rows", title_justify="left")
    for col in ("batch", "row", "id", "reason"):
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(
            str(row["batch_id"]),
            str(row["row_number"]),
            row["source_event_id"] or "",
            row["reason"],
        )
    cli.out.print(table)


def _print_jsonl(rows: list[dict[str, Any]], out: TextIO) -> None:
    for row in rows:
        out.write(json.dumps(row, default=str, ensure_ascii=False) + "\n")
