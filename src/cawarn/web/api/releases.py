"""Release decisions: decide, list, read one, revoke.

Releasing officers decide and revoke releases of their own organisation's items; they and the
auditors read the decisions (auditors of the node's organisation those of every organisation).
A release of another organisation answers 404, like a missing one. Decisions and revocations
are signed with the node key and written to the audit log by :mod:`cawarn.network.releases`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from cawarn.domain.access import Action, Role
from cawarn.domain.releases import ItemKind, Release, parse_marking
from cawarn.network import keys
from cawarn.network import releases as store
from cawarn.web.api import schemas
from cawarn.web.deps import EngineDep, Principal, SettingsDep, require, transaction

router = APIRouter(tags=["releases"], responses=schemas.ERRORS)

Reader = Annotated[Principal, Depends(require(Action.READ_RELEASES))]
Officer = Annotated[Principal, Depends(require(Action.RELEASE))]
ReleaseId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class ReleaseOut(BaseModel):
    """A release decision, its signature, and its revocation if revoked."""

    id: int
    item_kind: ItemKind
    item_id: str
    owner_org: str
    audience: list[str] = Field(description="Organisation codes, trust groups expanded.")
    audience_orgs: list[str]
    audience_groups: list[str]
    marking: str
    expires_at: schemas.UtcDateTime | None
    decided_by: str
    decided_at: schemas.UtcDateTime
    node_org: str
    key_id: str
    signature: str
    revoked_at: schemas.UtcDateTime | None
    revoked_by: str | None
    revocation_key_id: str | None
    revocation_signature: str | None
    active: bool = Field(description="Released now: neither revoked nor expired.")


class ReleaseIn(BaseModel):
    """A decision: the item, its audience, its TLP 2.0 marking and an optional expiry."""

    model_config = ConfigDict(extra="forbid")

    kind: ItemKind
    item: str = Field(min_length=1, max_length=100, description="Event uid, alert or report id.")
    to: list[str] = Field(default_factory=list, max_length=200, description="Organisation codes.")
    groups: list[str] = Field(default_factory=list, max_length=50, description="Trust groups.")
    tlp: str = Field(description="CLEAR, GREEN, AMBER, AMBER+STRICT or RED.", max_length=20)
    expires_at: dt.datetime | None = None


def _out(release: Release, now: dt.datetime) -> ReleaseOut:
    return ReleaseOut(
        id=release.id,
        item_kind=release.item_kind,
        item_id=release.item_id,
        owner_org=release.owner_org,
        audience=list(release.audience),
        audience_orgs=list(release.audience_orgs),
        audience_groups=list(release.audience_groups),
        marking=release.marking.value,
        expires_at=release.expires_at,
        decided_by=release.decided_by,
        decided_at=release.decided_at,
        node_org=release.node_org,
        key_id=release.key_id,
        signature=release.signature,
        revoked_at=release.revoked_at,
        revoked_by=release.revoked_by,
        revocation_key_id=release.revocation_key_id,
        revocation_signature=release.revocation_signature,
        active=release.is_active(now),
    )


def _scope(principal: Principal) -> str | None:
    """The organisation whose releases the caller sees; None for every one."""
    if principal.user.role is Role.AUDITOR and principal.sees_every_organisation:
        return None
    return principal.user.org.code


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@router.post("/releases", response_model=ReleaseOut, status_code=201)
def create(
    engine: EngineDep, settings: SettingsDep, principal: Officer, body: ReleaseIn
) -> ReleaseOut:
    """Decide a release of an item of the caller's organisation, signed with the node key."""
    expires_at = body.expires_at
    if expires_at is not None and expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=dt.UTC)
    marking = parse_marking(body.tlp)
    node_key = keys.load(settings.home)
    with transaction(engine) as conn:
        release = store.create_release(
            conn,
            kind=body.kind,
            item_id=body.item.strip(),
            orgs=body.to,
            groups=body.groups,
            marking=marking,
            expires_at=expires_at,
            officer=principal.user,
            key=node_key,
            node_org=settings.organisation,
        )
    return _out(release, _now())


@router.get("/releases", response_model=list[ReleaseOut])
def list_(engine: EngineDep, principal: Reader) -> list[ReleaseOut]:
    """The releases of the caller's organisation, newest first."""
    with transaction(engine) as conn:
        found = store.list_releases(conn, owner_org=_scope(principal))
    now = _now()
    return [_out(release, now) for release in found]


@router.get("/releases/{release_id}", response_model=ReleaseOut)
def read(engine: EngineDep, principal: Reader, release_id: ReleaseId) -> ReleaseOut:
    """One release of the caller's organisation."""
    with transaction(engine) as conn:
        release = store.get_release(conn, release_id, owner_org=_scope(principal))
    return _out(release, _now())


@router.post("/releases/{release_id}/revoke", response_model=ReleaseOut)
def revoke(
    engine: EngineDep, settings: SettingsDep, principal: Officer, release_id: ReleaseId
) -> ReleaseOut:
    """Revoke a release of the caller's organisation; peers stop receiving the item."""
    node_key = keys.load(settings.home)
    with transaction(engine) as conn:
        release = store.revoke_release(conn, release_id, officer=principal.user, key=node_key)
    return _out(release, _now())
