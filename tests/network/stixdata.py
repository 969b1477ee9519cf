"""STIX objects and node setups for the network tests: fixed ids, fixed times, real signatures."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from cawarn.accounts import audit
from cawarn.accounts.apikeys import create_key
from cawarn.accounts.directory import create_organisation, create_user
from cawarn.domain.access import OrgKind, Role
from cawarn.domain.events import Marking
from cawarn.network import objects
from cawarn.network.peers import add_peer
from cawarn.network.signing import sign_object
from cawarn.network.stix.ids import identity_id, timestamp
from cawarn.network.taxii.writes import TLP_IDS

KAZ, KGZ, UN = "KAZ-CTC", "KGZ-NCTC", "UN-RCCA"
TEST_NS = uuid.UUID("0c6f3f65-3a47-4b55-9a3c-7d1c3e1f0a11")
CREATED = "2026-11-01T10:00:00.000Z"
TLP = {marking: ref for ref, marking in TLP_IDS.items()}


def private_key(org: str) -> Ed25519PrivateKey:
    """A fixed Ed25519 key per organisation (deterministic tests)."""
    seed = uuid.uuid5(TEST_NS, "key:" + org).bytes * 2
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_b64(org: str) -> str:
    """The organisation's public key, base64 of the raw 32 bytes."""
    raw = private_key(org).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def stix_id(kind: str, name: str) -> str:
    """A fixed STIX id."""
    return f"{kind}--{uuid.uuid5(TEST_NS, kind + ':' + name)}"


def location(
    name: str, org: str, marking: Marking, *, lat: float = 41.3, lon: float = 69.2
) -> dict[str, Any]:
    """A STIX location created by the organisation."""
    return {
        "type": "location",
        "spec_version": "2.1",
        "id": stix_id("location", name),
        "created": CREATED,
        "modified": CREATED,
        "created_by_ref": identity_id(org),
        "latitude": lat,
        "longitude": lon,
        "object_marking_refs": [TLP[marking]],
    }


def incident(name: str, org: str, marking: Marking, *, modified: str = CREATED) -> dict[str, Any]:
    """A STIX incident created by the organisation."""
    return {
        "type": "incident",
        "spec_version": "2.1",
        "id": stix_id("incident", name),
        "created": CREATED,
        "modified": modified,
        "created_by_ref": identity_id(org),
        "name": f"Armed clash {name}",
        "object_marking_refs": [TLP[marking]],
    }


def located_at(
    incident_: dict[str, Any], location_id: str, org: str, marking: Marking
) -> dict[str, Any]:
    """A relationship incident -> located-at -> location."""
    return {
        "type": "relationship",
        "spec_version": "2.1",
        "id": stix_id("relationship", incident_["id"] + location_id),
        "created": CREATED,
        "modified": CREATED,
        "created_by_ref": identity_id(org),
        "relationship_type": "located-at",
        "source_ref": incident_["id"],
        "target_ref": location_id,
        "object_marking_refs": [TLP[marking]],
    }


def signed(
    obj: dict[str, Any], org: str, audience: list[str], expires: dt.datetime | None = None
) -> dict[str, Any]:
    """The object signed with the organisation's key, releasing it to the audience."""
    return sign_object(
        obj, private_key(org), audience=audience, expires=timestamp(expires) if expires else None
    )


def release(
    conn: sa.Connection,
    obj: dict[str, Any],
    org: str,
    audience: list[str],
    marking: Marking,
    *,
    expires: dt.datetime | None = None,
) -> dict[str, Any]:
    """Sign and store a local object as the release wiring will; returns the signed object."""
    done = signed(obj, org, audience, expires)
    objects.put(
        conn,
        done,
        audience=audience,
        marking=marking,
        origin=objects.LOCAL_ORIGIN,
        expires_at=expires,
    )
    return done


@dataclass
class NodeSetup:
    """A node's organisations, its peer accounts' keys, and the peers it registered."""

    org: str
    keys: dict[str, str] = field(default_factory=dict)  # peer org -> API key on this node


def setup_node(
    conn: sa.Connection,
    org: str,
    partners: list[str],
    *,
    register_peers: dict[str, str] | None = None,
) -> NodeSetup:
    """Organisations, a peer_node account (with an API key) per partner, and registered peers.

    ``register_peers`` maps a partner org to its TAXII URL, for the peers this node syncs with;
    every partner's public key is registered so its objects verify.
    """
    setup = NodeSetup(org)
    kinds = {UN: OrgKind.UN}
    for code in [org, *partners]:
        create_organisation(
            conn, code, f"Centre {code}", kinds.get(code, OrgKind.STATE), actor=audit.CLI
        )
    for partner in partners:
        user = f"node.{partner.lower()}"
        create_user(
            conn, user, partner, Role.PEER_NODE, "correct horse battery staple 1", actor=audit.CLI
        )
        setup.keys[partner], _ = create_key(
            conn, user, read_only=False, lifetime=None, actor=audit.CLI
        )
    for partner in partners:
        url = (register_peers or {}).get(partner, "http://unused.invalid/taxii2/")
        add_peer(
            conn,
            partner.lower(),
            url=url,
            org=partner,
            username=f"node.{org.lower()}",
            key_env=f"KEY_{org.replace('-', '_')}_AT_{partner.replace('-', '_')}",
            public_key=public_key_b64(partner),
            allow_http=True,
        )
    return setup
