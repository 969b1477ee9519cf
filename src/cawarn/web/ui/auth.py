"""Logging in and out of the UI: password, then the one-time code when one is enrolled.

The UI uses the API's session cookie and rules: the same signed cookie, the same CSRF token
(sent as a form field), the same role checks. The login form itself is protected by a
double-submit token held in a short-lived cookie.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from cawarn.accounts.login import (
    LoginOutcome,
    LoginResult,
    authenticate,
    authenticate_second_factor,
    end_sessions,
)
from cawarn.domain.access import Action, allows
from cawarn.web.deps import Principal, transaction
from cawarn.web.sessions import COOKIE_NAME, RateLimiter, SessionSigner
from cawarn.web.ui.i18n import translations
from cawarn.web.ui.render import language, render

router = APIRouter(include_in_schema=False)

LOGIN_CSRF_COOKIE = "cawarn_login_csrf"
PENDING_COOKIE = "cawarn_login_pending"
#: How long the one-time code may be entered after the password was accepted.
PENDING_SECONDS = 300


class LoginRequired(Exception):  # noqa: N818 - a signal, handled by a redirect
    """The page needs a session; the handler sends the browser to the login page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class PageNotFound(Exception):  # noqa: N818 - answered with the 404 page
    """What the user may not see, or what does not exist: the 404 page."""


def safe_next(value: str | None) -> str:
    """A local path to go to after login (never another site)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def current_user(request: Request) -> Principal | None:
    """The user of the session cookie, or None."""
    cookie = request.cookies.get(COOKIE_NAME)
    if not cookie:
        return None
    signer: SessionSigner = request.app.state.sessions
    session = signer.read(cookie)
    if session is None:
        return None
    from cawarn.accounts.directory import user_by_id

    with transaction(request.app.state.engine) as conn:
        user = user_by_id(conn, session.user_id)
    if user is None or not user.active or user.session_epoch != session.epoch:
        return None
    settings = request.app.state.settings
    return Principal(user, "session", False, settings.organisation, csrf_token=session.csrf_token)


def page_user(request: Request) -> Principal:
    """The logged-in user of a page; without a session, the login page."""
    principal = current_user(request)
    if principal is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(path)
    return principal


UserDep = Annotated[Principal, Depends(page_user)]


def require_page(principal: Principal, action: Action) -> None:
    """A page the role may not use is answered as not found."""
    if not allows(principal.user.role, action):
        raise PageNotFound


def check_form_csrf(principal: Principal, token: str) -> None:
    """Refuse a form sent without this session's CSRF token."""
    if not (principal.csrf_token and hmac.compare_digest(token, principal.csrf_token)):
        raise PageNotFound


def _pending_serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.ui_secret, salt="cawarn-login-pending")


def _login_page(
    request: Request, *, next_path: str, error: str | None, step: str, status_code: int = 200
) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        {"next": next_path, "error": error, "step": step, "login_csrf": token},
        status_code=status_code,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, max_age=3600, httponly=True, secure=True, samesite="strict"
    )
    return response


def _error(request: Request, outcome: LoginOutcome) -> str:
    _ = translations(language(request)).gettext
    messages = {
        LoginOutcome.BAD_CREDENTIALS: _("The username or password is wrong."),
        LoginOutcome.INACTIVE: _("The username or password is wrong."),
        LoginOutcome.BAD_TOTP: _(
            "The one-time code is wrong; enter the code the device shows now."
        ),
        LoginOutcome.TOTP_REQUIRED: _("Enter the one-time code from your device."),
        LoginOutcome.LOCKED: _(
            "Too many failed logins: the account is locked for a while; try again later or ask "
            "an administrator."
        ),
    }
    return messages[outcome]


def _form_ok(request: Request, sent: str) -> bool:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    return bool(expected) and hmac.compare_digest(sent, expected)


def _limited(request: Request, username: str) -> bool:
    limiters: dict[str, RateLimiter] = request.app.state.login_limiters
    client = request.client.host if request.client else "unknown"
    return (limiters["ip"].hit(client) or limiters["user"].hit(username)) is not None


def _start_session(request: Request, result: LoginResult, next_path: str) -> Response:
    assert result.user is not None
    signer: SessionSigner = request.app.state.sessions
    value, _session = signer.new(result.user.id, result.user.session_epoch)
    response = RedirectResponse(safe_next(next_path), status_code=303)
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=signer.max_age,
        httponly=True,
        secure=True,
        samesite="strict",
        path="/",
    )
    response.delete_cookie(PENDING_COOKIE, path="/", secure=True, httponly=True)
    return response


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    """The login page."""
    return _login_page(request, next_path=safe_next(next), error=None, step="password")


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    csrf: Annotated[str, Form(max_length=100)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the password; then either start the session or ask for the one-time code."""
    next_path = safe_next(next)
    if not _form_ok(request, csrf):
        return _login_page(request, next_path=next_path, error=None, step="password")
    if _limited(request, username):
        _ = translations(language(request)).gettext
        message = _("Too many login attempts; wait a few minutes and try again.")
        return _login_page(
            request, next_path=next_path, error=message, step="password", status_code=429
        )
    with transaction(request.app.state.engine) as conn:
        result = authenticate(conn, username, password, None)
    if result.outcome is LoginOutcome.OK:
        return _start_session(request, result, next_path)
    if result.outcome is LoginOutcome.TOTP_REQUIRED:
        from cawarn.accounts.directory import find_user

        with transaction(request.app.state.engine) as conn:
            user = find_user(conn, username)
        assert user is not None
        response = _login_page(request, next_path=next_path, error=None, step="totp")
        response.set_cookie(
            PENDING_COOKIE,
            _pending_serializer(request).dumps({"u": user.id}),
            max_age=PENDING_SECONDS,
            httponly=True,
            secure=True,
            samesite="strict",
            path="/",
        )
        return response
    return _login_page(
        request,
        next_path=next_path,
        error=_error(request, result.outcome),
        step="password",
        status_code=401,
    )


@router.post("/login/totp")
def login_totp(
    request: Request,
    code: Annotated[str, Form(max_length=20)],
    csrf: Annotated[str, Form(max_length=100)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the one-time code of a login whose password was accepted."""
    next_path = safe_next(next)
    pending = request.cookies.get(PENDING_COOKIE, "")
    try:
        data = _pending_serializer(request).loads(pending, max_age=PENDING_SECONDS)
    except BadSignature:
        data = None
    if (
        not _form_ok(request, csrf)
        or not isinstance(data, dict)
        or not isinstance(data.get("u"), int)
    ):
        return _login_page(request, next_path=next_path, error=None, step="password")
    if _limited(request, f"#{data['u']}"):
        _ = translations(language(request)).gettext
        message = _("Too many login attempts; wait a few minutes and try again.")
        return _login_page(
            request, next_path=next_path, error=message, step="totp", status_code=429
        )
    with transaction(request.app.state.engine) as conn:
        result = authenticate_second_factor(conn, data["u"], code)
    if result.outcome is LoginOutcome.OK:
        return _start_session(request, result, next_path)
    step = "totp" if result.outcome is LoginOutcome.BAD_TOTP else "password"
    return _login_page(
        request,
        next_path=next_path,
        error=_error(request, result.outcome),
        step=step,
        status_code=401,
    )


@router.post("/logout")
def logout(
    request: Request, principal: UserDep, csrf: Annotated[str, Form(max_length=100)]
) -> Response:
    """End the user's sessions everywhere and go back to the login page."""
    check_form_csrf(principal, csrf)
    with transaction(request.app.state.engine) as conn:
        end_sessions(conn, principal.user, actor=principal.actor)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE_NAME, path="/", secure=True, httponly=True, samesite="strict")
    return response


@router.get("/lang/{code}")
def switch_language(code: str, next: str = "/") -> Response:
    """Remember the chosen language in a cookie and go back to the page."""
    from cawarn.web.ui.i18n import LANG_COOKIE, LANGUAGES

    if code not in LANGUAGES:
        raise PageNotFound
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        LANG_COOKIE, code, max_age=365 * 86400, secure=True, samesite="lax", path="/"
    )
    return response


def login_redirect(next_path: str) -> Response:
    """Where a page without a session sends the browser."""
    return RedirectResponse(f"/login?next={quote(safe_next(next_path), safe='')}", status_code=303)
