"""``cawarn apikey``: API keys for scripts and other systems."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cawarn.cli.context import state

app = typer.Typer(help="API keys (create, list, revoke).", no_args_is_help=True)


@app.command("create")
def create(
    ctx: typer.Context,
    user: Annotated[str, typer.Option("--user", help="The user the key acts as.")],
    read_only: Annotated[
        bool, typer.Option("--read-only", help="The key may read but never change anything.")
    ] = False,
    expires: Annotated[
        str, typer.Option("--expires", help="Lifetime: e.g. 90d, 12h, 2w, or 'never'.")
    ] = "90d",
) -> None:
    """Create a key and print it once; only its hash is kept."""
    from cawarn.accounts import audit
    from cawarn.accounts.apikeys import create_key, parse_duration

    cli = state(ctx)
    lifetime = None if expires.strip().lower() == "never" else parse_duration(expires)
    with cli.engine().begin() as conn:
        key, record = create_key(
            conn, user, read_only=read_only, lifetime=lifetime, actor=audit.CLI
        )
    until = record.expires_at.strftime("%Y-%m-%d %H:%M UTC") if record.expires_at else "never"
    cli.note(
        f"API key {record.prefix} for {user} ({'read-only' if read_only else 'read-write'}, "
        f"expires {until}). It is shown only now: store it safely. Clients send it as "
        "'Authorization: Bearer <key>'."
    )
    print(key)


@app.command("list")
def list_(
    ctx: typer.Context,
    user: Annotated[str | None, typer.Option("--user", help="Only this user's keys.")] = None,
) -> None:
    """List keys (their prefixes, never the keys)."""
    from cawarn.accounts.apikeys import list_keys

    cli = state(ctx)
    with cli.engine().connect() as conn:
        keys = list_keys(conn, username=user)
    table = Table(title=f"{len(keys)} API keys", title_justify="left")
    for col in ("prefix", "user", "access", "expires", "revoked", "last used"):
        table.add_column(col)

    def when(value: object) -> str:
        return value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "strftime") else "-"

    for key in keys:
        table.add_row(
            key.prefix,
            key.username,
            "read-only" if key.read_only else "read-write",
            when(key.expires_at) if key.expires_at else "never",
            when(key.revoked_at),
            when(key.last_used_at),
        )
    cli.out.print(table)


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    prefix: Annotated[
        str, typer.Argument(help="The key's prefix (as 'cawarn apikey list' shows).")
    ],
) -> None:
    """Revoke a key at once."""
    from cawarn.accounts import audit
    from cawarn.accounts.apikeys import revoke_key

    cli = state(ctx)
    with cli.engine().begin() as conn:
        revoke_key(conn, prefix, actor=audit.CLI)
    cli.out.print(f"API key {prefix} revoked.")
