"""``cawarn serve``: the web application (JSON API) with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from cawarn.cli.context import CliState, state

HostOpt = Annotated[str, typer.Option("--host", help="Address to listen on.")]
PortOpt = Annotated[int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)]


def register(app: typer.Typer) -> None:
    """Add ``cawarn serve`` to the top-level app."""
    app.command("serve")(serve)


def serve(ctx: typer.Context, host: HostOpt = "127.0.0.1", port: PortOpt = 8000) -> None:
    """Serve the node's JSON API (/api/v1); needs a secret key outside demo mode."""
    run_server(state(ctx), host, port)


def run_server(cli: CliState, host: str, port: int) -> None:
    """Check the store and the secret key, then serve until interrupted."""
    import uvicorn

    from cawarn.web import create_app

    engine = cli.engine()  # refuses a missing or outdated store with one sentence
    app = create_app(cli.settings, engine=engine)
    if app.state.ephemeral_secret:
        cli.note(
            "Demo mode: no secret key is configured, so sessions are signed with a key made up "
            "for this run (they end when the server stops)."
        )
    cli.note(
        f"Serving the UI at http://{host}:{port}/ and the API at http://{host}:{port}/api/v1 "
        "(OpenAPI: /api/v1/openapi.json); "
        "Ctrl-C stops."
    )
    uvicorn.run(app, host=host, port=port, log_level="warning" if cli.quiet else "info")
