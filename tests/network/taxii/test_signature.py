"""The interim object signatures: what verifies and what does not."""

from __future__ import annotations

import base64
import copy

import pytest

from cawarn.domain.events import Marking
from cawarn.network.taxii.signature import (
    SignatureError,
    public_key_bytes,
    release_terms,
    verify_signature,
)
from tests.network.stixdata import KAZ, KGZ, incident, public_key_b64, signed


def test_a_signed_object_verifies_and_carries_its_terms() -> None:
    obj = signed(incident("a", KAZ, Marking.AMBER), KAZ, [KGZ, "UN-RCCA"])
    verify_signature(obj, public_key_bytes(public_key_b64(KAZ)))
    assert release_terms(obj) == (["KGZ-NCTC", "UN-RCCA"], None)


@pytest.mark.parametrize("where", ["name", "audience", "signature"])
def test_any_change_breaks_the_signature(where: str) -> None:
    obj = signed(incident("a", KAZ, Marking.AMBER), KAZ, [KGZ])
    tampered = copy.deepcopy(obj)
    ext = next(iter(tampered["extensions"].values()))
    if where == "name":
        tampered["name"] = "changed"
    elif where == "audience":
        ext["audience"] = [KGZ, "UZB-NSS"]
    else:
        ext["signature"] = base64.b64encode(b"\0" * 64).decode()
    with pytest.raises(SignatureError, match=r"not registered for its sender|does not match"):
        verify_signature(tampered, public_key_bytes(public_key_b64(KAZ)))


def test_unsigned_unknown_key_and_wrong_key_are_refused() -> None:
    with pytest.raises(SignatureError, match="not signed"):
        verify_signature(incident("a", KAZ, Marking.AMBER), public_key_bytes(public_key_b64(KAZ)))
    obj = signed(incident("a", KAZ, Marking.AMBER), KAZ, [KGZ])
    with pytest.raises(SignatureError, match="no public key"):
        verify_signature(obj, None)
    with pytest.raises(SignatureError, match=r"not registered for its sender|does not match"):
        verify_signature(obj, public_key_bytes(public_key_b64(KGZ)))
    with pytest.raises(SignatureError, match="not a base64 Ed25519"):
        public_key_bytes("bm90IGEga2V5")
