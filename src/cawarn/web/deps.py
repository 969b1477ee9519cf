"""Who is asking, and may they: the dependencies every API route declares.

They are coroutines: FastAPI runs a plain function dependency in its thread pool, one hand-off
to a thread and back per dependency and request; these only read the request and the app's
state, and what touches the store (verifying a key, reading a session's user) is handed to the
thread pool only when it has to read it.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection, Engine

from cawarn.accounts import audit
from cawarn.accounts.apikeys import KeyCache, VerifiedKey, verify_key
from cawarn.accounts.directory import User, user_by_id
from cawarn.config import Settings
from cawarn.domain import NotFoundError
from cawarn.domain.access import WRITES, Action, allows, sees_every_organisation
from cawarn.web.sessions import COOKIE_NAME, CSRF_HEADER, SessionSigner

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer <key>`.")
_cookie = APIKeyCookie(
    name=COOKIE_NAME, auto_error=False, description="The session cookie set by /auth/login."
)
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
#: What a route the caller may not use answers: the same as a path that does not exist.
NOT_FOUND = "Not Found"


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller of one request."""

    user: User
    via: str  # "apikey" | "session"
    read_only: bool
    node_org: str
    key_prefix: str | None = None
    csrf_token: str | None = None

    @property
    def actor(self) -> audit.Actor:
        """The caller as the audit log names them."""
        return audit.Actor(self.user.username, self.user.id, self.user.org.code)

    @property
    def sees_every_organisation(self) -> bool:
        """Whether organisation-scoped listings show every organisation to this caller."""
        return sees_every_organisation(self.user.org.code, self.node_org)

    def may_see_org(self, org_code: str) -> bool:
        """Whether accounts of this organisation are in the caller's scope."""
        return self.sees_every_organisation or org_code == self.user.org.code


async def get_engine(request: Request) -> Engine:
    """The app's engine."""
    engine: Engine = request.app.state.engine
    return engine


async def get_settings(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction, committed when the block ends without an error."""
    with engine.begin() as conn:
        yield conn


def _unauthenticated(message: str) -> HTTPException:
    return HTTPException(401, message, headers={"WWW-Authenticate": "Bearer"})


def _verify(engine: Engine, key: str) -> VerifiedKey | None:
    with transaction(engine) as conn:
        return verify_key(conn, key)


def _session_user(engine: Engine, user_id: int) -> User | None:
    with transaction(engine) as conn:
        return user_by_id(conn, user_id)


async def authenticate(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> Principal:
    """The caller, by API key or session cookie; 401 when neither is valid.

    A key verified in the last few seconds is taken from the app's :class:`KeyCache`
    (:data:`cawarn.accounts.apikeys.KEY_CACHE_SECONDS`); a session's user is read every time.
    """
    engine: Engine = request.app.state.engine
    settings: Settings = request.app.state.settings
    if bearer is not None:
        keys: KeyCache = request.app.state.api_keys
        key = keys.get(bearer.credentials)
        if key is None:
            generation = keys.generation
            key = await run_in_threadpool(_verify, engine, bearer.credentials)
            if key is not None:
                keys.put(bearer.credentials, key, generation=generation)
        if key is None:
            raise _unauthenticated(
                "The API key is not valid (unknown, revoked or expired); ask for a new one."
            )
        return Principal(
            key.user, "apikey", key.read_only, settings.organisation, key_prefix=key.prefix
        )
    if cookie:
        signer: SessionSigner = request.app.state.sessions
        session = signer.read(cookie)
        if session is not None:
            user = await run_in_threadpool(_session_user, engine, session.user_id)
            if user is not None and user.active and user.session_epoch == session.epoch:
                return Principal(
                    user, "session", False, settings.organisation, csrf_token=session.csrf_token
                )
        raise _unauthenticated("The session has expired or is not valid; log in again.")
    raise _unauthenticated(
        "This needs authentication: send 'Authorization: Bearer <API key>' or log in."
    )


def forget_keys(request: Request) -> None:
    """Empty the app's cache of verified keys: after a key is revoked or a user changed."""
    keys: KeyCache = request.app.state.api_keys
    keys.clear()


PrincipalDep = Annotated[Principal, Depends(authenticate)]


def require(action: Action) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency that lets through only callers whose role may take the action.

    A role that may not take it gets 404, as if the resource did not exist. A read-only key on
    a write gets 403, and so does a cookie-authenticated write without the session's CSRF token.
    """

    async def dependency(request: Request, principal: PrincipalDep) -> Principal:
        if not allows(principal.user.role, action):
            raise NotFoundError(NOT_FOUND)
        if action in WRITES and principal.read_only:
            raise HTTPException(
                403, "This API key is read-only; use a key without --read-only to change data."
            )
        if principal.via == "session" and request.method not in _SAFE_METHODS:
            check_csrf(request, principal)
        return principal

    dependency.__name__ = f"require_{action.name.lower()}"
    return dependency


def check_csrf(request: Request, principal: Principal) -> None:
    """Refuse a cookie-authenticated change that lacks the session's CSRF token."""
    sent = request.headers.get(CSRF_HEADER, "")
    if not (principal.csrf_token and hmac.compare_digest(sent, principal.csrf_token)):
        raise HTTPException(
            403,
            f"The {CSRF_HEADER} header is missing or wrong; send the csrf_token that login "
            "returned.",
        )
