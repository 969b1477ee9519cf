"""The administration pages: organisations, users, roles, API keys and data sources.

The forms post to this UI with the session's CSRF token and call the same account functions as
the API and the CLI (:mod:`cawarn.accounts`), which write every change to the audit log. The
scope is the API's: administrators of the node's own organisation manage every organisation,
those of a partner organisation only their own; a user or key outside the scope is not found.

A new user gets a password that the node generates (never one an administrator chose), shown
once on the answer page and stored only as its argon2 hash; a new API key is shown once too.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection

from cawarn.accounts import apikeys, directory
from cawarn.domain import CawarnError, NotFoundError
from cawarn.domain.access import Action, OrgKind, Role, allows
from cawarn.store.queries import source_summary
from cawarn.web.deps import Principal, forget_keys, transaction
from cawarn.web.ui.auth import PageNotFound, UserDep, check_form_csrf, require_page
from cawarn.web.ui.labels import N_
from cawarn.web.ui.render import render

router = APIRouter(include_in_schema=False)

ORG_KINDS = {
    "state": N_("state body"),
    "un": N_("United Nations"),
    "osce": N_("OSCE"),
    "other": N_("other"),
}
#: The lifetimes a key may be given from the page, in days (0: never expires).
KEY_LIFETIMES = (30, 90, 365, 0)
SELF_CHANGE = N_(
    "Administrators cannot change their own role or deactivate themselves (the node could be "
    "left without one); ask another administrator."
)
Text = Annotated[str, Form(max_length=200)]
Csrf = Annotated[str, Form(max_length=100)]


def _scope(principal: Principal) -> str | None:
    """The organisation the caller manages, or None for every organisation."""
    return None if principal.sees_every_organisation else principal.user.org.code


def _user_in_scope(conn: Connection, principal: Principal, username: str) -> directory.User:
    user = directory.find_user(conn, username)
    if user is None or not principal.may_see_org(user.org.code):
        raise PageNotFound
    return user


def _page(
    request: Request,
    principal: Principal,
    *,
    error: str = "",
    shown_once: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    # The error and the secret come only from this module's handlers, never from the URL.
    require_page(principal, Action.READ_USERS)
    scope = _scope(principal)
    with transaction(request.app.state.engine) as conn:
        users = directory.list_users(conn, org_code=scope)
        names = {user.username for user in users}
        keys = [key for key in apikeys.list_keys(conn) if key.username in names]
        organisations = directory.list_organisations(conn, code=scope)
        sources = source_summary(conn)
    manages = allows(principal.user.role, Action.WRITE_USERS)
    return render(
        request,
        "admin.html",
        {
            "principal": principal,
            "users": users,
            "keys": keys,
            "organisations": organisations,
            "sources": sources,
            "manages": manages,
            "adds_organisations": manages and principal.sees_every_organisation,
            "roles": [role.value for role in Role],
            "org_kinds": ORG_KINDS,
            "lifetimes": KEY_LIFETIMES,
            "error": error,
            "shown_once": shown_once,
            "now": dt.datetime.now(dt.UTC),
        },
        status_code=status,
    )


def _refused(request: Request, principal: Principal, err: CawarnError) -> Response:
    return _page(request, principal, error=err.message, status=400)


def _writer(principal: Principal, csrf: str, action: Action = Action.WRITE_USERS) -> None:
    check_form_csrf(principal, csrf)
    require_page(principal, action)


def _done() -> Response:
    return RedirectResponse("/admin", status_code=303)


@router.get("/admin")
def admin_page(request: Request, principal: UserDep) -> Response:
    """Organisations, users and keys in the caller's scope, the forms, and the data sources."""
    return _page(request, principal)


@router.post("/admin/organisations")
def create_organisation(
    request: Request, principal: UserDep, csrf: Csrf, code: Text, title: Text, kind: Text
) -> Response:
    """Add an organisation (administrators of the node's own organisation only)."""
    _writer(principal, csrf, Action.WRITE_ORGANISATIONS)
    if not principal.sees_every_organisation:
        raise PageNotFound
    try:
        org_kind = OrgKind(kind)
    except ValueError:
        raise PageNotFound from None
    try:
        with transaction(request.app.state.engine) as conn:
            directory.create_organisation(conn, code, title, org_kind, actor=principal.actor)
    except CawarnError as err:
        return _refused(request, principal, err)
    return _done()


@router.post("/admin/users")
def create_user(
    request: Request,
    principal: UserDep,
    csrf: Csrf,
    username: Text,
    organisation: Text,
    role: Text,
) -> Response:
    """Add a user with a generated password, shown once on the answer."""
    _writer(principal, csrf)
    if not principal.may_see_org(organisation):
        raise PageNotFound
    try:
        user_role = Role(role)
    except ValueError:
        raise PageNotFound from None
    password = secrets.token_urlsafe(18)
    try:
        with transaction(request.app.state.engine) as conn:
            directory.create_user(
                conn, username, organisation, user_role, password, actor=principal.actor
            )
    except NotFoundError:
        raise PageNotFound from None
    except CawarnError as err:
        return _refused(request, principal, err)
    shown = {"kind": "password", "username": username, "secret": password}
    return _page(request, principal, shown_once=shown, status=201)


def _update(request: Request, principal: Principal, username: str, **change: Any) -> Response:
    if username == principal.user.username:
        return _page(
            request,
            principal,
            error=SELF_CHANGE,
            status=400,
        )
    with transaction(request.app.state.engine) as conn:
        _user_in_scope(conn, principal, username)
        directory.update_user(conn, username, actor=principal.actor, **change)
    forget_keys(request)
    return _done()


@router.post("/admin/users/{username}/role")
def change_role(
    request: Request, principal: UserDep, username: str, csrf: Csrf, role: Text
) -> Response:
    """Give a user another role (their sessions end)."""
    _writer(principal, csrf)
    try:
        new_role = Role(role)
    except ValueError:
        raise PageNotFound from None
    return _update(request, principal, username, role=new_role)


@router.post("/admin/users/{username}/active")
def set_active(
    request: Request, principal: UserDep, username: str, csrf: Csrf, active: Text
) -> Response:
    """Deactivate (``active=0``) or reactivate (``active=1``) a user."""
    _writer(principal, csrf)
    if active not in {"0", "1"}:
        raise PageNotFound
    return _update(request, principal, username, active=active == "1")


@router.post("/admin/users/{username}/apikeys")
def create_key(
    request: Request,
    principal: UserDep,
    username: str,
    csrf: Csrf,
    expires_days: Annotated[int, Form(ge=0, le=3650)] = 90,
    read_only: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """A new API key acting as the user, shown once on the answer."""
    _writer(principal, csrf)
    lifetime = dt.timedelta(days=expires_days) if expires_days else None
    try:
        with transaction(request.app.state.engine) as conn:
            _user_in_scope(conn, principal, username)
            key, _ = apikeys.create_key(
                conn,
                username,
                read_only=bool(read_only),
                lifetime=lifetime,
                actor=principal.actor,
            )
    except PageNotFound:
        raise
    except CawarnError as err:
        return _refused(request, principal, err)
    shown = {"kind": "apikey", "username": username, "secret": key}
    return _page(request, principal, shown_once=shown, status=201)


@router.post("/admin/apikeys/{prefix}/revoke")
def revoke_key(request: Request, principal: UserDep, prefix: str, csrf: Csrf) -> Response:
    """Revoke a key of a user in the caller's scope."""
    _writer(principal, csrf)
    with transaction(request.app.state.engine) as conn:
        owner = next((k.username for k in apikeys.list_keys(conn) if k.prefix == prefix), None)
        if owner is None:
            raise PageNotFound
        _user_in_scope(conn, principal, owner)
        apikeys.revoke_key(conn, prefix, actor=principal.actor)
    forget_keys(request)
    return _done()
