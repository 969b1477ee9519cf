"""``cawarn serve``: the web application (UI, JSON API, TAXII) with uvicorn."""

from __future__ import annotations

import os
import secrets
import ssl
from pathlib import Path
from typing import Annotated

import typer

from cawarn.cli.context import CliState, state
from cawarn.domain import InputError

HostOpt = Annotated[str, typer.Option("--host", help="Address to listen on.")]
PortOpt = Annotated[int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)]
CertOpt = Annotated[
    Path | None,
    typer.Option("--tls-cert", help="Serve HTTPS with this certificate chain (PEM)."),
]
KeyOpt = Annotated[
    Path | None, typer.Option("--tls-key", help="The private key (PEM) of --tls-cert.")
]
WorkersOpt = Annotated[
    int,
    typer.Option(
        "--workers",
        help="Server processes (uvicorn workers) sharing the port; at most one per core helps.",
        min=1,
        max=64,
    ),
]


def register(app: typer.Typer) -> None:
    """Add ``cawarn serve`` to the top-level app."""
    app.command("serve")(serve)


def serve(
    ctx: typer.Context,
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
    tls_cert: CertOpt = None,
    tls_key: KeyOpt = None,
    workers: WorkersOpt = 1,
) -> None:
    """Serve the node's UI, JSON API (/api/v1) and TAXII server; needs a secret key outside demo
    mode."""
    run_server(state(ctx), host, port, tls=_tls_files(tls_cert, tls_key), workers=workers)


def _tls_files(cert: Path | None, key: Path | None) -> tuple[Path, Path] | None:
    """The certificate and key to serve HTTPS with, checked; None to serve plain HTTP."""
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        raise InputError("Give both --tls-cert and --tls-key to serve HTTPS (or neither).")
    for path in (cert, key):
        if not path.is_file():
            raise InputError(f"There is no file {path}; give the PEM file's path.")
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key)
    except (ssl.SSLError, ValueError) as err:
        raise InputError(
            f"{cert} and {key} are not a PEM certificate chain and its private key ({err}); "
            "check the files."
        ) from None
    return cert, key


def run_server(
    cli: CliState,
    host: str,
    port: int,
    *,
    tls: tuple[Path, Path] | None = None,
    workers: int = 1,
) -> None:
    """Check the store and the secret key, then serve until interrupted.

    With more than one worker each process builds its own app from the node home
    (:func:`cawarn.web.app.create_worker_app`); on a demo node the session key made up for
    the run is handed to every worker, so a session started on one is valid on the others.
    """
    import uvicorn

    from cawarn.web import create_app
    from cawarn.web.app import WORKERS_ENV, freeze_startup_objects

    engine = cli.engine()  # refuses a missing or outdated store with one sentence
    app = create_app(cli.settings, engine=engine)
    if app.state.ephemeral_secret:
        cli.note(
            "Demo mode: no secret key is configured, so sessions are signed with a key made up "
            "for this run (they end when the server stops)."
        )
    scheme = "https" if tls else "http"
    cli.note(
        f"Serving the UI at {scheme}://{host}:{port}/ and the API at "
        f"{scheme}://{host}:{port}/api/v1 "
        "(OpenAPI: /api/v1/openapi.json)"
        + (f" with {workers} worker processes" if workers > 1 else "")
        + "; Ctrl-C stops."
    )
    log_level = "warning" if cli.quiet else "info"
    certfile, keyfile = (str(tls[0]), str(tls[1])) if tls else (None, None)
    if workers == 1:
        freeze_startup_objects()
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level=log_level,
            ssl_certfile=certfile,
            ssl_keyfile=keyfile,
        )
        return
    engine.dispose()
    # The workers are new processes: they find the node and the options in the environment.
    os.environ["CAWARN_HOME"] = str(cli.home_dir.resolve())
    os.environ[WORKERS_ENV] = str(workers)
    if app.state.ephemeral_secret:
        os.environ["CAWARN_SECRET_KEY"] = secrets.token_urlsafe(32)
    uvicorn.run(
        "cawarn.web.app:create_worker_app",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level=log_level,
        ssl_certfile=certfile,
        ssl_keyfile=keyfile,
    )
