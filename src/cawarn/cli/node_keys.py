"""``cawarn node keygen`` and ``cawarn node key``: the node's Ed25519 signing key."""

from __future__ import annotations

from typing import Annotated

import typer

from cawarn.cli.context import state

app = typer.Typer(help="The node's signing key (keygen, key).", no_args_is_help=True)


@app.command("keygen")
def keygen(
    ctx: typer.Context,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Replace an existing key; its public key is kept for verification."
        ),
    ] = False,
) -> None:
    """Create the node's Ed25519 key pair in HOME/keys (mode 0600)."""
    from cawarn.network import keys

    cli = state(ctx)
    key = keys.generate(cli.home_dir, force=force)
    cli.note(f"Wrote {keys.key_path(cli.home_dir)}; give peers its public key ('cawarn node key').")
    cli.out.print(f"Node key {key.key_id} created.")


@app.command("key")
def key(ctx: typer.Context) -> None:
    """Print the public key (base64 of the raw 32 bytes) and its key id, for peers to register."""
    from cawarn.network import keys
    from cawarn.network.signing import public_key_b64

    cli = state(ctx)
    node_key = keys.load(cli.home_dir)
    print(f"key_id: {node_key.key_id}")
    print(f"public_key: {public_key_b64(node_key.public)}")
