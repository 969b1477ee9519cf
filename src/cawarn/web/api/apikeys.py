"""The caller's own API keys: list, create (the key is shown once), revoke."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from cawarn.accounts import apikeys
from cawarn.domain import NotFoundError
from cawarn.domain.access import Action
from cawarn.web.api import schemas
from cawarn.web.deps import EngineDep, Principal, forget_keys, require, transaction

router = APIRouter(tags=["auth"], responses=schemas.ERRORS)


def _out(key: apikeys.ApiKey) -> schemas.ApiKey:
    return schemas.ApiKey(
        prefix=key.prefix,
        read_only=key.read_only,
        created_at=key.created_at,
        expires_at=key.expires_at,
        revoked_at=key.revoked_at,
        last_used_at=key.last_used_at,
    )


@router.get("/me/apikeys", response_model=list[schemas.ApiKey])
def list_keys(
    engine: EngineDep, principal: Annotated[Principal, Depends(require(Action.READ_SELF))]
) -> list[schemas.ApiKey]:
    """The caller's keys, newest first."""
    with transaction(engine) as conn:
        return [_out(key) for key in apikeys.list_keys(conn, username=principal.user.username)]


@router.post("/me/apikeys", response_model=schemas.ApiKeyCreated, status_code=201)
def create_key(
    body: schemas.ApiKeyIn,
    engine: EngineDep,
    principal: Annotated[Principal, Depends(require(Action.WRITE_SELF))],
) -> schemas.ApiKeyCreated:
    """A new key acting as the caller; the answer is the only time the key is shown."""
    lifetime = dt.timedelta(days=body.expires_in_days) if body.expires_in_days else None
    # A key made with a read-only key could otherwise be read-write: it inherits the limit.
    read_only = body.read_only or principal.read_only
    with transaction(engine) as conn:
        key, record = apikeys.create_key(
            conn,
            principal.user.username,
            read_only=read_only,
            lifetime=lifetime,
            actor=principal.actor,
        )
    return schemas.ApiKeyCreated(key=key, **_out(record).model_dump())


@router.delete("/me/apikeys/{prefix}", status_code=204)
def revoke_key(
    request: Request,
    engine: EngineDep,
    principal: Annotated[Principal, Depends(require(Action.WRITE_SELF))],
    prefix: Annotated[str, Path(max_length=16)],
) -> Response:
    """Revoke one of the caller's keys."""
    with transaction(engine) as conn:
        own = {key.prefix for key in apikeys.list_keys(conn, username=principal.user.username)}
        if prefix not in own:
            raise NotFoundError(f"You have no API key {prefix!r}.")
        apikeys.revoke_key(conn, prefix, actor=principal.actor)
    forget_keys(request)
    return Response(status_code=204)
