"""Rendering pages: one Jinja2 environment, the request's language, user and CSRF token."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from cawarn.domain.access import Action, allows
from cawarn.web.deps import transaction
from cawarn.web.ui import data
from cawarn.web.ui.i18n import LANG_COOKIE, LANGUAGES, Formats, choose_language, translations
from cawarn.web.ui.labels import LABELS

TEMPLATES = Path(__file__).parent / "templates"
#: Pages load scripts, styles and images from this node only: no CDN can be reached or used.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


def environment() -> Environment:
    """The templates' environment (autoescaped; text goes through ``_``)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["json_data"] = json_data
    return env


def json_data(value: Any) -> Markup:
    """A value as JSON that is safe inside a ``<script type="application/json">`` element."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - the markup characters are escaped just above


def language(request: Request) -> str:
    """The language of this request's page."""
    return choose_language(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))


def render(
    request: Request, name: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """A page from a template, with the globals every page uses."""
    env: Environment = request.app.state.ui_templates
    lang = language(request)
    catalog = translations(lang)
    with transaction(request.app.state.engine) as conn:
        synthetic = data.has_synthetic(conn)
    principal = context.get("principal")
    role = principal.user.role if principal is not None else None
    can = {
        "events": role is not None and allows(role, Action.READ_EVENTS),
        "forecasts": role is not None and allows(role, Action.READ_PANELS),
        "admin": role is not None and allows(role, Action.READ_USERS),
        "alerts": role is not None and allows(role, Action.READ_ALERTS),
        "reports": role is not None and allows(role, Action.READ_REPORTS),
    }
    page = env.get_template(name).render(
        {
            "_": catalog.gettext,
            "ngettext": catalog.ngettext,
            "lang": lang,
            "languages": LANGUAGES,
            "fmt": Formats(lang),
            "synthetic": synthetic,
            "path": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
            "principal": None,
            "labels": LABELS,
            "can": can,
            **context,
        }
    )
    response = HTMLResponse(page, status_code=status_code)
    response.headers["Content-Security-Policy"] = CSP
    return response
