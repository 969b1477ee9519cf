"""``cawarn audit verify``: check the audit chain and every release signature."""

from __future__ import annotations

import typer

from cawarn.cli.context import state

app = typer.Typer(help="The audit log (verify).", no_args_is_help=True)


@app.command("verify")
def verify(ctx: typer.Context) -> None:
    """Check the hash chain and every release signature; name the first broken link."""
    from cawarn.network import keys
    from cawarn.network.verify import verify_store

    cli = state(ctx)
    known = keys.known_public_keys(cli.home_dir)
    with cli.engine().connect() as conn:
        verdict = verify_store(conn, known)
    if verdict.broken is not None:
        cli.out.print(f"BROKEN: {verdict.broken}.")
        raise typer.Exit(1)
    cli.out.print(
        f"OK: {verdict.audit_rows} audit rows chained, {verdict.releases} release decisions and "
        f"{verdict.revocations} revocations signed ({verdict.keys} node keys known); "
        f"head hash {verdict.head_hash}."
    )
