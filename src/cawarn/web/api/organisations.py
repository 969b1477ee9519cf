"""Organisations of the network: everyone may list them; the node's administrators add them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from cawarn.accounts import directory
from cawarn.domain import NotFoundError
from cawarn.domain.access import Action
from cawarn.web.api import schemas
from cawarn.web.deps import NOT_FOUND, EngineDep, Principal, require, transaction

router = APIRouter(tags=["organisations"], responses=schemas.ERRORS)


def _out(org: directory.Organisation) -> schemas.Organisation:
    return schemas.Organisation(code=org.code, title=org.title, kind=org.kind)


@router.get("/organisations", response_model=list[schemas.Organisation])
def list_organisations(
    engine: EngineDep,
    principal: Annotated[Principal, Depends(require(Action.READ_ORGANISATIONS))],
) -> list[schemas.Organisation]:
    """Every organisation of the network, by code."""
    with transaction(engine) as conn:
        return [_out(org) for org in directory.list_organisations(conn)]


@router.get("/organisations/{code}", response_model=schemas.Organisation)
def get_organisation(
    engine: EngineDep,
    principal: Annotated[Principal, Depends(require(Action.READ_ORGANISATIONS))],
    code: Annotated[str, Path(max_length=100)],
) -> schemas.Organisation:
    """One organisation by its code."""
    with transaction(engine) as conn:
        return _out(directory.get_organisation(conn, code))


@router.post("/organisations", response_model=schemas.Organisation, status_code=201)
def create_organisation(
    body: schemas.OrganisationIn,
    engine: EngineDep,
    principal: Annotated[Principal, Depends(require(Action.WRITE_ORGANISATIONS))],
) -> schemas.Organisation:
    """Add an organisation (administrators of the node's own organisation only)."""
    if not principal.sees_every_organisation:
        raise NotFoundError(NOT_FOUND)
    with transaction(engine) as conn:
        org = directory.create_organisation(
            conn, body.code, body.title, body.kind, actor=principal.actor
        )
    return _out(org)
