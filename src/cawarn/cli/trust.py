"""``cawarn trust-group``: named sets of organisations that releases can address."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cawarn.cli.context import state

app = typer.Typer(help="Trust groups of organisations (create, add, list).", no_args_is_help=True)

Orgs = Annotated[str, typer.Option("--orgs", help="Comma-separated organisation codes.")]


def _codes(text: str) -> list[str]:
    return [code.strip() for code in text.split(",") if code.strip()]


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The group's name, e.g. CA5.")],
    orgs: Orgs,
) -> None:
    """Create a trust group with its first members."""
    from cawarn.accounts import audit
    from cawarn.network.trust import create_group

    cli = state(ctx)
    with cli.engine().begin() as conn:
        members = create_group(conn, name, _codes(orgs), actor=audit.CLI)
    cli.out.print(f"Trust group {name} created: {', '.join(members)}.")


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The group's name.")],
    orgs: Orgs,
) -> None:
    """Add organisations to a trust group (earlier releases keep their audience)."""
    from cawarn.accounts import audit
    from cawarn.network.trust import add_members

    cli = state(ctx)
    with cli.engine().begin() as conn:
        members = add_members(conn, name, _codes(orgs), actor=audit.CLI)
    cli.out.print(f"Trust group {name}: {', '.join(members)}.")


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """List the trust groups and their members."""
    from cawarn.network.trust import group_members

    cli = state(ctx)
    with cli.engine().connect() as conn:
        groups = group_members(conn)
    table = Table(title=f"{len(groups)} trust groups", title_justify="left")
    table.add_column("group")
    table.add_column("members")
    for name, members in groups.items():
        table.add_row(name, ", ".join(members) or "-")
    cli.out.print(table)
