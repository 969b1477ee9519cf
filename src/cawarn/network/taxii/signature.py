"""Object signatures as the TAXII server and the sync client check them.

A received object must carry the cawarn release extension signed with its sender's registered
Ed25519 key (:func:`cawarn.network.signing.verify_object`); unsigned objects are refused. The
server and the client take a :data:`Verifier`, so a test can pass another.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from cawarn.network.signing import RELEASE_EXTENSION_ID, SignatureError, key_id, verify_object

#: Checks an object's signature against the sender's raw Ed25519 public key (None: unknown).
Verifier = Callable[[dict[str, Any], bytes | None], None]


def verify_signature(obj: dict[str, Any], public_key: bytes | None) -> None:
    """Raise SignatureError unless the object is signed with the given key."""
    stix_id = obj.get("id", "the object")
    if RELEASE_EXTENSION_ID not in (obj.get("extensions") or {}):
        raise SignatureError(f"{stix_id} is not signed; unsigned objects are refused.")
    if public_key is None:
        raise SignatureError(
            f"{stix_id} is signed but no public key is registered for its sender; "
            "add it with 'cawarn peer add ... --public-key'."
        )
    key = Ed25519PublicKey.from_public_bytes(public_key)
    verify_object(obj, {key_id(key): key})


def public_key_bytes(text: str) -> bytes:
    """A base64 Ed25519 public key (32 bytes) as raw bytes; SignatureError if it is not one."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raise SignatureError(
            "The public key is not a base64 Ed25519 public key (32 bytes)."
        ) from None
    return raw


def release_terms(obj: dict[str, Any]) -> tuple[list[str] | None, dt.datetime | None]:
    """The audience and expiry the sender's release extension states (None where absent)."""
    content = (obj.get("extensions") or {}).get(RELEASE_EXTENSION_ID)
    if not isinstance(content, dict):
        return None, None
    audience = content.get("audience")
    expires = content.get("expires")
    when = None
    if isinstance(expires, str):
        when = dt.datetime.fromisoformat(expires.replace("Z", "+00:00"))
    return ([str(a) for a in audience] if isinstance(audience, list) else None), when
