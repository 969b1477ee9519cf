"""``create_app(settings)``: the FastAPI application of a node."""

from __future__ import annotations

import gc
import math
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from cawarn import __version__
from cawarn.config import Settings
from cawarn.domain import CawarnError
from cawarn.web.api import PREFIX, api_router
from cawarn.web.headers import SecurityHeaders
from cawarn.web.secret_key import resolve_secret_key
from cawarn.web.sessions import RateLimiter, SessionSigner
from cawarn.web.taxii import install_taxii
from cawarn.web.ui import install_ui

#: Login attempts allowed per client address and per username in LOGIN_WINDOW seconds.
LOGIN_LIMIT_IP = 30
LOGIN_LIMIT_USER = 10
LOGIN_WINDOW = 300.0
#: How many worker processes ``cawarn serve --workers N`` started (read by each worker).
WORKERS_ENV = "CAWARN_SERVE_WORKERS"


def create_app(settings: Settings, *, engine: Engine | None = None, workers: int = 1) -> FastAPI:
    """The app for a node; refuses (ConfigError) without a secret key outside demo mode.

    The store's schema is checked when the app starts serving, not here. ``workers`` is the
    number of server processes the app is one of: each counts login attempts on its own, so
    each allows its share of the limits (rounded up), so that together they allow about what
    one process would.
    """
    from cawarn.accounts.apikeys import KeyCache
    from cawarn.store.engine import create_engine_for, require_current_schema
    from cawarn.store.listing import ListingCache

    secret_key, ephemeral = resolve_secret_key(settings)
    own_engine = engine is None
    the_engine = engine if engine is not None else create_engine_for(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        require_current_schema(the_engine)
        try:
            yield
        finally:
            if own_engine:
                the_engine.dispose()

    app = FastAPI(
        title="cawarn node API",
        version=__version__,
        description=(
            "The JSON API of a cawarn node. Authenticate with an API key "
            "(`Authorization: Bearer <key>`) or a session from `/api/v1/auth/login`; cookie "
            "sessions send `X-CSRF-Token` with every change. What the caller may not see "
            "answers 404."
        ),
        openapi_url=f"{PREFIX}/openapi.json",
        # Swagger UI and ReDoc load scripts from a CDN; a node is air-gapped.
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = the_engine
    app.state.sessions = SessionSigner(secret_key)
    app.state.ephemeral_secret = ephemeral
    app.state.listing = ListingCache()
    app.state.api_keys = KeyCache()
    app.state.login_limiters = {
        "ip": RateLimiter(math.ceil(LOGIN_LIMIT_IP / workers), LOGIN_WINDOW),
        "user": RateLimiter(math.ceil(LOGIN_LIMIT_USER / workers), LOGIN_WINDOW),
    }

    app.add_middleware(SecurityHeaders)

    @app.exception_handler(CawarnError)
    async def cawarn_error(request: Request, err: CawarnError) -> JSONResponse:
        return JSONResponse({"detail": err.message}, status_code=err.http_status)

    app.include_router(api_router())
    install_taxii(app, secret_key)
    install_ui(app, secret_key)
    return app


def create_worker_app() -> FastAPI:
    """The app of one worker of ``cawarn serve --workers N``: the node of ``CAWARN_HOME``."""
    from cawarn.config import load_settings

    app = create_app(load_settings(), workers=int(os.environ.get(WORKERS_ENV, "1")))
    freeze_startup_objects()
    return app


def freeze_startup_objects() -> None:
    """Keep what exists once a server's app is built out of the garbage collector's walks.

    Modules, routes, models and tables (about 270,000 objects) live as long as the server; a
    full collection that walks them takes 0.1-0.2 s on the 2-core machine, with every request
    in flight waiting. Frozen (``gc.freeze``), a full collection walks only newer objects.
    """
    gc.collect()
    gc.freeze()
