"""Logging in and out, the caller's own account, and enrolling a second factor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from cawarn.accounts.login import (
    LoginOutcome,
    authenticate,
    change_password,
    confirm_totp_enrolment,
    end_sessions,
    start_totp_enrolment,
)
from cawarn.domain.access import Action
from cawarn.web.api import schemas
from cawarn.web.api.convert import user_out
from cawarn.web.deps import EngineDep, Principal, require, transaction
from cawarn.web.sessions import COOKIE_NAME, RateLimiter, SessionSigner

router = APIRouter(tags=["auth"], responses=schemas.ERRORS)

_MESSAGES = {
    LoginOutcome.BAD_CREDENTIALS: "The username or password is wrong.",
    LoginOutcome.INACTIVE: "The username or password is wrong.",
    LoginOutcome.BAD_TOTP: "The one-time code is wrong; enter the code the device shows now.",
    LoginOutcome.TOTP_REQUIRED: "This account needs its one-time code: send it as 'totp'.",
    LoginOutcome.LOCKED: (
        "Too many failed logins: the account is locked for a while; try again later or ask "
        "an administrator."
    ),
}


@router.post(
    "/auth/login",
    response_model=schemas.LoginOut,
    responses={429: {"model": schemas.Problem, "description": "Too many attempts."}},
)
def login(
    body: schemas.LoginIn, request: Request, response: Response, engine: EngineDep
) -> schemas.LoginOut:
    """Start a session: an HttpOnly, Secure, SameSite=Strict cookie, and its CSRF token."""
    limiters: dict[str, RateLimiter] = request.app.state.login_limiters
    client = request.client.host if request.client else "unknown"
    wait = limiters["ip"].hit(client) or limiters["user"].hit(body.username)
    if wait is not None:
        raise HTTPException(
            429,
            f"Too many login attempts; wait {int(wait) + 1} seconds and try again.",
            headers={"Retry-After": str(int(wait) + 1)},
        )
    with transaction(engine) as conn:
        result = authenticate(conn, body.username, body.password, body.totp)
    if result.outcome is not LoginOutcome.OK or result.user is None:
        raise HTTPException(401, _MESSAGES[result.outcome])
    signer: SessionSigner = request.app.state.sessions
    value, session = signer.new(result.user.id, result.user.session_epoch)
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=signer.max_age,
        httponly=True,
        secure=True,
        samesite="strict",
        path="/",
    )
    return schemas.LoginOut(
        user=user_out(result.user), csrf_token=session.csrf_token, expires_in=signer.max_age
    )


@router.post("/auth/logout", status_code=204)
def logout(
    response: Response,
    engine: EngineDep,
    principal: Annotated[Principal, Depends(require(Action.READ_SELF))],
) -> Response:
    """End the caller's sessions, on every device, and remove the cookie (keys stay valid)."""
    if principal.via == "session":
        with transaction(engine) as conn:
            end_sessions(conn, principal.user, actor=principal.actor)
    response.delete_cookie(COOKIE_NAME, path="/", secure=True, httponly=True, samesite="strict")
    response.status_code = 204
    return response


@router.get("/me", response_model=schemas.Me)
def me(principal: Annotated[Principal, Depends(require(Action.READ_SELF))]) -> schemas.Me:
    """The caller's own account and how they authenticated."""
    return schemas.Me(
        user=user_out(principal.user),
        authenticated_by=principal.via,
        read_only=principal.read_only,
    )


@router.post("/me/totp", response_model=schemas.TotpStart, status_code=201)
def totp_start(
    engine: EngineDep,
    principal: Annotated[Principal, Depends(require(Action.WRITE_SELF))],
) -> schemas.TotpStart:
    """Start enrolling a TOTP second factor; confirm it with a code before it is required."""
    with transaction(engine) as conn:
        secret, uri = start_totp_enrolment(conn, principal.user, actor=principal.actor)
    return schemas.TotpStart(secret=secret, otpauth_uri=uri)


@router.post("/me/totp/confirm", status_code=204)
def totp_confirm(
    body: schemas.TotpCode,
    engine: EngineDep,
    principal: Annotated[Principal, Depends(require(Action.WRITE_SELF))],
) -> Response:
    """Confirm the enrolment with a current code; from now on login asks for a code."""
    with transaction(engine) as conn:
        confirm_totp_enrolment(conn, principal.user, body.code, actor=principal.actor)
    return Response(status_code=204)


@router.post("/me/password", status_code=204)
def password(
    body: schemas.PasswordChange,
    engine: EngineDep,
    principal: Annotated[Principal, Depends(require(Action.WRITE_SELF))],
) -> Response:
    """Change one's password; every session ends (log in again with the new one)."""
    with transaction(engine) as conn:
        change_password(conn, principal.user, body.current, body.new, actor=principal.actor)
    return Response(status_code=204)
