"""The audit log: append-only rows, each hash chained to the one before it.

A row's hash is sha256 over the canonical JSON (sorted keys, no spaces, UTF-8) of its content and
the previous row's hash, so changing or removing any row breaks every hash after it. Signatures
over the chain can be added later without changing the rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, desc, select, text

from cawarn.store.tables import audit_log

#: The previous hash of the first row.
GENESIS = "0" * 64

#: Two appends must not both chain onto the same row; on PostgreSQL a transaction-scoped
#: advisory lock serialises them.
_LOCK_KEY = 0x63617761726E  # "cawarn"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did something: a user, or the command line / system."""

    name: str
    user_id: int | None = None
    org: str | None = None


CLI = Actor("cli")


def _timestamp(at: dt.datetime) -> str:
    # SQLite gives back naive datetimes; every stored time is UTC.
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(content: dict[str, Any]) -> bytes:
    """Canonical JSON bytes of a row's content."""
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def row_hash(row: dict[str, Any]) -> str:
    """The hash of a row (a mapping with the audit_log columns) chained to its prev_hash."""
    content = {
        "at": _timestamp(row["at"]),
        "actor_user_id": row["actor_user_id"],
        "actor": row["actor"],
        "org": row["org"],
        "action": row["action"],
        "object_type": row["object_type"],
        "object_id": row["object_id"],
        "marking": row["marking"],
        "details": row["details"],
        "prev_hash": row["prev_hash"],
    }
    return hashlib.sha256(canonical(content)).hexdigest()


def append(
    conn: Connection,
    actor: Actor,
    action: str,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    marking: str | None = None,
    details: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> str:
    """Add a row in the caller's transaction; returns its hash."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    else:
        # Take SQLite's write lock before reading the last hash: a write statement starts the
        # write transaction even when it changes no row, so no other writer can slip in.
        conn.execute(text("UPDATE audit_log SET id = id WHERE 0 = 1"))
    last = conn.execute(select(audit_log.c.hash).order_by(desc(audit_log.c.id)).limit(1)).scalar()
    row: dict[str, Any] = {
        # Microseconds are kept exactly by both backends, so the hash can be recomputed.
        "at": at or dt.datetime.now(dt.UTC),
        "actor_user_id": actor.user_id,
        "actor": actor.name,
        "org": actor.org,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "marking": marking,
        # Round-trip through JSON so the hash covers exactly what is stored.
        "details": json.loads(canonical(details or {})),
        "prev_hash": last or GENESIS,
    }
    row["hash"] = row_hash(row)
    conn.execute(audit_log.insert().values(**row))
    return str(row["hash"])


def iter_rows(conn: Connection) -> Iterator[dict[str, Any]]:
    """Every row in the order they were appended."""
    for row in conn.execute(select(audit_log).order_by(audit_log.c.id)).mappings():
        yield dict(row)


def verify_chain(conn: Connection) -> int | None:
    """The id of the first row whose hash or link is wrong, or None when the chain holds."""
    previous = GENESIS
    for row in iter_rows(conn):
        if row["prev_hash"] != previous or row_hash(row) != row["hash"]:
            return int(row["id"])
        previous = row["hash"]
    return None


def list_rows(
    conn: Connection,
    *,
    org: str | None = None,
    action: str | None = None,
    since: dt.datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Rows newest first, optionally of one organisation or action only."""
    query = select(audit_log).order_by(desc(audit_log.c.id))
    if org is not None:
        query = query.where(audit_log.c.org == org)
    if action is not None:
        query = query.where(audit_log.c.action == action)
    if since is not None:
        query = query.where(audit_log.c.at >= since)
    return [dict(row) for row in conn.execute(query.limit(limit).offset(offset)).mappings()]
