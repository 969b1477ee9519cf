"""Canonical JSON against RFC 8785's own examples; signatures round-trip and catch tampering."""

from __future__ import annotations

import base64
import json
import re
import struct
import uuid
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cawarn.domain import CawarnError
from cawarn.network.signing import (
    RELEASE_EXTENSION_ID,
    SignatureError,
    canonical_json,
    extension_definition,
    key_id,
    public_key_b64,
    public_key_from_b64,
    sign,
    sign_object,
    verify,
    verify_object,
)
from cawarn.network.stix.ids import identity_id

# RFC 8785, appendix B: IEEE 754 doubles (hex) and their canonical text.
NUMBERS = {
    "0000000000000000": "0",
    "8000000000000000": "0",  # minus zero
    "0000000000000001": "5e-324",
    "8000000000000001": "-5e-324",
    "7fefffffffffffff": "1.7976931348623157e+308",
    "4340000000000000": "9007199254740992",
    "c340000000000000": "-9007199254740992",
    "4430000000000000": "295147905179352830000",
    "44b52d02c7e14af5": "9.999999999999997e+22",
    "44b52d02c7e14af6": "1e+23",
    "44b52d02c7e14af7": "1.0000000000000001e+23",
    "444b1ae4d6e2ef4e": "999999999999999700000",
    "444b1ae4d6e2ef50": "1e+21",
    "3eb0c6f7a0b5ed8d": "0.000001",
    "3eb0c6f7a0b5ed8e": "0.0000010000000000000002",
    "41b3de4355555553": "333333333.3333332",
    "41b3de4355555554": "333333333.33333325",
    "41b3de4355555555": "333333333.3333333",
    "41b3de4355555556": "333333333.3333334",
    "becbf647612f3696": "-0.0000033333333333333333",
    "43143ff3c1cb0959": "1424953923781206.2",
}


@pytest.mark.parametrize(("bits", "text"), NUMBERS.items())
def test_numbers_are_written_as_ecmascript_writes_them(bits: str, text: str) -> None:
    value = struct.unpack(">d", bytes.fromhex(bits))[0]
    assert canonical_json(value) == text.encode()


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_numbers_json_cannot_hold_are_refused(value: float) -> None:
    with pytest.raises(SignatureError, match="canonical JSON"):
        canonical_json({"x": value})


def test_the_rfc_example_of_values_strings_and_literals() -> None:
    # RFC 8785 section 3.2.2, read from its JSON text so the escapes are the RFC's own.
    source = (
        r'{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
        r' "string": "\u20ac$\u000F\u000aA\u0027\u0042\u0022\u005c\\\"\/",'
        r' "literals": [null, true, false]}'
    )
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert canonical_json(json.loads(source)) == expected.encode("utf-8")


def test_members_are_sorted_by_utf16_code_units() -> None:
    # RFC 8785 section 3.2.3: the emoji (a surrogate pair, 0xD83D...) sorts before U+FB33,
    # although its code point is higher; sorting by code point would put it last.
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    order = [k for k in json.loads(canonical_json(value))]
    assert order == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]
    assert canonical_json(value) != json.dumps(value, sort_keys=True, ensure_ascii=False).encode()


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def test_sign_and_verify_round_trip(key: Ed25519PrivateKey) -> None:
    payload = {"b": [1, 2.5], "a": "é", "c": None}
    signature = sign(payload, key)
    assert len(base64.b64decode(signature)) == 64
    verify(payload, signature, key.public_key())
    # The member order of the text does not matter: the canonical bytes are signed.
    verify(json.loads(json.dumps(dict(reversed(payload.items())))), signature, key.public_key())


@pytest.mark.parametrize(
    "change",
    [
        lambda p: p.update(a="e"),
        lambda p: p["b"].append(3),
        lambda p: p.update(d=1),
        lambda p: p.pop("c"),
    ],
)
def test_a_changed_payload_fails(key: Ed25519PrivateKey, change: Any) -> None:
    payload: dict[str, Any] = {"b": [1, 2.5], "a": "é", "c": None}
    signature = sign(payload, key)
    change(payload)
    with pytest.raises(SignatureError, match="does not match"):
        verify(payload, signature, key.public_key())


def test_another_key_or_a_broken_signature_fails(key: Ed25519PrivateKey) -> None:
    payload = {"a": 1}
    signature = sign(payload, key)
    other = Ed25519PrivateKey.from_private_bytes(bytes(32))
    with pytest.raises(SignatureError, match="does not match"):
        verify(payload, signature, other.public_key())
    with pytest.raises(SignatureError, match="not valid base64"):
        verify(payload, "%%%", key.public_key())
    assert issubclass(SignatureError, CawarnError)


def test_key_id_and_public_key_text(key: Ed25519PrivateKey) -> None:
    kid = key_id(key.public_key())
    assert re.fullmatch(r"ed25519:[0-9a-f]{16}", kid)
    text = public_key_b64(key.public_key())
    assert key_id(public_key_from_b64(text)) == kid
    with pytest.raises(SignatureError, match="32 raw"):
        public_key_from_b64("AAAA")


INCIDENT = {
    "type": "incident",
    "spec_version": "2.1",
    "id": "incident--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
    "created": "2026-11-27T12:00:00.000Z",
    "modified": "2026-11-27T12:00:00.000Z",
    "name": "Armed clash near Khorog",
    "object_marking_refs": ["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"],
}


def test_a_signed_object_verifies_and_carries_the_decision(key: Ed25519PrivateKey) -> None:
    signed = sign_object(INCIDENT, key, audience=["KGZ-NCTC", "KAZ-ATC"], expires=None)
    ext = signed["extensions"][RELEASE_EXTENSION_ID]
    assert ext["extension_type"] == "property-extension"
    assert ext["audience"] == ["KAZ-ATC", "KGZ-NCTC"]
    assert ext["key_id"] == key_id(key.public_key())
    assert "expires" not in ext
    assert "extensions" not in INCIDENT, "the input is not changed"
    keys = {ext["key_id"]: key.public_key()}
    verify_object(signed, keys)
    # A JSON round trip (another node's parser and writer) keeps it valid.
    verify_object(json.loads(json.dumps(signed, indent=2)), keys)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda o: o.update(name="Peaceful protest"), "does not match"),
        (lambda o: o["extensions"][RELEASE_EXTENSION_ID]["audience"].append("X"), "not match"),
        (
            lambda o: o["extensions"][RELEASE_EXTENSION_ID].update(expires="2030-01-01T00:00:00Z"),
            "does not match",
        ),
        (lambda o: o["object_marking_refs"].clear(), "does not match"),
        (lambda o: o["extensions"][RELEASE_EXTENSION_ID].pop("signature"), "without a signature"),
        (lambda o: o["extensions"].pop(RELEASE_EXTENSION_ID), "no cawarn release extension"),
        (
            lambda o: o["extensions"][RELEASE_EXTENSION_ID].update(key_id="ed25519:0"),
            "not registered",
        ),
    ],
)
def test_a_tampered_object_is_refused_naming_what(
    key: Ed25519PrivateKey, change: Any, message: str
) -> None:
    signed = sign_object(INCIDENT, key, audience=["KGZ-NCTC"], expires="2027-01-01T00:00:00Z")
    change(signed)
    with pytest.raises(SignatureError, match=message) as info:
        verify_object(signed, {key_id(key.public_key()): key.public_key()})
    assert INCIDENT["id"] in str(info.value)


def test_an_object_signed_for_nobody_is_refused(key: Ed25519PrivateKey) -> None:
    with pytest.raises(SignatureError, match="empty audience"):
        sign_object(INCIDENT, key, audience=[])


def test_resigning_keeps_the_audience_of_the_extension(key: Ed25519PrivateKey) -> None:
    first = sign_object(INCIDENT, key, audience=["KGZ-NCTC"], expires="2027-01-01T00:00:00Z")
    again = sign_object(first, key)
    assert again == first


def test_the_extension_definition_is_a_stix_object_of_this_node() -> None:
    node = identity_id("KGZ-NCTC")
    namespace = uuid.UUID("6f1d3c5e-8a59-4b8e-9a1f-2c7c3b0e5d41")
    assert node == f"identity--{uuid.uuid5(namespace, 'org:KGZ-NCTC')}"
    definition = extension_definition(node)
    assert definition["id"] == RELEASE_EXTENSION_ID
    assert re.fullmatch(r"extension-definition--[0-9a-f-]{36}", definition["id"])
    uuid.UUID(definition["id"].split("--")[1])
    assert definition["created_by_ref"] == node
    assert definition["extension_types"] == ["property-extension"]
    for prop in ("spec_version", "created", "modified", "name", "schema", "version"):
        assert definition[prop], prop
    assert definition["spec_version"] == "2.1"
    assert re.fullmatch(r"\d+\.\d+\.\d+", definition["version"])
    # Every node writes the same object, so peers do not see conflicting versions of it.
    assert extension_definition(node) == definition
