"""Release rules: each refusal, and what a valid decision records."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cawarn.domain import InputError, Marking
from cawarn.domain.releases import (
    Item,
    ItemKind,
    Release,
    ReleaseRefusedError,
    check_decision,
    check_revocation,
    expand_audience,
)

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
AMBER_EVENT = Item(ItemKind.EVENT, "uid-1", "TJK-CTC", Marking.AMBER)


def _check(item: Item = AMBER_EVENT, **changes: Any) -> None:
    args: dict[str, Any] = {
        "marking": Marking.AMBER,
        "orgs": ["KGZ-NCTC"],
        "groups": [],
        "audience": ["KGZ-NCTC"],
        "expires_at": NOW + dt.timedelta(days=30),
        "now": NOW,
    }
    args.update(changes)
    check_decision(item, **args)


def test_a_valid_decision_passes() -> None:
    _check()
    _check(marking=Marking.AMBER_STRICT)  # raising the marking is allowed
    _check(marking=Marking.AMBER_STRICT, groups=["CA5"], orgs=[], expires_at=None)


@pytest.mark.parametrize("lower", [Marking.CLEAR, Marking.GREEN])
def test_the_marking_is_never_lowered_below_the_items(lower: Marking) -> None:
    with pytest.raises(ReleaseRefusedError, match="lower marking"):
        _check(marking=lower)


def test_a_received_marking_is_never_lowered_on_reshare() -> None:
    received = Item(ItemKind.EVENT, "uid-2", "TJK-CTC", Marking.GREEN, Marking.AMBER_STRICT)
    _check(received, marking=Marking.AMBER_STRICT)
    with pytest.raises(ReleaseRefusedError, match="never lowered on re-share"):
        _check(received, marking=Marking.AMBER)


def test_red_never_leaves_its_organisation() -> None:
    red = Item(ItemKind.ALERT, "7", "TJK-CTC", Marking.RED)
    with pytest.raises(ReleaseRefusedError, match="never leaves its organisation"):
        _check(red, marking=Marking.RED)
    with pytest.raises(ReleaseRefusedError, match="never leaves its organisation"):
        _check(marking=Marking.RED, groups=["CA5"], audience=["KGZ-NCTC", "KAZ-ATC"])


def test_an_empty_audience_is_refused() -> None:
    with pytest.raises(ReleaseRefusedError, match="audience is empty"):
        _check(orgs=[], audience=[])
    # A trust group without members gives an empty audience too: it must not broadcast.
    with pytest.raises(ReleaseRefusedError, match="audience is empty"):
        _check(orgs=[], groups=["EMPTY"], audience=[])


def test_the_owner_alone_is_no_audience() -> None:
    with pytest.raises(ReleaseRefusedError, match="owns the item"):
        _check(orgs=["TJK-CTC"], audience=["TJK-CTC"])


@pytest.mark.parametrize("delta", [dt.timedelta(0), dt.timedelta(days=-1)])
def test_the_expiry_lies_in_the_future(delta: dt.timedelta) -> None:
    with pytest.raises(ReleaseRefusedError, match="not in the future"):
        _check(expires_at=NOW + delta)


def test_expand_audience_unions_and_refuses_unknown_names() -> None:
    groups = {"CA5": ["KGZ-NCTC", "KAZ-ATC"], "UN": ["UNRCCA"]}
    known = ["KGZ-NCTC", "KAZ-ATC", "UNRCCA", "TJK-CTC"]
    assert expand_audience(["UNRCCA", "KGZ-NCTC"], ["CA5"], groups, known) == (
        "KAZ-ATC",
        "KGZ-NCTC",
        "UNRCCA",
    )
    with pytest.raises(ReleaseRefusedError, match="no organisation 'NOPE'"):
        expand_audience(["NOPE"], [], groups, known)
    with pytest.raises(ReleaseRefusedError, match="no trust group 'G7'"):
        expand_audience([], ["G7"], groups, known)
    assert issubclass(ReleaseRefusedError, InputError)


def _release(**changes: Any) -> Release:
    values: dict[str, Any] = {
        "id": 1,
        "item_kind": ItemKind.EVENT,
        "item_id": "uid-1",
        "owner_org": "TJK-CTC",
        "audience": ("KGZ-NCTC",),
        "audience_orgs": ("KGZ-NCTC",),
        "audience_groups": (),
        "marking": Marking.AMBER,
        "expires_at": NOW + dt.timedelta(days=1),
        "decided_by": "tjk.officer",
        "decided_at": NOW,
        "node_org": "TJK-CTC",
        "key_id": "ed25519:0123456789abcdef",
        "signature": "c2ln",
    }
    values.update(changes)
    return Release(**values)


def test_active_means_unrevoked_and_unexpired() -> None:
    release = _release()
    assert release.is_active(NOW)
    assert not release.is_active(NOW + dt.timedelta(days=1))
    assert _release(expires_at=None).is_active(NOW + dt.timedelta(days=9999))
    revoked = _release(revoked_at=NOW, revoked_by="x", revocation_key_id="k")
    assert not revoked.is_active(NOW)
    with pytest.raises(ReleaseRefusedError, match="already revoked"):
        check_revocation(revoked)


def test_the_record_holds_every_decided_field() -> None:
    record = _release(audience=("UNRCCA", "KGZ-NCTC")).record()
    assert record["item"] == {"kind": "event", "id": "uid-1", "owner": "TJK-CTC"}
    assert record["audience"] == ["KGZ-NCTC", "UNRCCA"]
    assert record["marking"] == "TLP:AMBER"
    assert record["expires"] == "2026-11-28T12:00:00.000000Z"
    assert record["decided_at"] == "2026-11-27T12:00:00.000000Z"
    assert (record["decided_by"], record["node_org"]) == ("tjk.officer", "TJK-CTC")
    assert record["key_id"] == "ed25519:0123456789abcdef"
    # Naive times from SQLite are UTC: the same record.
    naive = _release(decided_at=NOW.replace(tzinfo=None), audience=("KGZ-NCTC", "UNRCCA"))
    assert naive.record() == record
    with pytest.raises(ValueError, match="not revoked"):
        _release().revocation_record()
