"""Audit verify on both backends: a clean store holds; each kind of tampering is named."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from cawarn.accounts import audit
from cawarn.domain import Marking
from cawarn.domain.releases import ItemKind, Release
from cawarn.network import keys
from cawarn.network.releases import create_release, revoke_release
from cawarn.network.verify import Verdict, verify_store
from cawarn.store.schema_network import releases
from cawarn.store.tables import audit_log
from tests.network.conftest import Seeded
from tests.web.conftest import NODE_ORG, NOW, PARTNER_ORG

DAY = dt.timedelta(days=1)


def _decide(seeded: Seeded, key: keys.NodeKey | None = None) -> Release:
    with seeded.engine.begin() as conn:
        return create_release(
            conn,
            kind=ItemKind.EVENT,
            item_id=seeded.node.event_uids[(NODE_ORG, Marking.AMBER)],
            orgs=[PARTNER_ORG],
            groups=[],
            marking=Marking.AMBER,
            expires_at=None,
            officer=seeded.user(),
            key=key or seeded.key,
            node_org=NODE_ORG,
            now=NOW,
        )


def _verdict(seeded: Seeded) -> Verdict:
    with seeded.engine.connect() as conn:
        return verify_store(conn, keys.known_public_keys(seeded.node.settings.home))


def _audit_id(seeded: Seeded, action: str, object_id: str) -> int:
    with seeded.engine.connect() as conn:
        return int(
            conn.execute(
                sa.select(audit_log.c.id).where(
                    audit_log.c.action == action, audit_log.c.object_id == object_id
                )
            ).scalar_one()
        )


def test_a_clean_store_verifies_with_counts(seeded: Seeded) -> None:
    first = _decide(seeded)
    _decide(seeded)
    with seeded.engine.begin() as conn:
        revoke_release(conn, first.id, officer=seeded.user(), key=seeded.key, now=NOW + DAY)
    verdict = _verdict(seeded)
    assert verdict.ok, verdict.broken
    assert (verdict.releases, verdict.revocations, verdict.keys) == (2, 1, 1)
    with seeded.engine.connect() as conn:
        rows = conn.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar_one()
        head = conn.execute(sa.select(audit_log.c.hash).order_by(audit_log.c.id.desc())).first()
    assert verdict.audit_rows == rows > 3
    assert head is not None and verdict.head_hash == head[0]


def test_a_changed_audit_row_is_a_hash_mismatch_at_that_row(seeded: Seeded) -> None:
    release = _decide(seeded)
    target = _audit_id(seeded, "release.create", str(release.id))
    with seeded.engine.begin() as conn:
        conn.execute(audit_log.update().where(audit_log.c.id == target).values(marking="TLP:CLEAR"))
    broken = _verdict(seeded).broken
    assert broken is not None
    assert (broken.table, broken.row_id, broken.what) == ("audit_log", target, "hash mismatch")
    assert str(broken).startswith(f"audit_log row {target}: hash mismatch")


def test_a_removed_audit_row_is_named_at_the_row_after_it(seeded: Seeded) -> None:
    release = _decide(seeded)
    target = _audit_id(seeded, "release.create", str(release.id))
    _decide(seeded)
    with seeded.engine.begin() as conn:
        after = conn.execute(
            sa.select(sa.func.min(audit_log.c.id)).where(audit_log.c.id > target)
        ).scalar_one()
        conn.execute(audit_log.delete().where(audit_log.c.id == target))
    broken = _verdict(seeded).broken
    assert broken is not None
    assert (broken.table, broken.row_id, broken.what) == ("audit_log", after, "missing row")


def test_a_changed_release_is_a_bad_signature(seeded: Seeded) -> None:
    _decide(seeded)
    release = _decide(seeded)
    with seeded.engine.begin() as conn:
        # Widening the audience without the key: the chain is intact, the signature is not.
        conn.execute(
            releases.update()
            .where(releases.c.id == release.id)
            .values(audience=[PARTNER_ORG, "UNRCCA"])
        )
    broken = _verdict(seeded).broken
    assert broken is not None
    assert (broken.table, broken.row_id, broken.what) == ("releases", release.id, "bad signature")
    assert "decision" in broken.detail


def test_a_changed_revocation_is_a_bad_signature(seeded: Seeded) -> None:
    release = _decide(seeded)
    with seeded.engine.begin() as conn:
        revoke_release(conn, release.id, officer=seeded.user(), key=seeded.key, now=NOW + DAY)
        conn.execute(
            releases.update().where(releases.c.id == release.id).values(revoked_at=NOW + 300 * DAY)
        )
    broken = _verdict(seeded).broken
    assert broken is not None
    assert (broken.row_id, broken.what) == (release.id, "bad signature")
    assert "revocation" in broken.detail


def test_an_undone_revocation_is_a_missing_row(seeded: Seeded) -> None:
    release = _decide(seeded)
    with seeded.engine.begin() as conn:
        revoke_release(conn, release.id, officer=seeded.user(), key=seeded.key, now=NOW + DAY)
        conn.execute(
            releases.update()
            .where(releases.c.id == release.id)
            .values(
                revoked_at=None, revoked_by=None, revocation_key_id=None, revocation_signature=None
            )
        )
    broken = _verdict(seeded).broken
    assert broken is not None
    assert (broken.table, broken.row_id, broken.what) == ("releases", release.id, "missing row")


def test_a_deleted_release_is_a_missing_row(seeded: Seeded) -> None:
    release = _decide(seeded)
    with seeded.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM release_audience"))
        conn.execute(releases.delete().where(releases.c.id == release.id))
    broken = _verdict(seeded).broken
    assert broken is not None
    row = _audit_id(seeded, "release.create", str(release.id))
    assert (broken.table, broken.row_id, broken.what) == ("audit_log", row, "missing row")


def test_a_release_signed_elsewhere_does_not_verify(seeded: Seeded, tmp_path: Path) -> None:

    stranger = keys.generate(tmp_path / "stranger")
    release = _decide(seeded, key=stranger)
    broken = _verdict(seeded).broken
    assert broken is not None
    assert (broken.row_id, broken.what) == (release.id, "bad signature")
    assert "never held" in broken.detail


def test_old_signatures_verify_after_a_new_key(seeded: Seeded) -> None:
    _decide(seeded)
    new = keys.generate(seeded.node.settings.home, force=True, now=NOW)
    _decide(seeded, key=new)
    verdict = _verdict(seeded)
    assert verdict.ok, verdict.broken
    assert (verdict.releases, verdict.keys) == (2, 2)
    # Without the retired key, the first decision cannot be checked.
    with seeded.engine.connect() as conn:
        broken = verify_store(conn, {new.key_id: new.public}).broken
    assert broken is not None and broken.what == "bad signature"


def test_the_chain_of_other_rows_is_checked_too(seeded: Seeded) -> None:
    with seeded.engine.begin() as conn:
        audit.append(conn, audit.CLI, "test.action", details={"n": 1}, at=NOW)
        first = conn.execute(sa.select(sa.func.min(audit_log.c.id))).scalar_one()
        conn.execute(audit_log.update().where(audit_log.c.id == first).values(actor="someone"))
    broken = _verdict(seeded).broken
    assert broken is not None and (broken.row_id, broken.what) == (first, "hash mismatch")
