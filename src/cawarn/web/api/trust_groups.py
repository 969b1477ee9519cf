"""Trust groups: everyone may list them; the node's administrators create and extend them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from cawarn.domain import NotFoundError
from cawarn.domain.access import Action
from cawarn.network import trust
from cawarn.web.api import schemas
from cawarn.web.deps import NOT_FOUND, EngineDep, Principal, require, transaction

router = APIRouter(tags=["trust groups"], responses=schemas.ERRORS)

Admin = Annotated[Principal, Depends(require(Action.WRITE_ORGANISATIONS))]


class TrustGroup(BaseModel):
    """A named set of organisations that a release can address."""

    name: str
    members: list[str]


class TrustGroupIn(BaseModel):
    """A new group and its first members."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    orgs: list[str] = Field(min_length=1, max_length=200)


class MembersIn(BaseModel):
    """Organisations to add to a group."""

    model_config = ConfigDict(extra="forbid")

    orgs: list[str] = Field(min_length=1, max_length=200)


def _node_admin(principal: Principal) -> None:
    # Groups address every organisation, so only the node's own administrators keep them.
    if not principal.sees_every_organisation:
        raise NotFoundError(NOT_FOUND)


@router.get("/trust-groups", response_model=list[TrustGroup])
def list_groups(
    engine: EngineDep,
    principal: Annotated[Principal, Depends(require(Action.READ_ORGANISATIONS))],
) -> list[TrustGroup]:
    """Every trust group with its members."""
    with transaction(engine) as conn:
        groups = trust.group_members(conn)
    return [TrustGroup(name=name, members=members) for name, members in groups.items()]


@router.post("/trust-groups", response_model=TrustGroup, status_code=201)
def create_group(engine: EngineDep, principal: Admin, body: TrustGroupIn) -> TrustGroup:
    """Create a trust group (administrators of the node's own organisation only)."""
    _node_admin(principal)
    with transaction(engine) as conn:
        members = trust.create_group(conn, body.name, body.orgs, actor=principal.actor)
    return TrustGroup(name=body.name, members=members)


@router.post("/trust-groups/{name}/members", response_model=TrustGroup)
def add_members(
    engine: EngineDep,
    principal: Admin,
    name: Annotated[str, Path(max_length=100)],
    body: MembersIn,
) -> TrustGroup:
    """Add organisations to a group; earlier releases keep the audience they had."""
    _node_admin(principal)
    with transaction(engine) as conn:
        members = trust.add_members(conn, name, body.orgs, actor=principal.actor)
    return TrustGroup(name=name, members=members)
