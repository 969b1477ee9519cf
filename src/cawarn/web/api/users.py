"""User accounts, scoped by organisation: administrators manage, auditors read.

Administrators and auditors of the node's own organisation work on every organisation's users;
those of a partner organisation on their own organisation's only. Users outside the caller's
scope answer 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy import Connection

from cawarn.accounts import directory
from cawarn.domain import InputError, NotFoundError
from cawarn.domain.access import Action
from cawarn.web.api import schemas
from cawarn.web.api.convert import user_out
from cawarn.web.deps import EngineDep, Principal, forget_keys, require, transaction

router = APIRouter(tags=["users"], responses=schemas.ERRORS)

Username = Annotated[str, Path(max_length=64)]


def _visible_user(conn: Connection, principal: Principal, username: str) -> directory.User:
    user = directory.find_user(conn, username)
    if user is None or not principal.may_see_org(user.org.code):
        raise NotFoundError(f"There is no user {username!r}.")
    return user


@router.get("/users", response_model=list[schemas.User])
def list_users(
    engine: EngineDep,
    principal: Annotated[Principal, Depends(require(Action.READ_USERS))],
    organisation: Annotated[str | None, Query(max_length=100)] = None,
) -> list[schemas.User]:
    """Users in the caller's scope, by username, optionally of one organisation."""
    if organisation is not None and not principal.may_see_org(organisation):
        return []
    scope = organisation
    if scope is None and not principal.sees_every_organisation:
        scope = principal.user.org.code
    with transaction(engine) as conn:
        return [user_out(user) for user in directory.list_users(conn, org_code=scope)]


@router.get("/users/{username}", response_model=schemas.User)
def get_user(
    engine: EngineDep,
    principal: Annotated[Principal, Depends(require(Action.READ_USERS))],
    username: Username,
) -> schemas.User:
    """One user in the caller's scope."""
    with transaction(engine) as conn:
        return user_out(_visible_user(conn, principal, username))


@router.post("/users", response_model=schemas.User, status_code=201)
def create_user(
    body: schemas.UserIn,
    engine: EngineDep,
    principal: Annotated[Principal, Depends(require(Action.WRITE_USERS))],
) -> schemas.User:
    """Add a user to an organisation in the caller's scope."""
    if not principal.may_see_org(body.organisation):
        raise NotFoundError(f"There is no organisation {body.organisation!r}.")
    with transaction(engine) as conn:
        user = directory.create_user(
            conn, body.username, body.organisation, body.role, body.password, actor=principal.actor
        )
    return user_out(user)


@router.patch("/users/{username}", response_model=schemas.User)
def update_user(
    request: Request,
    body: schemas.UserPatch,
    engine: EngineDep,
    principal: Annotated[Principal, Depends(require(Action.WRITE_USERS))],
    username: Username,
) -> schemas.User:
    """Change a user's role, or deactivate or reactivate the account."""
    if username == principal.user.username:
        raise InputError(
            "Administrators cannot change their own role or deactivate themselves (the node "
            "could be left without one); ask another administrator."
        )
    with transaction(engine) as conn:
        _visible_user(conn, principal, username)
        user = directory.update_user(
            conn, username, actor=principal.actor, role=body.role, active=body.active
        )
    forget_keys(request)
    return user_out(user)
