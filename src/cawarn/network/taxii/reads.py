"""TAXII 2.1 read resources: discovery, API root, collections, objects, manifest, versions.

Layout: one API root, ``cawarn``, with one collection, ``shared``, that every peer node may read
and write. What a peer receives from it is what was released to the peer's organisation: each
object version carries its audience, and every read is filtered by it (plus expiry, revocation
and TLP:RED, which never leaves its organisation). A peer cannot tell what it may not see: an
object outside its audience answers 404 and is absent from every list.

Pages are built from the stored JSON text without decoding it, which is what makes them fast.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, exists, or_

from cawarn import __version__
from cawarn.domain import InputError, Marking
from cawarn.domain.access import AUDITED_MARKINGS
from cawarn.network import objects
from cawarn.network.stix.ids import CAWARN_NS
from cawarn.network.taxii import paging
from cawarn.network.taxii.errors import TaxiiError, not_found
from cawarn.store.schema_taxii import taxii_objects

TAXII_MEDIA = "application/taxii+json;version=2.1"
STIX_MEDIA = "application/stix+json;version=2.1"
API_ROOT = "cawarn"
COLLECTION_ID = str(uuid.uuid5(CAWARN_NS, "taxii-collection:shared"))
DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000
#: The largest POST body accepted (TAXII's max_content_length of the API root).
MAX_CONTENT_LENGTH = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated peer of one request."""

    org: str  # the peer's organisation code
    may_write: bool
    secret: bytes  # the node's key for next tokens


@dataclass
class Answer:
    """A TAXII response: status, JSON text and headers."""

    body: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    #: Ids of the TLP:AMBER and AMBER+STRICT objects served, which the audit log records.
    audited: tuple[str, ...] = ()


def _json(value: Any) -> str:
    return objects.encode(value)


def discovery(base: str) -> Answer:
    """The discovery resource."""
    return Answer(
        _json(
            {
                "title": "cawarn node",
                "description": "TAXII 2.1 server of a Central Asia early warning network node.",
                "default": f"{base}{API_ROOT}/",
                "api_roots": [f"{base}{API_ROOT}/"],
            }
        )
    )


def api_root(root: str) -> Answer:
    """The API root resource."""
    _check_root(root)
    return Answer(
        _json(
            {
                "title": "cawarn sharing",
                "description": "Objects released to the calling peer's organisation.",
                "versions": [TAXII_MEDIA],
                "max_content_length": MAX_CONTENT_LENGTH,
                "x_cawarn_version": __version__,
            }
        )
    )


def _collection(caller: Caller) -> dict[str, Any]:
    return {
        "id": COLLECTION_ID,
        "title": "shared",
        "description": "Objects released to the calling peer's organisation; peers post here.",
        "can_read": True,
        "can_write": caller.may_write,
        "media_types": [STIX_MEDIA],
    }


def collections(root: str, caller: Caller) -> Answer:
    """The collections resource."""
    _check_root(root)
    return Answer(_json({"collections": [_collection(caller)]}))


def collection(root: str, collection_id: str, caller: Caller) -> Answer:
    """One collection."""
    check_collection(root, collection_id)
    return Answer(_json(_collection(caller)))


def _check_root(root: str) -> None:
    if root != API_ROOT:
        raise not_found(f"API root {root!r}")


def check_collection(root: str, collection_id: str) -> None:
    """404 unless the root and the collection exist."""
    _check_root(root)
    if collection_id != COLLECTION_ID:
        raise not_found(f"collection {collection_id!r}")


@dataclass(frozen=True)
class Filter:
    """The filter of one objects/manifest/versions request."""

    added_after: int | None
    ids: tuple[str, ...]
    types: tuple[str, ...]
    versions: tuple[str, ...]
    spec_versions: tuple[str, ...]
    limit: int
    next: str | None

    def binding(self, caller: Caller, resource: str) -> dict[str, object]:
        """What a next token is bound to: everything but the limit and the token itself."""
        return {
            "r": resource,
            "org": caller.org,
            "a": self.added_after,
            "i": self.ids,
            "t": self.types,
            "v": self.versions,
            "s": self.spec_versions,
        }


def _split(params: Mapping[str, Sequence[str]], key: str) -> tuple[str, ...]:
    values = [v.strip() for raw in params.get(key, ()) for v in raw.split(",") if v.strip()]
    return tuple(values)


def parse_filter(params: Mapping[str, Sequence[str]], *, default_version: str = "last") -> Filter:
    """The filter a query string gives; 400 for a value that cannot be used."""
    try:
        added = params.get("added_after")
        added_after = objects.parse_timestamp(added[-1]) if added else None
        versions = _split(params, "match[version]") or (default_version,)
        norm = tuple(
            v if v in ("last", "first", "all") else objects.normal_version(v) for v in versions
        )
    except InputError as err:
        raise TaxiiError(400, err.message) from None
    limit_text = params.get("limit")
    limit = DEFAULT_LIMIT
    if limit_text:
        if not limit_text[-1].isdigit() or int(limit_text[-1]) < 1:
            raise TaxiiError(400, "The limit must be a whole number above 0.")
        limit = min(int(limit_text[-1]), MAX_LIMIT)
    next_ = params.get("next")
    return Filter(
        added_after=added_after,
        ids=_split(params, "match[id]"),
        types=_split(params, "match[type]"),
        versions=norm,
        spec_versions=_split(params, "match[spec_version]"),
        limit=limit,
        next=next_[-1] if next_ else None,
    )


def _filtered(query: Select[Any], flt: Filter, org: str, now: dt.datetime) -> Select[Any]:
    o = taxii_objects.c
    if flt.ids:
        query = query.where(o.stix_id.in_(flt.ids))
    if flt.types:
        query = query.where(o.type.in_(flt.types))
    if flt.spec_versions:
        query = query.where(o.spec_version.in_(flt.spec_versions))
    if "all" not in flt.versions:
        # "last" and "first" are the newest and oldest version this reader may see: another
        # release of the same object to another audience must not hide the one released to it.
        other = taxii_objects.alias("other")

        def none_visible(newer: bool) -> ColumnElement[bool]:
            order = other.c.modified > o.modified if newer else other.c.modified < o.modified
            return ~exists().where(
                other.c.stix_id == o.stix_id, order, objects.visibility(org, now, other)
            )

        conditions: list[ColumnElement[bool]] = []
        if "last" in flt.versions:
            conditions.append(or_(o.is_latest.is_(True), none_visible(newer=True)))
        if "first" in flt.versions:
            conditions.append(none_visible(newer=False))
        exact = [v for v in flt.versions if v not in ("last", "first")]
        if exact:
            conditions.append(o.modified.in_(exact))
        query = query.where(or_(*conditions))
    return query


def _page(
    conn: Connection, caller: Caller, flt: Filter, resource: str, now: dt.datetime | None
) -> tuple[list[Any], bool, str | None]:
    binding = flt.binding(caller, resource)
    after = flt.added_after
    if flt.next is not None:
        position = paging.resume(caller.secret, binding, flt.next)
        after = position if after is None else max(after, position)
    now = now or dt.datetime.now(dt.UTC)
    query = _filtered(objects.visible(caller.org, now=now), flt, caller.org, now)
    if after is not None:
        query = query.where(taxii_objects.c.added_us > after)
    rows = list(conn.execute(query.order_by(taxii_objects.c.added_us).limit(flt.limit + 1)))
    more = len(rows) > flt.limit
    rows = rows[: flt.limit]
    token = paging.issue(caller.secret, binding, rows[-1].added_us) if more else None
    return rows, more, token


def _range_headers(rows: Sequence[Any]) -> dict[str, str]:
    if not rows:
        return {}
    return {
        "X-TAXII-Date-Added-First": objects.format_timestamp(rows[0].added_us),
        "X-TAXII-Date-Added-Last": objects.format_timestamp(rows[-1].added_us),
    }


def _envelope_head(more: bool, token: str | None) -> str:
    head = '{"more":' + ("true" if more else "false")
    if token is not None:
        head += ',"next":' + _json(token)
    return head


def get_objects(
    conn: Connection,
    root: str,
    collection_id: str,
    caller: Caller,
    params: Mapping[str, Sequence[str]],
    *,
    object_id: str | None = None,
    now: dt.datetime | None = None,
) -> Answer:
    """The objects resource (an envelope), or one object's versions with ``object_id``."""
    check_collection(root, collection_id)
    flt = parse_filter(params)
    if object_id is not None:
        flt = Filter(**{**flt.__dict__, "ids": (object_id,)})
    rows, more, token = _page(conn, caller, flt, "objects", now)
    if object_id is not None and not rows and flt.next is None:
        raise not_found(f"object {object_id!r}")
    head = _envelope_head(more, token)
    objects_text = ',"objects":[' + ",".join(row.body for row in rows) + "]" if rows else ""
    body = head + objects_text + "}"
    return Answer(body, headers=_range_headers(rows), audited=_audited(rows))


def _audited(rows: Sequence[Any]) -> tuple[str, ...]:
    """The served objects whose reading the audit log records (AMBER and AMBER+STRICT)."""
    return tuple(row.stix_id for row in rows if Marking(row.marking) in AUDITED_MARKINGS)


def manifest(
    conn: Connection,
    root: str,
    collection_id: str,
    caller: Caller,
    params: Mapping[str, Sequence[str]],
    *,
    now: dt.datetime | None = None,
) -> Answer:
    """The manifest resource: id, date_added, version and media type of each object."""
    check_collection(root, collection_id)
    rows, more, token = _page(conn, caller, parse_filter(params), "manifest", now)
    records = [
        {
            "id": row.stix_id,
            "date_added": objects.format_timestamp(row.added_us),
            "version": row.modified,
            "media_type": STIX_MEDIA,
        }
        for row in rows
    ]
    body: dict[str, Any] = {"more": more}
    if token is not None:
        body["next"] = token
    if records:
        body["objects"] = records
    return Answer(_json(body), headers=_range_headers(rows))


def versions(
    conn: Connection,
    root: str,
    collection_id: str,
    object_id: str,
    caller: Caller,
    params: Mapping[str, Sequence[str]],
    *,
    now: dt.datetime | None = None,
) -> Answer:
    """The versions resource of one object."""
    check_collection(root, collection_id)
    flt = parse_filter(params, default_version="all")
    flt = Filter(**{**flt.__dict__, "ids": (object_id,), "versions": ("all",)})
    rows, more, token = _page(conn, caller, flt, "versions", now)
    if not rows and flt.next is None:
        raise not_found(f"object {object_id!r}")
    body: dict[str, Any] = {"more": more, "versions": [row.modified for row in rows]}
    if token is not None:
        body["next"] = token
    return Answer(_json(body), headers=_range_headers(rows))
