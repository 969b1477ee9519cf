"""``cawarn panel``: build, import, list and show unit-month panels."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from cawarn.cli.context import CliState, state

app = typer.Typer(
    help="Unit-month panels: targets and features for forecasting.", no_args_is_help=True
)


# A plain option checked by the core, so a wrong level gets cawarn's one-sentence error.
LevelOpt = Annotated[str, typer.Option("--level", help="country, admin1 or pgm.")]
NameOpt = Annotated[
    str | None, typer.Option("--name", help="The panel's name (default: the level's own panel).")
]


@app.command("build")
def build(
    ctx: typer.Context,
    level: LevelOpt,
    source: Annotated[
        list[str] | None,
        typer.Option("--source", "-s", help="Use only these sources; repeatable."),
    ] = None,
    start: Annotated[
        str | None, typer.Option(help="First month, YYYY-MM (default: the earliest event's).")
    ] = None,
    end: Annotated[
        str | None, typer.Option(help="Last month, YYYY-MM (default: the latest event's).")
    ] = None,
) -> None:
    """Build the unit-month panel of a level from the store's current events."""
    build_and_save(state(ctx), str(level), sources=source, start=start, end=end)


def build_and_save(
    cli: CliState,
    level: str,
    *,
    sources: list[str] | None = None,
    start: str | None = None,
    end: str | None = None,
) -> None:
    """Build one level's panel, record it, and print what went into it."""
    from cawarn.panel import build_panel, label, save_panel

    engine = cli.engine()
    with engine.begin() as conn:
        panel = build_panel(conn, cli.settings, level, sources=sources, start=start, end=end)
        panel = save_panel(conn, cli.settings, panel)
    r = panel.report
    cli.out.print(
        f"Panel {panel.key} (#{panel.id}): {len(panel.units)} units × {r['months']} months "
        f"({label(panel.first_month_id)} to {label(panel.last_month_id)}) = {len(panel.frame)} "
        f"rows, {len(panel.frame.columns)} columns, built in {r['seconds']:.1f} s, "
        f"written to {panel.path}."
    )
    cli.out.print(
        f"Events: {r['events_selected']} of {', '.join(panel.sources)}; {r['violent_events']} "
        f"violent ones counted, {r['non_violent_events_not_counted']} protests, riots and "
        f"other non-violent events not counted, {r['events_before_start']} before the start "
        f"and {r['events_after_end']} after the end left out, "
        f"{r['violent_events_without_unit']} violent events ({r['fatalities_without_unit']} "
        f"fatalities) without a unit at this level, {r['violent_events_without_admin1']} "
        "without an admin-1 code (counted at country level only)."
    )
    if not r["spatial_features"]:
        cli.out.print(
            "[yellow]No boundaries are loaded for the region, so the spatial and static "
            "features are empty.[/yellow]"
        )
    if panel.synthetic:
        cli.out.print("[yellow]This panel is built from SIMULATED events, not real ones.[/yellow]")


@app.command("import")
def import_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV with unit, month (or month_id) and value.")],
    level: LevelOpt = "country",
    name: Annotated[
        str | None, typer.Option("--name", help="The panel's name (default: the file's name).")
    ] = None,
    unit_column: Annotated[
        str | None, typer.Option("--unit-column", help="Column naming the unit.")
    ] = None,
    value_column: Annotated[
        str | None, typer.Option("--value-column", help="Column holding the value.")
    ] = None,
) -> None:
    """Import an external unit-month series as a panel; unusable rows go to the quarantine."""
    from cawarn.panel import label
    from cawarn.panel.importer import import_series

    cli = state(ctx)
    report = import_series(
        cli.engine(),
        cli.settings,
        file,
        str(level),
        name=name,
        unit_column=unit_column,
        value_column=value_column,
    )
    if report.same_as_batch_id is not None:
        cli.out.print(
            f"Batch {report.batch_id}: {file} is the same file as batch {report.same_as_batch_id} "
            "and its panel is unchanged; nothing was imported again."
        )
        return
    panel = report.panel
    assert panel is not None
    cli.out.print(
        f"Batch {report.batch_id}: read {report.rows_read} rows of {file} — "
        f"{report.rows_quarantined} quarantined, {report.duplicate_rows} repeated; panel "
        f"{panel.key} (#{panel.id}): {len(panel.units)} units × "
        f"{panel.last_month_id - panel.first_month_id + 1} months "
        f"({label(panel.first_month_id)} to {label(panel.last_month_id)}), "
        f"{report.filled_zero} unit-months not in the file set to 0, written to {panel.path}."
    )
    if report.reasons:
        reasons = "; ".join(f"{n} × {what}" for what, n in sorted(report.reasons.items()))
        cli.out.print(
            f"Quarantined by the first word of the reason: {reasons}. "
            f"See 'cawarn quarantine --batch {report.batch_id}'."
        )


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List the panels built or imported, newest first."""
    from cawarn.panel import label, list_panels

    cli = state(ctx)
    with cli.engine().connect() as conn:
        records = list_panels(conn)
    if as_json:
        for rec in records:
            print(json.dumps({k: v for k, v in rec.items() if k != "report"}, default=str))
        return
    table = Table(title=f"{len(records)} panel builds", title_justify="left")
    for col in ("#", "level", "name", "months", "units", "rows", "sources", "synthetic", "built"):
        table.add_column(col)
    for rec in records:
        table.add_row(
            str(rec["id"]),
            rec["level"],
            rec["label"] or "",
            f"{label(rec['first_month_id'])}..{label(rec['last_month_id'])}",
            str(rec["units"]),
            str(rec["rows"]),
            ", ".join(rec["sources"]),
            "SIMULATED" if rec["synthetic"] else "real",
            rec["built_at"].strftime("%Y-%m-%d %H:%M") if rec["built_at"] else "",
        )
    cli.out.print(table)


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


@app.command("show")
def show(
    ctx: typer.Context,
    level: LevelOpt,
    name: NameOpt = None,
    unit: Annotated[
        list[str] | None, typer.Option("--unit", "-u", help="Only this unit; repeatable.")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows (the latest months).")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Show rows of a panel, latest months last."""
    from cawarn.domain import NotFoundError
    from cawarn.panel import load_panel

    cli = state(ctx)
    panel = load_panel(cli.engine(), cli.settings, str(level), name)
    frame = panel.frame
    if unit:
        units = frame.index.get_level_values("unit")
        wanted = {str(u).upper() for u in unit}
        mask = [str(u).upper() in wanted for u in units]
        frame = frame[mask]
        if frame.empty:
            raise NotFoundError(
                f"Panel {panel.key} has no unit {', '.join(unit)}; its units are like "
                f"{', '.join(str(u) for u in panel.units[:5])}."
            )
    frame = frame.tail(max(limit, 0)).reset_index()
    if as_json:
        for record in frame.to_dict(orient="records"):
            print(json.dumps({str(k): _plain(v) for k, v in record.items()}))
        return
    # A terminal-wide selection; --json prints every column.
    shown = ["month_id", "unit", *(c for c in ("country",) if c in frame.columns)]
    shown += list(panel.targets[:3])
    table = Table(
        title=f"panel {panel.key}: {len(frame)} rows (--json for every column)",
        title_justify="left",
    )
    for col in shown:
        widest = max([len(col), *(len(str(v)) for v in frame[col].tolist())])
        table.add_column(col, no_wrap=True, min_width=min(widest, 24))
    for values in frame[shown].itertuples(index=False):
        table.add_row(*(f"{v:.3g}" if isinstance(v, float) else str(v) for v in values))
    cli.out.print(table)
