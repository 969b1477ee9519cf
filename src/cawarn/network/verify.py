"""``cawarn audit verify``: the audit chain and every release signature, to the first broken link.

Three checks, in this order, each stopping at its first failure:

1. the audit chain: each row's hash matches its content ("hash mismatch") and its prev_hash is
   the hash of the row before it ("missing row": a row was removed or put out of order);
2. each release decision and revocation: its signature verifies against a key the node holds or
   held ("bad signature"), and the audit row that recorded it carries the sha256 of the same
   signed record ("hash mismatch");
3. each release the audit log recorded still exists ("missing row").

The chain cannot show that rows were cut off its end; an operator who notes the head hash
printed by a run can check later that it is still in the chain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, select

from cawarn.accounts.audit import GENESIS, iter_rows, row_hash
from cawarn.domain.releases import Release
from cawarn.network.releases import to_release
from cawarn.network.signing import SignatureError, digest, verify
from cawarn.store.schema_network import releases


@dataclass(frozen=True, slots=True)
class Break:
    """The first broken link: which table and row, and what broke."""

    table: str
    row_id: int
    what: str  # "hash mismatch" | "missing row" | "bad signature"
    detail: str

    def __str__(self) -> str:
        return f"{self.table} row {self.row_id}: {self.what}: {self.detail}"


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a verification found."""

    audit_rows: int
    releases: int
    revocations: int
    keys: int
    head_hash: str
    broken: Break | None

    @property
    def ok(self) -> bool:
        """Whether everything holds."""
        return self.broken is None


def _chain(
    conn: Connection,
) -> tuple[int, str, dict[tuple[str, str], dict[str, Any]], Break | None]:
    """Walk the chain; returns row count, head hash, release audit rows, first break."""
    previous = GENESIS
    count = 0
    recorded: dict[tuple[str, str], dict[str, Any]] = {}
    for row in iter_rows(conn):
        count += 1
        if row_hash(row) != row["hash"]:
            detail = "its content does not give its stored hash (the row was changed)"
            return count, previous, recorded, Break("audit_log", row["id"], "hash mismatch", detail)
        if row["prev_hash"] != previous:
            detail = "its prev_hash is not the hash of the row before it (a row was removed)"
            return count, previous, recorded, Break("audit_log", row["id"], "missing row", detail)
        if row["action"] in ("release.create", "release.revoke") and row["object_id"]:
            recorded[(row["action"], row["object_id"])] = row
        previous = row["hash"]
    return count, previous, recorded, None


def _check_signed(
    release: Release,
    record: dict[str, Any],
    signature: str | None,
    key_id: str | None,
    keys: Mapping[str, Ed25519PublicKey],
    audit_row: dict[str, Any] | None,
    what: str,
) -> Break | None:
    key = keys.get(key_id or "")
    if key is None:
        return Break(
            "releases",
            release.id,
            "bad signature",
            f"the {what} is signed with {key_id!r}, a key this node never held",
        )
    try:
        verify(record, signature or "", key)
    except SignatureError:
        return Break(
            "releases",
            release.id,
            "bad signature",
            f"the {what} signature ({key_id}) does not match the row (the row was changed)",
        )
    if audit_row is None:
        return Break("releases", release.id, "missing row", f"no audit row records the {what}")
    if audit_row["details"].get("record_sha256") != digest(record):
        return Break(
            "releases",
            release.id,
            "hash mismatch",
            f"the {what} differs from what audit row {audit_row['id']} recorded",
        )
    return None


def verify_store(conn: Connection, keys: Mapping[str, Ed25519PublicKey]) -> Verdict:
    """Check the audit chain and every release signature against the node's keys."""
    count, head, recorded, broken = _chain(conn)
    n_releases = n_revocations = 0
    seen: set[str] = set()
    if broken is None:
        for row in conn.execute(select(releases).order_by(releases.c.id)).mappings():
            release = to_release(row)
            seen.add(str(release.id))
            n_releases += 1
            broken = _check_signed(
                release,
                release.record(),
                release.signature,
                release.key_id,
                keys,
                recorded.get(("release.create", str(release.id))),
                "decision",
            )
            if broken is None and release.revoked_at is not None:
                n_revocations += 1
                broken = _check_signed(
                    release,
                    release.revocation_record(),
                    release.revocation_signature,
                    release.revocation_key_id,
                    keys,
                    recorded.get(("release.revoke", str(release.id))),
                    "revocation",
                )
            elif broken is None and ("release.revoke", str(release.id)) in recorded:
                audit_id = recorded[("release.revoke", str(release.id))]["id"]
                broken = Break(
                    "releases",
                    release.id,
                    "missing row",
                    f"audit row {audit_id} records its revocation, but the row shows none",
                )
            if broken is not None:
                break
    if broken is None:
        for (action, object_id), entry in sorted(recorded.items(), key=lambda kv: kv[1]["id"]):
            if action == "release.create" and object_id not in seen:
                broken = Break(
                    "audit_log",
                    entry["id"],
                    "missing row",
                    f"it records release {object_id}, which is no longer in the releases table",
                )
                break
    return Verdict(count, n_releases, n_revocations, len(keys), head, broken)
