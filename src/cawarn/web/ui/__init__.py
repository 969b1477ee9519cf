"""The server-rendered UI: Jinja2 pages in English and Russian, served with no CDN.

Pages use the API's session cookie and access rules; what a user may not see is a 404 page.
They are left out of the OpenAPI document (they are not API) and have their own access tests.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from cawarn.web.ui.admin import router as admin_router
from cawarn.web.ui.alerts import router as alerts_router
from cawarn.web.ui.auth import LoginRequired, PageNotFound, login_redirect
from cawarn.web.ui.auth import router as auth_router
from cawarn.web.ui.forecasts import router as forecasts_router
from cawarn.web.ui.pages import router as pages_router
from cawarn.web.ui.releases import router as releases_router
from cawarn.web.ui.render import environment, render
from cawarn.web.ui.reports import router as reports_router

STATIC = Path(__file__).parent / "static"


def install_ui(app: FastAPI, secret_key: str) -> None:
    """Add the UI's pages, its static files and its error pages to the app."""
    app.state.ui_templates = environment()
    app.state.ui_secret = secret_key

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, err: LoginRequired) -> Response:
        return login_redirect(err.next_path)

    @app.exception_handler(PageNotFound)
    async def page_not_found(request: Request, err: PageNotFound) -> Response:
        from cawarn.web.ui.auth import current_user

        return render(request, "404.html", {"principal": current_user(request)}, status_code=404)

    app.include_router(auth_router)
    app.include_router(pages_router)
    app.include_router(forecasts_router)
    app.include_router(admin_router)
    app.include_router(alerts_router)
    app.include_router(reports_router)
    app.include_router(releases_router)
    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")
