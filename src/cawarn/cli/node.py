"""``cawarn init`` and ``cawarn status``: create a node home, and say what it holds."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table

from cawarn.cli.context import CliState, state
from cawarn.config import CONFIG_FILE, FileConfig, read_config_file, render_config
from cawarn.domain import ConfigError


def register(app: typer.Typer) -> None:
    """Add the node commands to the top-level app."""
    app.command("init")(init)
    app.command("status")(status)


def init(
    ctx: typer.Context,
    organisation: Annotated[
        str | None, typer.Option(help="The organisation that runs this node.")
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(help="Comma-separated ISO3 codes (default: AFG,KAZ,KGZ,TJK,TKM,UZB)."),
    ] = None,
) -> None:
    """Create the node home (config file and store) or migrate an existing one."""
    create_home(state(ctx), organisation=organisation, region=region)


def create_home(
    cli: CliState, *, organisation: str | None, region: str | None, demo: bool = False
) -> None:
    """Write the config file if there is none, and bring the store to the newest schema."""
    home = cli.home_dir
    path = home / CONFIG_FILE
    if home.exists() and not home.is_dir():
        raise ConfigError(f"{home} exists and is not a directory; choose another --home.")
    home.mkdir(parents=True, exist_ok=True)
    if path.exists():
        read_config_file(path)
        if organisation or region:
            raise ConfigError(
                f"{path} already exists; edit it to change the organisation or region."
            )
        cli.note(f"Using the existing config file {path}.")
    else:
        values: dict[str, Any] = {"demo": demo}
        if organisation:
            values["organisation"] = organisation
        if region:
            values["region"] = [code.strip().upper() for code in region.split(",") if code.strip()]
        try:
            config = FileConfig(**values)
        except ValueError as err:
            raise ConfigError(f"Invalid --region or --organisation: {err}") from None
        path.write_text(render_config(config), encoding="utf-8")
        cli.note(f"Wrote {path}.")
    from cawarn.store.engine import create_engine_for, migrate

    engine = create_engine_for(cli.settings)
    revision = migrate(engine)
    from cawarn.network import keys

    node_key, created = keys.ensure(home)
    if created:
        cli.note(f"Created the node key {node_key.key_id} in {keys.key_path(home)}.")
    cli.out.print(
        f"Node home {home} is ready: store {_safe_url(engine.url)} at schema {revision}, "
        f"region {' '.join(cli.settings.region)}."
    )


def _safe_url(url: Any) -> str:
    return str(url.render_as_string(hide_password=True))


def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    batches: Annotated[int, typer.Option(help="How many recent batches to show.")] = 10,
) -> None:
    """Show what the node holds: events, quarantine, batches, boundaries."""
    cli = state(ctx)
    if as_json:
        print(json.dumps(status_report(cli, batches), indent=2, ensure_ascii=False, default=str))
        return
    print_status(cli, batches)


def status_report(cli: CliState, batches: int = 10) -> dict[str, Any]:
    """What the node holds, as one dict."""
    from cawarn.store.status import node_status

    engine = cli.engine()
    with engine.connect() as conn:
        report = node_status(conn, cli.settings, batch_limit=batches)
    report["database"] = _safe_url(engine.url)
    return report


def print_status(cli: CliState, batches: int = 10) -> None:
    """Print what the node holds for a person."""
    _print_status(cli.out, status_report(cli, batches))


def _print_status(out: Any, report: dict[str, Any]) -> None:
    ev = report["events"]
    out.print(f"[bold]Node[/bold] {report['home']}  store {report['database']}")
    out.print(
        f"[bold]Events[/bold] {ev['total']} current "
        f"({ev['revisions_kept']} earlier revisions kept), "
        f"{ev['first_date'] or '-'} to {ev['last_date'] or '-'}, "
        f"{ev['fatalities_best']} fatalities (best)"
    )
    for key in ("by_country", "by_source", "by_category"):
        if ev[key]:
            parts = ", ".join(f"{name} {n}" for name, n in ev[key].items())
            out.print(f"  {key.replace('_', ' ')}: {parts}")
    if ev["admin1_disagreements"] or ev["priogrid_mismatches"]:
        out.print(
            f"  {ev['admin1_disagreements']} events lie in another admin-1 unit than the source "
            "names (cawarn events --admin1-disagrees); "
            f"{ev['priogrid_mismatches']} PRIO-GRID cells differ from the source's"
        )
    if report["synthetic_sources"]:
        out.print(f"  [yellow]synthetic data: {', '.join(report['synthetic_sources'])}[/yellow]")
    out.print(f"[bold]Quarantine[/bold] {report['quarantine']['total']} rejected rows")
    if report["panels"]:
        built = [
            f"{p['level']}{'-' + p['name'] if p['name'] else ''} {p['units']}×"
            f"{p['rows'] // max(p['units'], 1)}{' (simulated)' if p['synthetic'] else ''}"
            for p in report["panels"]
        ]
        out.print(f"[bold]Panels[/bold] (units × months) {', '.join(built)}")
    if report["forecasts"]:
        from cawarn.panel import label

        runs = [
            f"{f['kind']} {f['panel']} #{f['run']} (data to {label(f['data_to_month_id'])})"
            for f in report["forecasts"]
        ]
        out.print(f"[bold]Forecasts[/bold] newest: {', '.join(runs)}")
    geo = report["boundaries"]
    if geo:
        out.print("[bold]Boundaries[/bold]")
        for item in geo:
            out.print(f"  {item['country']}: {item['units']} admin-1 units — {item['attribution']}")
    else:
        out.print("[bold]Boundaries[/bold] none loaded (cawarn geo fetch | cawarn geo import DIR)")
    if report["batches"]:
        table = Table(
            title="Recent batches (times and more: --json)",
            title_justify="left",
            box=box.SIMPLE_HEAD,
        )
        rows = [
            [
                str(b["id"]),
                b["status"],
                f"{b['source']} {b['source_version'] or ''}".strip(),
                str(b["rows_read"]),
                str(b["events_new"]),
                str(b["events_revised"]),
                str(b["events_unchanged"]),
                str(b["rows_quarantined"]),
                str(b["rows_outside_region"]),
            ]
            for b in report["batches"]
        ]
        heads = ("#", "status", "source", "rows", "new", "revised", "same", "quar.", "out")
        for i, col in enumerate(heads):
            text = col in ("status", "source")
            width = max(len(col), *(len(row[i]) for row in rows))
            table.add_column(
                col,
                no_wrap=True,
                overflow="ellipsis",
                justify="left" if text else "right",
                # Numbers keep their full width; a long source name gives way.
                min_width=None if col == "source" else width,
            )
        for row in rows:
            table.add_row(*row)
        out.print(table)
