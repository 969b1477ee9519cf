"""TAXII 2.1 writes: POST objects (answered with a status resource), DELETE, GET status.

Every posted object passes the same checks before it is stored, and one that fails is reported
in the status resource with its reason and kept in quarantine: valid STIX 2.1, no reference that
points nowhere, created by the posting peer's own organisation, a TLP 2.0 marking never lower than
the one held, and a signature made with the peer's registered key.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Connection, select

from cawarn.domain import CawarnError
from cawarn.domain.events import Marking
from cawarn.network import objects
from cawarn.network.stix.ids import identity_id
from cawarn.network.taxii.errors import TaxiiError, not_found
from cawarn.network.taxii.reads import (
    MAX_CONTENT_LENGTH,
    Answer,
    Caller,
    check_collection,
    parse_filter,
)
from cawarn.network.taxii.signature import Verifier, release_terms, verify_signature
from cawarn.network.taxii.validate import validate_stix
from cawarn.store.schema_taxii import peers, taxii_objects, taxii_quarantine, taxii_statuses

#: The TLP 2.0 marking definitions (OASIS), by id.
TLP_IDS = {
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": Marking.CLEAR,
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": Marking.GREEN,
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": Marking.AMBER,
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": Marking.AMBER_STRICT,
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": Marking.RED,
}
#: Checks an object as STIX 2.1; returns the problems found (empty when valid).
Validator = Callable[[dict[str, Any]], list[str]]


class RejectedError(CawarnError):
    """One posted object fails a check."""


def _refs(value: Any, key: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _refs(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item, key)
    elif isinstance(value, str) and (key.endswith("_ref") or key.endswith("_refs")):
        yield value


def object_marking(obj: dict[str, Any]) -> Marking:
    """The TLP 2.0 marking of an object (the most restricted, if it has several)."""
    markings = [TLP_IDS[ref] for ref in obj.get("object_marking_refs", []) if ref in TLP_IDS]
    if not markings:
        raise RejectedError(
            f"{obj.get('id')} has no TLP 2.0 marking; every shared object needs one."
        )
    return max(markings, key=objects.marking_rank)


def check_object(
    conn: Connection,
    obj: dict[str, Any],
    *,
    sender_org: str,
    known_ids: set[str],
    public_key: bytes | None,
    validator: Validator,
    verifier: Verifier,
) -> Marking:
    """Every check of one received object; a CawarnError names the first that fails."""
    stix_id = obj.get("id")
    if not isinstance(stix_id, str) or "--" not in stix_id:
        raise RejectedError("An object without a STIX id cannot be taken.")
    problems = validator(obj)
    if problems:
        raise RejectedError(f"{stix_id} is not valid STIX 2.1: {problems[0]}")
    sender = identity_id(sender_org)
    if obj.get("created_by_ref") != sender and stix_id != sender:
        raise RejectedError(
            f"{stix_id} was not created by the sending organisation {sender_org} "
            f"(created_by_ref must be {sender})."
        )
    marking = object_marking(obj)
    for ref in _refs({k: v for k, v in obj.items() if k != "object_marking_refs"}):
        if ref == sender or ref in known_ids or ref in TLP_IDS:
            continue
        if conn.execute(
            select(taxii_objects.c.id).where(taxii_objects.c.stix_id == ref).limit(1)
        ).first():
            continue
        raise RejectedError(
            f"{stix_id} refers to {ref}, which is neither sent with it nor held here."
        )
    verifier(obj, public_key)
    held = objects.held_marking(conn, stix_id)
    if held is not None and objects.marking_rank(marking) < objects.marking_rank(held):
        raise RejectedError(f"{stix_id} is held as {held.value}; its marking may not be lowered.")
    return marking


def take(
    conn: Connection,
    obj: dict[str, Any],
    *,
    sender_org: str,
    origin: str,
    node_org: str,
    known_ids: set[str],
    public_key: bytes | None,
    validator: Validator,
    verifier: Verifier,
) -> bool:
    """Check and store one received object; True if its version is new. Raises if refused."""
    if obj.get("type") == "marking-definition" and obj.get("id") in TLP_IDS:
        return False  # the TLP 2.0 definitions are known to every node
    marking = check_object(
        conn,
        obj,
        sender_org=sender_org,
        known_ids=known_ids,
        public_key=public_key,
        validator=validator,
        verifier=verifier,
    )
    audience, expires = release_terms(obj)
    return objects.put(
        conn,
        obj,
        audience=audience if audience is not None else [node_org],
        marking=marking,
        origin=origin,
        expires_at=expires,
    )


def quarantine(conn: Connection, origin: str, obj: Any, reason: str) -> None:
    """Keep a refused object with the reason."""
    stix_id = obj.get("id") if isinstance(obj, dict) else None
    conn.execute(
        taxii_quarantine.insert().values(
            received_at=dt.datetime.now(dt.UTC),
            origin=origin,
            stix_id=str(stix_id)[:120] if stix_id else None,
            reason=reason,
            body=json.dumps(obj, ensure_ascii=False),
        )
    )


def peer_of(conn: Connection, org: str) -> tuple[str, bytes | None]:
    """The label (else the organisation code) and public key this node holds for a peer org."""
    from cawarn.network.taxii.signature import public_key_bytes

    row = conn.execute(select(peers).where(peers.c.org == org).order_by(peers.c.id)).first()
    if row is None:
        return org, None
    return row.label, public_key_bytes(row.public_key) if row.public_key else None


def post_objects(
    conn: Connection,
    root: str,
    collection_id: str,
    caller: Caller,
    body: bytes,
    *,
    node_org: str,
    validator: Validator = validate_stix,
    verifier: Verifier = verify_signature,
) -> Answer:
    """Take an envelope of objects; answers 202 with a status resource."""
    check_collection(root, collection_id)
    if not caller.may_write:
        raise TaxiiError(403, "This peer may read but not write; its API key is read-only.")
    if len(body) > MAX_CONTENT_LENGTH:
        raise TaxiiError(413, f"The request is larger than {MAX_CONTENT_LENGTH} bytes.")
    try:
        envelope = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise TaxiiError(400, "The request body is not JSON.") from None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("objects"), list):
        raise TaxiiError(400, "The request body is not a TAXII envelope with 'objects'.")
    items: list[Any] = envelope["objects"]
    origin, public_key = peer_of(conn, caller.org)
    known = {str(o.get("id")) for o in items if isinstance(o, dict)}
    successes, failures = [], []
    for obj in items:
        version = obj.get("modified") or obj.get("created") if isinstance(obj, dict) else None
        record = {"id": obj.get("id") if isinstance(obj, dict) else None, "version": version}
        try:
            if not isinstance(obj, dict):
                raise RejectedError("An envelope entry is not a JSON object.")
            # Every check comes before the one write (put), so a refusal leaves nothing behind.
            take(
                conn,
                obj,
                sender_org=caller.org,
                origin=origin,
                node_org=node_org,
                known_ids=known,
                public_key=public_key,
                validator=validator,
                verifier=verifier,
            )
            successes.append(record)
        except CawarnError as err:
            failures.append({**record, "message": err.message})
            quarantine(conn, origin, obj, err.message)
    now = dt.datetime.now(dt.UTC)
    status = {
        "id": str(uuid.uuid4()),
        "status": "complete",
        "request_timestamp": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "total_count": len(items),
        "success_count": len(successes),
        "successes": successes,
        "failure_count": len(failures),
        "failures": failures,
        "pending_count": 0,
    }
    conn.execute(
        taxii_statuses.insert().values(id=status["id"], org=caller.org, created_at=now, body=status)
    )
    return Answer(objects.encode(status), status=202)


def get_status(conn: Connection, root: str, status_id: str, caller: Caller) -> Answer:
    """A status resource, for the peer that posted it only."""
    if root != "cawarn":
        raise not_found(f"API root {root!r}")
    row = conn.execute(
        select(taxii_statuses).where(
            taxii_statuses.c.id == status_id, taxii_statuses.c.org == caller.org
        )
    ).first()
    if row is None:
        raise not_found(f"status {status_id!r}")
    return Answer(objects.encode(row.body))


def delete_object(
    conn: Connection,
    root: str,
    collection_id: str,
    object_id: str,
    caller: Caller,
    params: dict[str, list[str]],
) -> Answer:
    """Withdraw an object (its versions matching match[version], default all) for its creator.

    A peer that may see the object but did not create it gets 403; one that may not see it, 404.
    """
    check_collection(root, collection_id)
    flt = parse_filter(params, default_version="all")
    visible = list(
        conn.execute(objects.visible(caller.org).where(taxii_objects.c.stix_id == object_id))
    )
    if not visible:
        raise not_found(f"object {object_id!r}")
    if not caller.may_write or any(row.created_by != identity_id(caller.org) for row in visible):
        raise TaxiiError(403, "Only the organisation that created an object may delete it.")
    query = taxii_objects.update().where(taxii_objects.c.stix_id == object_id)
    if "all" not in flt.versions:
        exact = [v for v in flt.versions if v not in ("first", "last")]
        query = query.where(taxii_objects.c.modified.in_(exact))
    conn.execute(query.values(revoked=True))
    return Answer("")
