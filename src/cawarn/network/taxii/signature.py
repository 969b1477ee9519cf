"""Object signatures as the network agreed them, until ``cawarn.network.signing`` is wired in.

A signed object carries a property extension holding ``key_id``, ``audience``, ``expires`` and
``signature``: Ed25519 over the RFC 8785 canonical JSON of the object with only the
``signature`` member removed. The TAXII server and the sync client call a :data:`Verifier`; the
default is :func:`verify_signature`, which refuses unsigned objects.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import uuid
from collections.abc import Callable, Collection
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from cawarn.domain import CawarnError
from cawarn.network.ids import CAWARN_NS

#: The extension this module signs with; verification finds the extension by its content.
RELEASE_EXTENSION = f"extension-definition--{uuid.uuid5(CAWARN_NS, 'extension:release')}"

#: Checks an object's signature against the sender's raw Ed25519 public key (None: unknown).
Verifier = Callable[[dict[str, Any], bytes | None], None]


class SignatureError(CawarnError):
    """An object's signature is missing, malformed or does not match."""

    exit_code = 2
    http_status = 422


def release_extension(obj: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The (name, content) of the object's release extension, if it has one."""
    for name, content in (obj.get("extensions") or {}).items():
        if isinstance(content, dict) and "signature" in content and "key_id" in content:
            return name, content
    return None


def _signed_bytes(obj: dict[str, Any], name: str) -> bytes:
    unsigned = copy.deepcopy(obj)
    del unsigned["extensions"][name]["signature"]
    return bytes(rfc8785.dumps(unsigned))


def sign(
    obj: dict[str, Any],
    key: Ed25519PrivateKey,
    *,
    key_id: str,
    audience: Collection[str],
    expires: dt.datetime | None = None,
) -> dict[str, Any]:
    """A copy of the object with the release extension and its signature."""
    signed = copy.deepcopy(obj)
    content: dict[str, Any] = {
        "extension_type": "property-extension",
        "key_id": key_id,
        "audience": sorted(audience),
    }
    if expires is not None:
        content["expires"] = expires.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    content["signature"] = ""
    signed.setdefault("extensions", {})[RELEASE_EXTENSION] = content
    signature = key.sign(_signed_bytes(signed, RELEASE_EXTENSION))
    content["signature"] = base64.b64encode(signature).decode("ascii")
    return signed


def verify_signature(obj: dict[str, Any], public_key: bytes | None) -> None:
    """Raise SignatureError unless the object is signed with the given key."""
    stix_id = obj.get("id", "the object")
    found = release_extension(obj)
    if found is None:
        raise SignatureError(f"{stix_id} is not signed; unsigned objects are refused.")
    if public_key is None:
        raise SignatureError(
            f"{stix_id} is signed but no public key is registered for its sender; "
            "add it with 'cawarn peer add ... --public-key'."
        )
    name, content = found
    try:
        signature = base64.b64decode(str(content["signature"]), validate=True)
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, _signed_bytes(obj, name))
    except (ValueError, InvalidSignature):
        raise SignatureError(
            f"The signature of {stix_id} does not match its content and sender's key."
        ) from None


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
    found = release_extension(obj)
    if found is None:
        return None, None
    content = found[1]
    audience = content.get("audience")
    expires = content.get("expires")
    when = None
    if isinstance(expires, str):
        when = dt.datetime.fromisoformat(expires.replace("Z", "+00:00"))
    return ([str(a) for a in audience] if isinstance(audience, list) else None), when
