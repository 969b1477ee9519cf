"""``cawarn org``: the organisations of the network."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cawarn.cli.context import state
from cawarn.domain.access import OrgKind

app = typer.Typer(help="Organisations of the network (create, list).", no_args_is_help=True)


@app.command("create")
def create(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Short code, e.g. KGZ-NCTC; events name it.")],
    title: Annotated[str, typer.Option(help="The organisation's full title.")],
    kind: Annotated[OrgKind, typer.Option(help="state, un, osce or other.")] = OrgKind.STATE,
) -> None:
    """Add an organisation."""
    from cawarn.accounts import audit
    from cawarn.accounts.directory import create_organisation

    cli = state(ctx)
    with cli.engine().begin() as conn:
        org = create_organisation(conn, code, title, kind, actor=audit.CLI)
    cli.out.print(f"Organisation {org.code} ({org.kind.value}) created.")


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """List the organisations."""
    from cawarn.accounts.directory import list_organisations

    cli = state(ctx)
    with cli.engine().connect() as conn:
        orgs = list_organisations(conn)
    table = Table(title=f"{len(orgs)} organisations", title_justify="left")
    for col in ("code", "kind", "title"):
        table.add_column(col)
    for org in orgs:
        table.add_row(org.code, org.kind.value, org.title)
    cli.out.print(table)
