"""``cawarn peer`` and ``cawarn sync``: the other nodes this node shares with over TAXII."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cawarn.cli.context import state

app = typer.Typer(help="Peer nodes (add, list).", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A short name for the peer, e.g. kgz-node.")],
    url: Annotated[str, typer.Option("--url", help="The peer's TAXII base, .../taxii2/.")],
    org: Annotated[str, typer.Option("--org", help="The peer's organisation code.")],
    user: Annotated[str, typer.Option("--user", help="This node's account on the peer.")],
    api_root: Annotated[
        str, typer.Option("--api-root", help="The peer's API root path.")
    ] = "cawarn",
    key_env: Annotated[
        str | None,
        typer.Option("--key-env", help="The variable that holds the API key for the peer."),
    ] = None,
    key_file: Annotated[
        Path | None, typer.Option("--key-file", help="Or the file that holds the API key.")
    ] = None,
    public_key: Annotated[
        str | None,
        typer.Option(
            "--public-key", help="The peer's Ed25519 public key (base64), to verify its objects."
        ),
    ] = None,
    allow_http: Annotated[
        bool,
        typer.Option(
            "--allow-http", help="Accept a plain http URL (a test network only: keys go in clear)."
        ),
    ] = False,
) -> None:
    """Register a peer node; its API key stays in the variable or file named here."""
    from cawarn.network.peers import add_peer

    cli = state(ctx)
    with cli.engine().begin() as conn:
        peer = add_peer(
            conn,
            name,
            url=url,
            org=org,
            username=user,
            api_root=api_root,
            key_env=key_env,
            key_file=str(key_file) if key_file else None,
            public_key=public_key,
            allow_http=allow_http,
        )
    cli.out.print(f"Peer {peer.label} ({peer.org}) added: {peer.root_url}", markup=False)
    if public_key is None:
        cli.note("No public key given: objects from this peer are refused until one is registered.")


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """List the registered peers."""
    from cawarn.network.peers import list_peers

    cli = state(ctx)
    with cli.engine().connect() as conn:
        found = list_peers(conn)
    table = Table(title=f"{len(found)} peers", title_justify="left")
    for col in ("name", "organisation", "API root", "account", "key from", "public key"):
        table.add_column(col)
    for peer in found:
        table.add_row(
            peer.label,
            peer.org,
            peer.root_url,
            peer.username,
            f"${peer.key_env}" if peer.key_env else str(peer.key_file),
            "yes" if peer.public_key else "no",
        )
    cli.out.print(table)


def sync(
    ctx: typer.Context,
    peer: Annotated[str | None, typer.Option("--peer", help="Only this peer.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the reports as JSON.")] = False,
) -> None:
    """Pull from and push to every peer (or one); safe to rerun, resumes after a crash."""
    from cawarn.network.sync import SyncError, describe, sync_all
    from cawarn.network.sync import as_json as reports_json

    cli = state(ctx)
    reports = sync_all(cli.engine(), cli.settings, only=peer, note=cli.note)
    if as_json:
        print(reports_json(reports))
    else:
        for report in reports:
            cli.out.print(describe(report), markup=False)
    failed = [r for r in reports if r.errors and not (r.pushed or r.push_refused)]
    if failed and len(failed) == len(reports):
        raise SyncError(f"No peer could be synced; first problem: {failed[0].errors[0]}")


def register(main: typer.Typer) -> None:
    """Add ``cawarn peer`` and ``cawarn sync``."""
    main.add_typer(app, name="peer")
    main.command("sync")(sync)
