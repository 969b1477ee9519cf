"""Organisations and users: create, find, list, change; every change is audited."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from cawarn.accounts import audit
from cawarn.accounts.passwords import hash_password
from cawarn.domain import InputError, NotFoundError
from cawarn.domain.access import OrgKind, Role
from cawarn.store.tables import organisations, users

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_ORG_CODE = re.compile(r"^\S(.{0,98}\S)?$")


@dataclass(frozen=True, slots=True)
class Organisation:
    """An organisation of the network."""

    id: int
    code: str
    title: str
    kind: OrgKind


@dataclass(frozen=True, slots=True)
class User:
    """A user account: a username, an organisation and a role; nothing about the person."""

    id: int
    username: str
    org: Organisation
    role: Role
    active: bool
    totp_enabled: bool
    created_at: dt.datetime
    session_epoch: int = 0


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _org(row: Any) -> Organisation:
    return Organisation(id=row.id, code=row.code, title=row.title, kind=OrgKind(row.kind))


def create_organisation(
    conn: Connection, code: str, title: str, kind: OrgKind, *, actor: audit.Actor
) -> Organisation:
    """Add an organisation; its code must be new."""
    code = code.strip()
    if not _ORG_CODE.match(code):
        raise InputError(
            f"The organisation code {code!r} is not usable; give 1 to 100 characters "
            "that do not start or end with a space, e.g. KGZ-NCTC."
        )
    if not title.strip():
        raise InputError("The organisation title is empty; give its full title.")
    if find_organisation(conn, code) is not None:
        raise InputError(f"An organisation with the code {code!r} already exists.")
    new_id = conn.execute(
        organisations.insert().values(
            code=code, title=title.strip(), kind=kind.value, created_at=_now()
        )
    ).inserted_primary_key
    assert new_id is not None
    audit.append(
        conn,
        actor,
        "organisation.create",
        object_type="organisation",
        object_id=code,
        details={"title": title.strip(), "kind": kind.value},
    )
    return Organisation(id=int(new_id[0]), code=code, title=title.strip(), kind=kind)


def find_organisation(conn: Connection, code: str) -> Organisation | None:
    """The organisation with this code, if any."""
    row = conn.execute(select(organisations).where(organisations.c.code == code)).first()
    return _org(row) if row else None


def get_organisation(conn: Connection, code: str) -> Organisation:
    """The organisation with this code, or NotFoundError."""
    org = find_organisation(conn, code)
    if org is None:
        raise NotFoundError(f"There is no organisation {code!r}; 'cawarn org list' lists them.")
    return org


def list_organisations(conn: Connection, *, code: str | None = None) -> list[Organisation]:
    """Organisations by code (only one when ``code`` is given)."""
    query = select(organisations).order_by(organisations.c.code)
    if code is not None:
        query = query.where(organisations.c.code == code)
    return [_org(row) for row in conn.execute(query)]


def _user_query() -> Any:
    return select(
        users.c.id,
        users.c.username,
        users.c.role,
        users.c.active,
        users.c.totp_enabled,
        users.c.created_at,
        users.c.session_epoch,
        organisations.c.id.label("org_id"),
        organisations.c.code.label("org_code"),
        organisations.c.title.label("org_title"),
        organisations.c.kind.label("org_kind"),
    ).join(organisations, organisations.c.id == users.c.org_id)


def _user(row: Any) -> User:
    return User(
        id=row.id,
        username=row.username,
        org=Organisation(
            id=row.org_id, code=row.org_code, title=row.org_title, kind=OrgKind(row.org_kind)
        ),
        role=Role(row.role),
        active=bool(row.active),
        totp_enabled=bool(row.totp_enabled),
        created_at=row.created_at,
        session_epoch=row.session_epoch,
    )


def check_username(username: str) -> str:
    """The username, or InputError saying what a username may be."""
    if not _USERNAME.match(username):
        raise InputError(
            f"The username {username!r} is not usable; use 2 to 64 lower-case letters, digits, "
            "dots, hyphens or underscores, starting with a letter or digit (e.g. kgz.duty1)."
        )
    return username


def create_user(
    conn: Connection,
    username: str,
    org_code: str,
    role: Role,
    password: str,
    *,
    actor: audit.Actor,
) -> User:
    """Add a user with an argon2 hash of the password; the username must be new."""
    check_username(username)
    org = get_organisation(conn, org_code)
    if find_user(conn, username) is not None:
        raise InputError(f"A user named {username!r} already exists; choose another username.")
    password_hash = hash_password(password)
    try:
        conn.execute(
            users.insert().values(
                username=username,
                org_id=org.id,
                role=role.value,
                password_hash=password_hash,
                totp_enabled=False,
                active=True,
                failed_logins=0,
                created_at=_now(),
            )
        )
    except IntegrityError:
        raise InputError(
            f"A user named {username!r} already exists; choose another username."
        ) from None
    audit.append(
        conn,
        actor,
        "user.create",
        object_type="user",
        object_id=username,
        details={"org": org.code, "role": role.value},
    )
    return get_user(conn, username)


def find_user(conn: Connection, username: str) -> User | None:
    """The user with this username, if any."""
    row = conn.execute(_user_query().where(users.c.username == username)).first()
    return _user(row) if row else None


def get_user(conn: Connection, username: str) -> User:
    """The user with this username, or NotFoundError."""
    user = find_user(conn, username)
    if user is None:
        raise NotFoundError(f"There is no user {username!r}; 'cawarn user list' lists them.")
    return user


def user_by_id(conn: Connection, user_id: int) -> User | None:
    """The user with this id, if any."""
    row = conn.execute(_user_query().where(users.c.id == user_id)).first()
    return _user(row) if row else None


def list_users(conn: Connection, *, org_code: str | None = None) -> list[User]:
    """Users by username, optionally of one organisation."""
    query = _user_query().order_by(users.c.username)
    if org_code is not None:
        query = query.where(organisations.c.code == org_code)
    return [_user(row) for row in conn.execute(query)]


def update_user(
    conn: Connection,
    username: str,
    *,
    actor: audit.Actor,
    role: Role | None = None,
    active: bool | None = None,
) -> User:
    """Change a user's role or active flag."""
    user = get_user(conn, username)
    values: dict[str, Any] = {}
    if role is not None and role != user.role:
        values["role"] = role.value
    if active is not None and active != user.active:
        values["active"] = active
    if values:
        # A changed role or a deactivation ends the user's sessions.
        conn.execute(
            users.update()
            .where(users.c.id == user.id)
            .values(**values, session_epoch=users.c.session_epoch + 1)
        )
        audit.append(
            conn,
            actor,
            "user.update",
            object_type="user",
            object_id=username,
            details={key: str(value) if key == "role" else value for key, value in values.items()},
        )
    return get_user(conn, username)
