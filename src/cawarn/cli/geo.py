"""``cawarn geo``: admin-1 boundaries (fetch, import), units, attribution; the gazetteer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cawarn.cli.context import CliState, state

app = typer.Typer(help="Admin-1 boundaries: fetch, import, list units.", no_args_is_help=True)

CountriesOpt = Annotated[
    list[str] | None,
    typer.Option("--country", "-c", help="ISO3 code; repeatable (default: the node's region)."),
]


def _countries(cli: CliState, given: list[str] | None) -> list[str]:
    return [c.upper() for c in given] if given else list(cli.settings.region)


@app.command("fetch")
def fetch(
    ctx: typer.Context,
    country: CountriesOpt = None,
    keep: Annotated[
        Path | None,
        typer.Option(help="Keep the downloaded files in this folder (default: the node cache)."),
    ] = None,
) -> None:
    """Download ADM1 boundaries from geoBoundaries and load them."""
    cli = state(ctx)
    fetch_and_import(cli, _countries(cli, country), keep)


def fetch_and_import(cli: CliState, countries: list[str], keep: Path | None) -> None:
    """Download the countries' ADM1 boundaries (into ``keep`` or the cache) and load them."""
    from cawarn.geo.fetch import fetch_boundaries

    dest = keep or cli.settings.cache_dir / "geoboundaries"
    with cli.progress("geoBoundaries", unit="files") as bar:
        fetch_boundaries(countries, dest, api_base=cli.settings.geoboundaries_api, progress=bar)
    _import(cli, dest, countries, location=cli.settings.geoboundaries_api)


@app.command("import")
def import_(
    ctx: typer.Context,
    folder: Annotated[
        Path, typer.Argument(help="Folder laid out like a geoBoundaries release: <ISO3>/ADM1/...")
    ],
    country: CountriesOpt = None,
) -> None:
    """Load ADM1 boundaries from a local folder (for nodes without internet)."""
    cli = state(ctx)
    import_boundaries(cli, folder, _countries(cli, country))


def import_boundaries(cli: CliState, folder: Path, countries: list[str]) -> None:
    """Load the countries' ADM1 boundaries from a local geoBoundaries-style folder."""
    _import(cli, folder, countries, location=str(folder.resolve()))


def _import(cli: CliState, folder: Path, countries: list[str], *, location: str) -> None:
    from cawarn.geo.boundaries import read_boundary_folder
    from cawarn.store.geography import replace_country_boundaries

    engine = cli.engine()
    loaded = read_boundary_folder(folder, countries)
    with engine.begin() as conn:
        for item in loaded:
            count = replace_country_boundaries(
                conn,
                item.source,
                item.units,
                item.outline,
                location=location,
                warnings=item.warnings,
            )
            cli.out.print(f"{item.country}: {count} admin-1 units — {item.source.attribution}")
            for warning in item.warnings:
                cli.note(f"  note: {warning}")


@app.command("units")
def units(
    ctx: typer.Context,
    country: Annotated[str | None, typer.Option("--country", "-c", help="Only this ISO3.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """List admin-1 units: stable code, English and Russian name, country."""
    from cawarn.store.geography import list_boundaries, list_units

    cli = state(ctx)
    with cli.engine().connect() as conn:
        rows = list_units(conn, country.upper() if country else None)
        attributions = {b.source.country: b.source.attribution for b in list_boundaries(conn)}
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "code": u.code,
                        "country": u.country,
                        "name_en": u.name_en,
                        "name_ru": u.name_ru,
                        "source_name": u.source_name,
                    }
                    for u in rows
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if not rows:
        cli.out.print(
            "No admin-1 units are loaded; run 'cawarn geo fetch' or 'cawarn geo import DIR'."
        )
        return
    table = Table(title=f"{len(rows)} admin-1 units", title_justify="left")
    for col in ("code", "name (en)", "название (ru)", "country"):
        table.add_column(col)
    for unit in rows:
        table.add_row(unit.code, unit.name_en, unit.name_ru, unit.country)
    cli.out.print(table)
    cli.out.print("Boundaries: " + "; ".join(f"{c}: {a}" for c, a in sorted(attributions.items())))


gazetteer_app = typer.Typer(
    help="The GeoNames gazetteer of place names (English and Russian): download, import, search.",
    no_args_is_help=True,
)
app.add_typer(gazetteer_app, name="gazetteer")


@gazetteer_app.command("download")
def gazetteer_download(
    ctx: typer.Context,
    countries: Annotated[
        str | None,
        typer.Option(
            "--countries",
            help="Comma-separated ISO codes, e.g. KZ,KG,TJ,TM,UZ,AF (default: the node's region).",
        ),
    ] = None,
    keep: Annotated[
        Path | None,
        typer.Option(help="Keep the downloaded files in this folder (default: the node cache)."),
    ] = None,
) -> None:
    """Download the GeoNames files of the countries and load their places."""
    from cawarn.geo.gazetteer import country_codes, download

    cli = state(ctx)
    given = countries.split(",") if countries else list(cli.settings.region)
    codes = country_codes([c for c in given if c.strip()])
    dest = keep or cli.settings.cache_dir / "geonames"
    with cli.progress("GeoNames", unit="files") as bar:
        files = download(codes, dest, base=cli.settings.geonames_url, progress=bar)
    for path in files:
        _import_gazetteer(cli, path, location=f"{cli.settings.geonames_url}/{path.name}")


@gazetteer_app.command("import")
def gazetteer_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A GeoNames dump: {CC}.txt or {CC}.zip.")],
) -> None:
    """Load places from a local GeoNames file (for nodes without internet)."""
    cli = state(ctx)
    _import_gazetteer(cli, file, location=str(file.resolve()))


def _import_gazetteer(cli: CliState, path: Path, *, location: str) -> None:
    from cawarn.geo.gazetteer import ATTRIBUTION, import_places, read_places

    engine = cli.engine()
    with engine.begin() as conn:
        result = import_places(
            conn, read_places(path), region=cli.settings.region, location=location
        )
    for country, count in sorted(result.places.items()):
        cli.out.print(f"{country}: {count} places — {ATTRIBUTION}")
    if result.other_classes or result.outside_region:
        cli.note(
            f"  left out: {result.other_classes} features that are not places or admin areas, "
            f"{result.outside_region} outside the node's region"
        )


@gazetteer_app.command("search")
def gazetteer_search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="The start of a place name, English or Russian.")],
    limit: Annotated[int, typer.Option(help="At most this many places.")] = 10,
) -> None:
    """Find places of the region by the start of their name."""
    from cawarn.geo.gazetteer import search

    cli = state(ctx)
    with cli.engine().connect() as conn:
        found = search(conn, query, region=cli.settings.region, limit=limit)
    if not found:
        cli.out.print(f"No place of the region starts with {query!r}.")
        return
    table = Table(title=f"{len(found)} places", title_justify="left")
    for col in ("geonameid", "name", "название", "code", "country", "lat", "lon", "population"):
        table.add_column(col)
    for m in found:
        table.add_row(
            str(m.geonameid),
            m.name,
            m.name_ru or "",
            m.feature_code,
            m.country,
            f"{m.latitude:.4f}",
            f"{m.longitude:.4f}",
            str(m.population),
        )
    cli.out.print(table)
