"""Trust groups: named sets of organisations a release can address at once; changes are audited.

A group is expanded to its members when a release is decided, and both the group and the
members are recorded, so a later change of the group never widens an earlier release.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from cawarn.accounts import audit
from cawarn.accounts.directory import list_organisations
from cawarn.domain import InputError, NotFoundError
from cawarn.store.schema_network import trust_group_members, trust_groups

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def _check_orgs(conn: Connection, orgs: Collection[str]) -> list[str]:
    codes = sorted({code.strip() for code in orgs if code.strip()})
    if not codes:
        raise InputError(
            "Name at least one organisation with --orgs, e.g. --orgs KGZ-NCTC,KAZ-ATC."
        )
    known = {org.code for org in list_organisations(conn)}
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise InputError(
            f"There is no organisation {', '.join(map(repr, unknown))}; "
            "'cawarn org list' shows the organisations."
        )
    return codes


def _add(conn: Connection, group_id: int, codes: list[str]) -> None:
    rows = [{"group_id": group_id, "org_code": code} for code in codes]
    insert = (
        postgresql.insert(trust_group_members)
        if conn.dialect.name == "postgresql"
        else sqlite.insert(trust_group_members)
    )
    conn.execute(insert.on_conflict_do_nothing(), rows)


def create_group(
    conn: Connection,
    name: str,
    orgs: Collection[str],
    *,
    actor: audit.Actor,
    now: dt.datetime | None = None,
) -> list[str]:
    """Create a group with its first members; returns the members."""
    if not _NAME.match(name):
        raise InputError(
            f"The trust group name {name!r} is not usable; use letters, digits, '.', '_' and "
            "'-', e.g. CA5."
        )
    if conn.execute(select(trust_groups.c.id).where(trust_groups.c.code == name)).first():
        raise InputError(f"A trust group named {name!r} already exists; add members with 'add'.")
    codes = _check_orgs(conn, orgs)
    now = now or dt.datetime.now(dt.UTC)
    inserted = conn.execute(
        trust_groups.insert().values(code=name, created_at=now)
    ).inserted_primary_key
    assert inserted is not None
    _add(conn, int(inserted[0]), codes)
    audit.append(
        conn,
        actor,
        "trust_group.create",
        object_type="trust_group",
        object_id=name,
        details={"members": codes},
        at=now,
    )
    return codes


def add_members(
    conn: Connection,
    name: str,
    orgs: Collection[str],
    *,
    actor: audit.Actor,
    now: dt.datetime | None = None,
) -> list[str]:
    """Add organisations to a group; returns all its members."""
    group_id = conn.execute(select(trust_groups.c.id).where(trust_groups.c.code == name)).scalar()
    if group_id is None:
        raise NotFoundError(
            f"There is no trust group {name!r}; 'cawarn trust-group list' shows them."
        )
    codes = _check_orgs(conn, orgs)
    _add(conn, int(group_id), codes)
    audit.append(
        conn,
        actor,
        "trust_group.add",
        object_type="trust_group",
        object_id=name,
        details={"added": codes},
        at=now or dt.datetime.now(dt.UTC),
    )
    return group_members(conn)[name]


def group_members(conn: Connection) -> dict[str, list[str]]:
    """Every group by name, with its members sorted (a group may have none left)."""
    groups: dict[str, list[str]] = {
        name: [] for name in conn.execute(select(trust_groups.c.code)).scalars()
    }
    query = select(trust_groups.c.code, trust_group_members.c.org_code).join(
        trust_group_members, trust_group_members.c.group_id == trust_groups.c.id
    )
    for name, code in conn.execute(query):
        groups[name].append(code)
    return {name: sorted(codes) for name, codes in sorted(groups.items())}
