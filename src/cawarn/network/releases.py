"""Release decisions in the store: decide, revoke, list, and what is released to whom.

Each decision and revocation is signed with the node key and written to the hash-chained audit
log in the same transaction. The signature lives in the ``releases`` row; the audit row carries
the sha256 of the signed record, the key id and the signature, so the chain vouches for the
decision and the signature vouches for the row (``cawarn audit verify`` checks both).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from cawarn.accounts import audit
from cawarn.accounts.directory import User, list_organisations
from cawarn.domain import CawarnError, Marking, NotFoundError
from cawarn.domain.access import Role
from cawarn.domain.releases import (
    ItemKind,
    Release,
    check_decision,
    check_revocation,
    decision_record,
    expand_audience,
)
from cawarn.network.items import find_item
from cawarn.network.keys import NodeKey
from cawarn.network.publish import publish, unpublish
from cawarn.network.signing import digest, sign
from cawarn.network.trust import group_members
from cawarn.store.schema_network import release_audience, releases


class ReleasePermissionError(CawarnError):
    """The user may not release: not a releasing officer, or not active."""

    exit_code = 2
    http_status = 404  # what a user may not do looks like what does not exist


def _utc(at: dt.datetime | None) -> dt.datetime | None:
    if at is None:
        return None
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


def to_release(row: Any) -> Release:
    """The domain view of a ``releases`` row."""
    decided_at = _utc(row["decided_at"])
    assert decided_at is not None
    return Release(
        id=row["id"],
        item_kind=ItemKind(row["item_kind"]),
        item_id=row["item_id"],
        owner_org=row["owner_org"],
        audience=tuple(row["audience"]),
        audience_orgs=tuple(row["audience_orgs"]),
        audience_groups=tuple(row["audience_groups"]),
        marking=Marking(row["marking"]),
        expires_at=_utc(row["expires_at"]),
        decided_by=row["decided_by"],
        decided_at=decided_at,
        node_org=row["node_org"],
        key_id=row["key_id"],
        signature=row["signature"],
        revoked_at=_utc(row["revoked_at"]),
        revoked_by=row["revoked_by"],
        revocation_key_id=row["revocation_key_id"],
        revocation_signature=row["revocation_signature"],
    )


def _check_officer(user: User) -> None:
    if not user.active or user.role is not Role.RELEASING_OFFICER:
        raise ReleasePermissionError(
            f"User {user.username!r} is not an active releasing officer; only a releasing "
            "officer of the item's organisation decides releases."
        )


def _now(now: dt.datetime | None) -> dt.datetime:
    # Microseconds are kept exactly by both backends; the signed record uses them.
    return now or dt.datetime.now(dt.UTC)


def create_release(
    conn: Connection,
    *,
    kind: ItemKind,
    item_id: str,
    orgs: Collection[str],
    groups: Collection[str],
    marking: Marking,
    expires_at: dt.datetime | None,
    officer: User,
    key: NodeKey,
    node_org: str,
    now: dt.datetime | None = None,
) -> Release:
    """Decide a release as a releasing officer of the item's owner organisation, signed."""
    now = _now(now)
    _check_officer(officer)
    item = find_item(conn, kind, item_id)
    if item.owner_org != officer.org.code:
        # An item of another organisation is not the officer's to see, let alone release.
        raise NotFoundError(f"There is no {kind.value} {item_id!r} that you may release.")
    orgs = sorted({code.strip() for code in orgs if code.strip()})
    groups = sorted({name.strip() for name in groups if name.strip()})
    known = [org.code for org in list_organisations(conn)]
    members = group_members(conn)
    audience = expand_audience(orgs, groups, members, known)
    check_decision(
        item,
        marking=marking,
        orgs=orgs,
        groups=groups,
        audience=audience,
        expires_at=expires_at,
        now=now,
    )
    record = decision_record(
        item_kind=kind,
        item_id=item_id,
        owner_org=item.owner_org,
        audience=audience,
        audience_orgs=orgs,
        audience_groups=groups,
        marking=marking,
        expires_at=expires_at,
        decided_by=officer.username,
        decided_at=now,
        node_org=node_org,
        key_id=key.key_id,
    )
    signature = sign(record, key.private)
    inserted = conn.execute(
        releases.insert().values(
            item_kind=kind.value,
            item_id=item_id,
            owner_org=item.owner_org,
            audience=list(audience),
            audience_orgs=orgs,
            audience_groups=groups,
            marking=marking.value,
            expires_at=expires_at,
            decided_by=officer.username,
            decided_by_user_id=officer.id,
            decided_at=now,
            node_org=node_org,
            key_id=key.key_id,
            signature=signature,
        )
    ).inserted_primary_key
    assert inserted is not None
    release_id = int(inserted[0])
    conn.execute(
        release_audience.insert(),
        [{"release_id": release_id, "org_code": code} for code in audience],
    )
    audit.append(
        conn,
        audit.Actor(officer.username, officer.id, officer.org.code),
        "release.create",
        object_type="release",
        object_id=str(release_id),
        marking=marking.value,
        details={
            "item_kind": kind.value,
            "item_id": item_id,
            "audience": list(audience),
            "record_sha256": digest(record),
            "key_id": key.key_id,
            "signature": signature,
        },
        at=now,
    )
    release = get_release(conn, release_id)
    # The same transaction stores the signed objects the TAXII server serves to the audience.
    publish(conn, release, key)
    return release


def revoke_release(
    conn: Connection,
    release_id: int,
    *,
    officer: User,
    key: NodeKey,
    now: dt.datetime | None = None,
) -> Release:
    """Revoke a release as a releasing officer of its organisation, signed and audited."""
    now = _now(now)
    _check_officer(officer)
    release = get_release(conn, release_id, owner_org=officer.org.code)
    check_revocation(release)
    revoked = replace(
        release, revoked_at=now, revoked_by=officer.username, revocation_key_id=key.key_id
    )
    record = revoked.revocation_record()
    signature = sign(record, key.private)
    conn.execute(
        releases.update()
        .where(releases.c.id == release_id)
        .values(
            revoked_at=now,
            revoked_by=officer.username,
            revocation_key_id=key.key_id,
            revocation_signature=signature,
        )
    )
    audit.append(
        conn,
        audit.Actor(officer.username, officer.id, officer.org.code),
        "release.revoke",
        object_type="release",
        object_id=str(release_id),
        marking=release.marking.value,
        details={"record_sha256": digest(record), "key_id": key.key_id, "signature": signature},
        at=now,
    )
    unpublish(conn, release, key, now=now)
    return get_release(conn, release_id)


def get_release(conn: Connection, release_id: int, *, owner_org: str | None = None) -> Release:
    """One release; NotFoundError when absent or of another organisation than ``owner_org``."""
    query = select(releases).where(releases.c.id == release_id)
    if owner_org is not None:
        query = query.where(releases.c.owner_org == owner_org)
    row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFoundError(
            f"There is no release {release_id}; 'cawarn release list' shows the releases."
        )
    return to_release(row)


def list_releases(
    conn: Connection,
    *,
    owner_org: str | None = None,
    item_kind: ItemKind | None = None,
    item_id: str | None = None,
) -> list[Release]:
    """Releases, newest first, optionally of one organisation or one item."""
    query = select(releases).order_by(releases.c.id.desc())
    if owner_org is not None:
        query = query.where(releases.c.owner_org == owner_org)
    if item_kind is not None:
        query = query.where(releases.c.item_kind == item_kind.value)
    if item_id is not None:
        query = query.where(releases.c.item_id == item_id)
    return [to_release(row) for row in conn.execute(query).mappings()]


def released_items(conn: Connection, org_code: str, now: dt.datetime) -> list[Release]:
    """What is released to an organisation now: unrevoked, unexpired, it in the audience."""
    query = (
        select(releases)
        .join(release_audience, release_audience.c.release_id == releases.c.id)
        .where(
            and_(
                release_audience.c.org_code == org_code,
                releases.c.revoked_at.is_(None),
                or_(releases.c.expires_at.is_(None), releases.c.expires_at > now),
            )
        )
        .order_by(releases.c.id)
    )
    return [to_release(row) for row in conn.execute(query).mappings()]


def releases_since(conn: Connection, after_id: int, *, limit: int | None = None) -> list[Release]:
    """Releases decided after the one with ``after_id``, oldest first (revoked ones too)."""
    query = select(releases).where(releases.c.id > after_id).order_by(releases.c.id)
    if limit is not None:
        query = query.limit(limit)
    return [to_release(row) for row in conn.execute(query).mappings()]
