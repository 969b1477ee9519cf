"""Release decisions in the store, on both backends: decided, signed, audited, queried, revoked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from cawarn.accounts import audit
from cawarn.domain import InputError, Marking, NotFoundError
from cawarn.domain.access import Role
from cawarn.domain.releases import ItemKind, Release, ReleaseRefusedError
from cawarn.network import trust
from cawarn.network.releases import (
    ReleasePermissionError,
    create_release,
    get_release,
    list_releases,
    released_items,
    releases_since,
    revoke_release,
)
from cawarn.network.signing import digest, verify
from tests.network.conftest import Seeded
from tests.web.conftest import NODE_ORG, NOW, OTHER_ORG, PARTNER_ORG, insert_alert

DAY = dt.timedelta(days=1)


def _release(seeded: Seeded, **changes: Any) -> Release:
    args: dict[str, Any] = {
        "kind": ItemKind.EVENT,
        "item_id": seeded.node.event_uids[(NODE_ORG, Marking.AMBER)],
        "orgs": [PARTNER_ORG],
        "groups": [],
        "marking": Marking.AMBER,
        "expires_at": NOW + 30 * DAY,
        "officer": seeded.user(),
        "key": seeded.key,
        "node_org": NODE_ORG,
        "now": NOW,
    }
    args.update(changes)
    with seeded.engine.begin() as conn:
        return create_release(conn, **args)


def test_a_decision_is_signed_recorded_and_audited(seeded: Seeded) -> None:
    release = _release(seeded)
    assert release.audience == (PARTNER_ORG,)
    assert (release.decided_by, release.key_id) == ("node.releasing-officer", seeded.key.key_id)
    assert release.decided_at == NOW
    verify(release.record(), release.signature, seeded.key.public)
    with seeded.engine.connect() as conn:
        rows = audit.list_rows(conn, action="release.create")
        assert audit.verify_chain(conn) is None
    assert len(rows) == 1
    details = rows[0]["details"]
    assert rows[0]["object_id"] == str(release.id) and rows[0]["marking"] == "TLP:AMBER"
    assert details["record_sha256"] == digest(release.record())
    assert (details["signature"], details["key_id"]) == (release.signature, release.key_id)


def test_released_items_follow_audience_expiry_and_revocation(seeded: Seeded) -> None:
    release = _release(seeded)
    with seeded.engine.connect() as conn:
        assert [r.id for r in released_items(conn, PARTNER_ORG, NOW)] == [release.id]
        assert released_items(conn, OTHER_ORG, NOW) == []
        assert released_items(conn, PARTNER_ORG, NOW + 30 * DAY) == [], "expired"
    with seeded.engine.begin() as conn:
        revoked = revoke_release(
            conn, release.id, officer=seeded.user(), key=seeded.key, now=NOW + DAY
        )
    assert revoked.revoked_by == "node.releasing-officer"
    assert revoked.revocation_signature
    verify(revoked.revocation_record(), revoked.revocation_signature, seeded.key.public)
    with seeded.engine.connect() as conn:
        assert released_items(conn, PARTNER_ORG, NOW) == []
        assert [r.id for r in releases_since(conn, 0)] == [release.id], "revoked ones too"
        assert releases_since(conn, release.id) == []
    with seeded.engine.begin() as conn, pytest.raises(ReleaseRefusedError, match="already"):
        revoke_release(conn, release.id, officer=seeded.user(), key=seeded.key, now=NOW)


def test_a_trust_group_is_expanded_when_deciding(seeded: Seeded) -> None:
    with seeded.engine.begin() as conn:
        trust.create_group(conn, "CA", [PARTNER_ORG], actor=audit.CLI, now=NOW)
    release = _release(seeded, orgs=[], groups=["CA"])
    assert (release.audience, release.audience_groups) == ((PARTNER_ORG,), ("CA",))
    with seeded.engine.begin() as conn:
        members = trust.add_members(conn, "CA", [OTHER_ORG], actor=audit.CLI)
        assert members == sorted([PARTNER_ORG, OTHER_ORG])
    with seeded.engine.connect() as conn:
        # The group grew later; the release does not.
        assert get_release(conn, release.id).audience == (PARTNER_ORG,)
        assert released_items(conn, OTHER_ORG, NOW) == []


def test_trust_groups_refuse_unknown_organisations_and_names(seeded: Seeded) -> None:
    with seeded.engine.begin() as conn:
        with pytest.raises(InputError, match="no organisation 'NOPE'"):
            trust.create_group(conn, "CA", ["NOPE"], actor=audit.CLI)
        with pytest.raises(InputError, match="at least one"):
            trust.create_group(conn, "CA", [], actor=audit.CLI)
        with pytest.raises(InputError, match="not usable"):
            trust.create_group(conn, "two words", [PARTNER_ORG], actor=audit.CLI)
        with pytest.raises(NotFoundError, match="no trust group"):
            trust.add_members(conn, "CA", [PARTNER_ORG], actor=audit.CLI)
        trust.create_group(conn, "CA", [PARTNER_ORG, OTHER_ORG], actor=audit.CLI)
        with pytest.raises(InputError, match="already exists"):
            trust.create_group(conn, "CA", [PARTNER_ORG], actor=audit.CLI)
        assert trust.group_members(conn) == {"CA": sorted([PARTNER_ORG, OTHER_ORG])}


def test_only_a_releasing_officer_of_the_owner_decides(seeded: Seeded) -> None:
    with pytest.raises(ReleasePermissionError, match="not an active releasing officer"):
        _release(seeded, officer=seeded.user(role=Role.ANALYST))
    # The partner's officer does not see the node's event at all.
    with pytest.raises(NotFoundError, match="no event"):
        _release(seeded, officer=seeded.user(PARTNER_ORG), orgs=[NODE_ORG])
    with pytest.raises(NotFoundError, match="no event"):
        _release(seeded, item_id="00000000-0000-4000-8000-000000000000")
    with pytest.raises(NotFoundError, match="no event"):
        _release(seeded, item_id="bad\x00id")  # PostgreSQL text cannot even hold it
    release = _release(seeded)
    with seeded.engine.begin() as conn, pytest.raises(NotFoundError, match="no release"):
        revoke_release(conn, release.id, officer=seeded.user(PARTNER_ORG), key=seeded.key)


def test_the_domain_rules_are_enforced_in_the_store(seeded: Seeded) -> None:
    with pytest.raises(ReleaseRefusedError, match="lower marking"):
        _release(seeded, marking=Marking.GREEN)
    red = seeded.node.event_uids[(NODE_ORG, Marking.RED)]
    with seeded.engine.begin() as conn:
        trust.create_group(conn, "CA", [PARTNER_ORG], actor=audit.CLI)
    with pytest.raises(ReleaseRefusedError, match="never leaves its organisation"):
        _release(seeded, item_id=red, marking=Marking.RED, groups=["CA"])
    with pytest.raises(ReleaseRefusedError, match="audience is empty"):
        _release(seeded, orgs=[" "])
    with pytest.raises(ReleaseRefusedError, match="not in the future"):
        _release(seeded, expires_at=NOW - DAY)
    with seeded.engine.connect() as conn:
        assert list_releases(conn) == []
        assert audit.list_rows(conn, action="release.create") == []


def test_alerts_are_marked_as_their_most_restricted_evidence(seeded: Seeded) -> None:
    red = seeded.node.event_uids[(NODE_ORG, Marking.RED)]
    green = seeded.node.event_uids[(NODE_ORG, Marking.GREEN)]
    with seeded.engine.begin() as conn:
        alert_id = insert_alert(conn, NODE_ORG, event_uids=(green, red))
    with pytest.raises(ReleaseRefusedError, match="marked TLP:RED"):
        _release(seeded, kind=ItemKind.ALERT, item_id=str(alert_id), marking=Marking.AMBER)
    # Its RED evidence keeps the alert in its organisation.
    with pytest.raises(ReleaseRefusedError, match="never leaves its organisation"):
        _release(seeded, kind=ItemKind.ALERT, item_id=str(alert_id), marking=Marking.RED)
    # Its assessment is not written yet.
    with pytest.raises(InputError, match="no written assessment"):
        _release(seeded, kind=ItemKind.ASSESSMENT, item_id=str(alert_id), marking=Marking.RED)


def test_an_assessment_is_released_once_written(seeded: Seeded) -> None:
    from cawarn.domain.alerts import AlertState

    with seeded.engine.begin() as conn:
        alert_id = insert_alert(conn, NODE_ORG, state=AlertState.ASSESSED)
    release = _release(seeded, kind=ItemKind.ASSESSMENT, item_id=str(alert_id))
    with seeded.engine.connect() as conn:
        assert list_releases(conn, item_kind=ItemKind.ASSESSMENT) == [release]
        assert list_releases(conn, owner_org=PARTNER_ORG) == []


def test_a_report_is_released_only_as_an_approved_one(seeded: Seeded) -> None:
    with pytest.raises(NotFoundError, match="no report '1'"):
        _release(seeded, kind=ItemKind.REPORT, item_id="1")


def test_a_received_marking_is_never_lowered(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cawarn.network import items

    def received(conn: sa.Connection, kind: ItemKind, item_id: str) -> Marking | None:
        return Marking.AMBER_STRICT

    monkeypatch.setattr(items, "RECEIVED_MARKINGS", [received])
    with pytest.raises(ReleaseRefusedError, match="re-share"):
        _release(seeded)
    assert _release(seeded, marking=Marking.AMBER_STRICT).marking is Marking.AMBER_STRICT
