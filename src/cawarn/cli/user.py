"""``cawarn user``: accounts of the node (the first administrator, users, listings)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cawarn.cli.context import CliState, state
from cawarn.cli.passwords import read_new_password
from cawarn.domain.access import OrgKind, Role

app = typer.Typer(help="User accounts (create-admin, create, list).", no_args_is_help=True)

UsernameOpt = Annotated[str, typer.Option("--username", help="e.g. kgz.duty1")]
OrgOpt = Annotated[
    str | None,
    typer.Option("--org", help="Organisation code (default: the node's organisation)."),
]
StdinOpt = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input.")
]


def create_admin_user(cli: CliState, username: str, org_code: str, password: str) -> None:
    """Create an administrator, and its organisation if the node does not know it yet."""
    from cawarn.accounts import audit
    from cawarn.accounts.directory import (
        check_username,
        create_organisation,
        create_user,
        find_organisation,
    )

    check_username(username)
    with cli.engine().begin() as conn:
        new_org = find_organisation(conn, org_code) is None
        if new_org:
            create_organisation(conn, org_code, org_code, OrgKind.STATE, actor=audit.CLI)
        create_user(conn, username, org_code, Role.ADMIN, password, actor=audit.CLI)
    if new_org:
        cli.note(f"Created the organisation {org_code} too; 'cawarn org list' shows it.")


@app.command("create-admin")
def create_admin(
    ctx: typer.Context,
    username: UsernameOpt,
    org: OrgOpt = None,
    password_stdin: StdinOpt = False,
) -> None:
    """Create an administrator (the first one too); there are no default accounts."""
    cli = state(ctx)
    org_code = org or cli.settings.organisation
    password = read_new_password(password_stdin)
    create_admin_user(cli, username, org_code, password)
    scope = (
        "every organisation"
        if org_code == cli.settings.organisation
        else f"{org_code} only (it is not the node's organisation, {cli.settings.organisation})"
    )
    cli.out.print(f"Administrator {username} of {org_code} created; it manages {scope}.")


@app.command("create")
def create(
    ctx: typer.Context,
    username: UsernameOpt,
    role: Annotated[Role, typer.Option(help="The user's role.")],
    org: OrgOpt = None,
    password_stdin: StdinOpt = False,
) -> None:
    """Create a user with a role in an organisation."""
    from cawarn.accounts import audit
    from cawarn.accounts.directory import create_user

    cli = state(ctx)
    org_code = org or cli.settings.organisation
    password = read_new_password(password_stdin)
    with cli.engine().begin() as conn:
        create_user(conn, username, org_code, role, password, actor=audit.CLI)
    cli.out.print(f"User {username} ({role.value}) of {org_code} created.")


@app.command("list")
def list_(
    ctx: typer.Context,
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation.")] = None,
) -> None:
    """List the users."""
    from cawarn.accounts.directory import list_users

    cli = state(ctx)
    with cli.engine().connect() as conn:
        users = list_users(conn, org_code=org)
    table = Table(title=f"{len(users)} users", title_justify="left")
    for col in ("username", "organisation", "role", "active", "totp"):
        table.add_column(col)
    for user in users:
        table.add_row(
            user.username,
            user.org.code,
            user.role.value,
            "yes" if user.active else "no",
            "yes" if user.totp_enabled else "no",
        )
    cli.out.print(table)
