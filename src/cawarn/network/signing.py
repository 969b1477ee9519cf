"""Signatures: Ed25519 over RFC 8785 canonical JSON, for release decisions and STIX objects.

RFC 8785 (the JSON Canonicalization Scheme) fixes one byte string per JSON value: members
sorted by their UTF-16 code units, numbers written as ECMAScript writes them, strings with the
fewest escapes. Signing those bytes, not the text that travelled, lets any node check a
signature after the object was parsed and written out again by other software.

A STIX object carries its signature in the cawarn release property extension, with the key id,
the audience and the expiry; the signature covers the whole object with only the extension's
``signature`` member removed, so neither the content nor the audience can change unnoticed.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import uuid
from collections.abc import Collection, Mapping
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from cawarn.domain import CawarnError
from cawarn.network.stix.ids import CAWARN_NS

#: The cawarn release property extension: its STIX id is the key under ``extensions``.
RELEASE_EXTENSION_ID = f"extension-definition--{uuid.uuid5(CAWARN_NS, 'extension:release')}"
RELEASE_EXTENSION_VERSION = "1.0.0"
#: STIX allows the schema as a URL or as plain text; an air-gapped network has no URL to
#: offer, so the text names the JSON schema that ships with every node.
RELEASE_EXTENSION_SCHEMA = (
    "The JSON schema release-extension.json in the cawarn package (cawarn/network/), version 1.0.0."
)
#: When the extension definition was first published; fixed so every node writes the same object.
RELEASE_EXTENSION_CREATED = "2026-11-27T00:00:00.000Z"


class SignatureError(CawarnError):
    """A signature is missing, malformed, made with an unknown key, or does not match."""

    exit_code = 6
    http_status = 422


def canonical_json(value: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of a JSON value."""
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as err:
        raise SignatureError(f"The value cannot be written as canonical JSON: {err}.") from None


def digest(value: Any) -> str:
    """The sha256 (hex) of a JSON value's canonical bytes."""
    return hashlib.sha256(canonical_json(value)).hexdigest()


def raw_public_key(public_key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of a public key."""
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey) -> str:
    """A key's id: ``ed25519:`` and the first 16 hex digits of sha256 of its raw bytes."""
    return "ed25519:" + hashlib.sha256(raw_public_key(public_key)).hexdigest()[:16]


def public_key_b64(public_key: Ed25519PublicKey) -> str:
    """A public key as base64 of its raw bytes, the form a peer registers."""
    return base64.b64encode(raw_public_key(public_key)).decode("ascii")


def public_key_from_b64(text: str) -> Ed25519PublicKey:
    """Read a public key given as base64 of its 32 raw bytes."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        raise SignatureError(
            "The public key is not base64 of 32 raw Ed25519 bytes; copy it from 'cawarn node key'."
        ) from None


def sign(payload: Mapping[str, Any], key: Ed25519PrivateKey) -> str:
    """Sign a JSON object's canonical bytes; returns the signature as base64."""
    return base64.b64encode(key.sign(canonical_json(payload))).decode("ascii")


def verify(payload: Mapping[str, Any], signature: str, public_key: Ed25519PublicKey) -> None:
    """Check a base64 signature over a JSON object; SignatureError when it does not match."""
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise SignatureError("The signature is not valid base64.") from None
    try:
        public_key.verify(raw, canonical_json(payload))
    except InvalidSignature:
        raise SignatureError(
            f"The signature does not match the content (key {key_id(public_key)}): "
            "the content or the signature was changed."
        ) from None


def _signed_view(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The object as signed: without the extension's ``signature`` member.

    Only the three mappings on the way to that member are copied (nothing is changed in place),
    which keeps checking a signature cheap for large syncs.
    """
    extensions = dict(obj["extensions"])
    ext = dict(extensions[RELEASE_EXTENSION_ID])
    ext.pop("signature", None)
    extensions[RELEASE_EXTENSION_ID] = ext
    return {**obj, "extensions": extensions}


def sign_object(
    obj: Mapping[str, Any],
    key: Ed25519PrivateKey,
    *,
    audience: Collection[str] | None = None,
    expires: str | None = None,
) -> dict[str, Any]:
    """A copy of a STIX object carrying the release extension with a signature.

    The audience (organisation codes) and expiry (a STIX timestamp) are taken from the
    arguments, else from a release extension the object already has. The signature covers the
    object with only the extension's ``signature`` member removed.
    """
    signed = copy.deepcopy(dict(obj))
    extensions = signed.setdefault("extensions", {})
    previous = extensions.get(RELEASE_EXTENSION_ID, {})
    ext: dict[str, Any] = {
        "extension_type": "property-extension",
        "key_id": key_id(key.public_key()),
        "audience": sorted(audience if audience is not None else previous.get("audience", [])),
    }
    expiry = expires if expires is not None else previous.get("expires")
    if expiry is not None:
        ext["expires"] = expiry
    if not ext["audience"]:
        raise SignatureError(
            f"The object {signed.get('id')} has no audience; an empty audience is never signed."
        )
    extensions[RELEASE_EXTENSION_ID] = ext
    ext["signature"] = sign(_signed_view(signed), key)
    return signed


def verify_object(obj: Mapping[str, Any], public_keys: Mapping[str, Ed25519PublicKey]) -> None:
    """Check the release signature of a STIX object against the keys known by key id.

    Raises SignatureError naming what is wrong: no extension, no signature, an unknown key, or
    a signature that does not match.
    """
    name = obj.get("id", "the object")
    extensions = obj.get("extensions")
    ext = extensions.get(RELEASE_EXTENSION_ID) if isinstance(extensions, Mapping) else None
    if not isinstance(ext, Mapping):
        raise SignatureError(f"{name} carries no cawarn release extension, so no signature.")
    signature = ext.get("signature")
    if not isinstance(signature, str) or not signature:
        raise SignatureError(f"{name} has a release extension without a signature.")
    kid = ext.get("key_id")
    public_key = public_keys.get(kid) if isinstance(kid, str) else None
    if public_key is None:
        raise SignatureError(
            f"{name} is signed with the key {kid!r}, which is not registered for its sender."
        )
    try:
        verify(_signed_view(obj), signature, public_key)
    except SignatureError as err:
        raise SignatureError(f"{name}: {err}") from None


def extension_definition(identity_ref: str) -> dict[str, Any]:
    """The STIX 2.1 extension-definition of the release extension, created by this node."""
    return {
        "type": "extension-definition",
        "spec_version": "2.1",
        "id": RELEASE_EXTENSION_ID,
        "created_by_ref": identity_ref,
        "created": RELEASE_EXTENSION_CREATED,
        "modified": RELEASE_EXTENSION_CREATED,
        "name": "cawarn release",
        "description": (
            "A releasing officer's decision on a shared object: its audience (organisation "
            "codes), its expiry, and an Ed25519 signature over the RFC 8785 canonical JSON of "
            "the object without the signature member."
        ),
        "schema": RELEASE_EXTENSION_SCHEMA,
        "version": RELEASE_EXTENSION_VERSION,
        "extension_types": ["property-extension"],
    }
