"""The store of shareable STIX objects: every version, its audience, marking, expiry and origin.

Only what a releasing decision (or a peer) made shareable is here. Each version (stix id,
modified) is stored once with its ``date_added``: the server's time in microseconds, strictly
increasing and unique, so it is both TAXII's ``date_added`` and the paging position. Reads
(:func:`visible`) return only versions whose audience holds the reader's organisation, that are
neither expired nor revoked, and never TLP:RED: RED stays in its organisation.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, exists, func, or_, select, text

from cawarn.domain import CawarnError, InputError
from cawarn.domain.access import MARKING_ORDER
from cawarn.domain.events import Marking
from cawarn.store.schema_taxii import taxii_audience, taxii_objects

#: The origin of objects this node released itself (peers are named by their label).
LOCAL_ORIGIN = "local"

#: On PostgreSQL two writers must not take the same date_added; an advisory lock orders them.
_LOCK_KEY = 0x7461786969  # "taxii"


class MarkingError(CawarnError):
    """A new version would lower the marking already held for its object."""

    exit_code = 2
    http_status = 422


def encode(obj: dict[str, Any]) -> str:
    """The compact JSON text an object is stored and served as."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def parse_timestamp(value: str) -> int:
    """A STIX/TAXII timestamp (RFC 3339, UTC) as microseconds since 1970."""
    try:
        at = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"{value!r} is not a timestamp; write e.g. 2026-11-27T03:00:00.000Z."
        ) from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    delta = at - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def format_timestamp(us: int) -> str:
    """Microseconds since 1970 as a TAXII timestamp with microseconds."""
    at = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=us)
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def normal_version(value: str) -> str:
    """A STIX ``modified`` value in the one form stored (microseconds, Z)."""
    return format_timestamp(parse_timestamp(value))


def now_us() -> int:
    """The current time in microseconds since 1970."""
    return parse_timestamp(dt.datetime.now(dt.UTC).isoformat())


def marking_rank(marking: Marking | str) -> int:
    """The position of a marking from CLEAR (0) to RED (4)."""
    return MARKING_ORDER.index(Marking(marking))


def held_marking(conn: Connection, stix_id: str) -> Marking | None:
    """The most restricted marking any stored version of the object has."""
    rows = conn.execute(
        select(taxii_objects.c.marking).where(taxii_objects.c.stix_id == stix_id).distinct()
    ).scalars()
    ranked = sorted((Marking(m) for m in rows), key=marking_rank)
    return ranked[-1] if ranked else None


def held_received_marking(conn: Connection, stix_id: str) -> Marking | None:
    """The most restricted marking of the versions of an object that peers sent (None if none)."""
    rows = conn.execute(
        select(taxii_objects.c.marking)
        .where(taxii_objects.c.stix_id == stix_id, taxii_objects.c.origin != LOCAL_ORIGIN)
        .distinct()
    ).scalars()
    ranked = sorted((Marking(m) for m in rows), key=marking_rank)
    return ranked[-1] if ranked else None


def _next_added(conn: Connection) -> int:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    last = conn.execute(select(func.max(taxii_objects.c.added_us))).scalar()
    now = now_us()
    return now if last is None or now > last else int(last) + 1


def put(
    conn: Connection,
    obj: dict[str, Any],
    *,
    audience: Collection[str],
    marking: Marking,
    origin: str,
    expires_at: dt.datetime | None = None,
) -> bool:
    """Store one version of a STIX object; True if this (id, modified) version is new.

    Idempotent: a version already stored is left as it is. A version whose marking is lower
    than one already held for the object is refused (MarkingError): a marking is never lowered.
    """
    stix_id = str(obj.get("id", ""))
    version = obj.get("modified") or obj.get("created")
    if "--" not in stix_id or not isinstance(version, str):
        raise InputError("A shareable object needs a STIX id and a modified (or created) time.")
    modified = normal_version(version)
    if conn.execute(
        select(taxii_objects.c.id).where(
            taxii_objects.c.stix_id == stix_id, taxii_objects.c.modified == modified
        )
    ).first():
        return False
    held = held_marking(conn, stix_id)
    if held is not None and marking_rank(marking) < marking_rank(held):
        raise MarkingError(
            f"{stix_id} is held as {held.value}; a new version may not lower it to "
            f"{Marking(marking).value}."
        )
    latest = conn.execute(
        select(taxii_objects.c.id, taxii_objects.c.modified).where(
            taxii_objects.c.stix_id == stix_id, taxii_objects.c.is_latest
        )
    ).first()
    is_latest = latest is None or latest.modified < modified
    if latest is not None and is_latest:
        conn.execute(
            taxii_objects.update().where(taxii_objects.c.id == latest.id).values(is_latest=False)
        )
    row_id = conn.execute(
        taxii_objects.insert().values(
            stix_id=stix_id,
            modified=modified,
            added_us=_next_added(conn),
            type=stix_id.split("--", 1)[0],
            spec_version=str(obj.get("spec_version", "2.1")),
            body=encode(obj),
            marking=Marking(marking).value,
            created_by=obj.get("created_by_ref"),
            expires_at=expires_at,
            revoked=False,
            is_latest=is_latest,
            origin=origin,
        )
    ).inserted_primary_key
    assert row_id is not None
    orgs = sorted(set(audience))
    if orgs:
        conn.execute(taxii_audience.insert(), [{"object_id": row_id[0], "org": o} for o in orgs])
    return True


@dataclass(frozen=True, slots=True)
class Shareable:
    """One object to store with its release terms (the arguments of :func:`put`)."""

    obj: dict[str, Any]
    audience: Collection[str]
    marking: Marking
    origin: str
    expires_at: dt.datetime | None = None


def put_many(conn: Connection, items: Sequence[Shareable], *, batch: int = 1000) -> int:
    """Store many objects as :func:`put` would, in bulk; returns how many versions were new.

    Objects whose id this node does not hold yet (and that appear once in the batch) are
    inserted together; any other goes through :func:`put`, one by one.
    """
    new = 0
    for start in range(0, len(items), batch):
        chunk = items[start : start + batch]
        ids = [str(item.obj.get("id", "")) for item in chunk]
        held = set(
            conn.execute(
                select(taxii_objects.c.stix_id).where(taxii_objects.c.stix_id.in_(ids))
            ).scalars()
        )
        once = {i for i in ids if ids.count(i) == 1} - held
        bulk = [item for item in chunk if item.obj.get("id") in once]
        for item in chunk:
            if item.obj.get("id") not in once:
                new += put(
                    conn,
                    item.obj,
                    audience=item.audience,
                    marking=item.marking,
                    origin=item.origin,
                    expires_at=item.expires_at,
                )
        if not bulk:
            continue
        first = _next_added(conn)
        rows = []
        for offset, item in enumerate(bulk):
            version = item.obj.get("modified") or item.obj.get("created")
            if not isinstance(version, str):
                raise InputError("A shareable object needs a modified (or created) time.")
            stix_id = str(item.obj["id"])
            rows.append(
                {
                    "stix_id": stix_id,
                    "modified": normal_version(version),
                    "added_us": first + offset,
                    "type": stix_id.split("--", 1)[0],
                    "spec_version": str(item.obj.get("spec_version", "2.1")),
                    "body": encode(item.obj),
                    "marking": Marking(item.marking).value,
                    "created_by": item.obj.get("created_by_ref"),
                    "expires_at": item.expires_at,
                    "revoked": False,
                    "is_latest": True,
                    "origin": item.origin,
                }
            )
        conn.execute(taxii_objects.insert(), rows)
        row_ids = {
            row.stix_id: row.id
            for row in conn.execute(
                select(taxii_objects.c.stix_id, taxii_objects.c.id).where(
                    taxii_objects.c.stix_id.in_([r["stix_id"] for r in rows])
                )
            )
        }
        audience = [
            {"object_id": row_ids[str(item.obj["id"])], "org": org}
            for item in bulk
            for org in sorted(set(item.audience))
        ]
        if audience:
            conn.execute(taxii_audience.insert(), audience)
        new += len(bulk)
    return new


def revoke(conn: Connection, stix_id: str) -> int:
    """Stop serving every version of an object; returns how many versions were revoked."""
    return conn.execute(
        taxii_objects.update()
        .where(taxii_objects.c.stix_id == stix_id, taxii_objects.c.revoked.is_(False))
        .values(revoked=True)
    ).rowcount


def visibility(org: str, now: dt.datetime, table: Any = taxii_objects) -> ColumnElement[bool]:
    """The condition on a version (of ``table``, or an alias of it) that ``org`` may receive it."""
    audience = exists().where(
        and_(taxii_audience.c.object_id == table.c.id, taxii_audience.c.org == org)
    )
    return and_(
        audience,
        table.c.revoked.is_(False),
        table.c.marking != Marking.RED.value,
        or_(table.c.expires_at.is_(None), table.c.expires_at > now),
    )


def visible(org: str, *, now: dt.datetime | None = None) -> Select[Any]:
    """The versions the organisation may receive: in its audience, unexpired, unrevoked, not RED.

    The query selects the object columns; callers add filters, order and limit.
    """
    return select(taxii_objects).where(visibility(org, now or dt.datetime.now(dt.UTC)))


def audience_of(conn: Connection, row_id: int) -> list[str]:
    """The organisations a stored version was released to."""
    return list(
        conn.execute(
            select(taxii_audience.c.org)
            .where(taxii_audience.c.object_id == row_id)
            .order_by(taxii_audience.c.org)
        ).scalars()
    )
