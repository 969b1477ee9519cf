"""``cawarn node``, ``trust-group``, ``release`` and ``audit verify`` as an operator runs them."""

from __future__ import annotations

import re
import stat
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from cawarn.accounts import audit
from cawarn.accounts.directory import create_organisation, create_user
from cawarn.config import load_settings
from cawarn.domain import Marking
from cawarn.domain.access import OrgKind, Role
from cawarn.store.engine import create_engine_for
from cawarn.store.tables import audit_log, batches
from tests.cli.helpers import cawarn, one_sentence_error
from tests.web.conftest import NOW, cheap_argon2, insert_event

__all__ = ["cheap_argon2"]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A node home run by NODE, with a releasing officer and an AMBER event of NODE."""
    home = tmp_path / "node"
    result = cawarn(home, "init", "--organisation", "NODE")
    assert result.returncode == 0, result.stderr
    assert "Created the node key ed25519:" in result.stderr
    return home


def _seed(home: Path) -> str:
    engine = create_engine_for(load_settings(home))
    with engine.begin() as conn:
        create_organisation(conn, "NODE", "The node", OrgKind.STATE, actor=audit.CLI)
        for code in ("KGZ-NCTC", "UNRCCA"):
            create_organisation(conn, code, code, OrgKind.STATE, actor=audit.CLI)
        create_user(conn, "node.ro", "NODE", Role.RELEASING_OFFICER, "x" * 20, actor=audit.CLI)
        create_user(conn, "node.analyst", "NODE", Role.ANALYST, "x" * 20, actor=audit.CLI)
        batch = conn.execute(
            batches.insert().values(
                uid=str(uuid.uuid4()),
                source="test",
                location="t",
                status="committed",
                started_at=NOW,
            )
        ).inserted_primary_key[0]
        uid = insert_event(conn, batch, owner="NODE", marking=Marking.AMBER)
    engine.dispose()
    return uid


def test_init_makes_a_private_key_and_node_key_prints_it(home: Path) -> None:
    key_file = home / "keys" / "node.ed25519"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    shown = cawarn(home, "node", "key")
    assert shown.returncode == 0, shown.stderr
    match = re.fullmatch(
        r"key_id: (ed25519:[0-9a-f]{16})\npublic_key: ([A-Za-z0-9+/]{43}=)\n", shown.stdout
    )
    assert match, shown.stdout
    again = cawarn(home, "init")
    assert again.returncode == 0 and "Created the node key" not in again.stderr
    refused = one_sentence_error(cawarn(home, "node", "keygen"))
    assert "--force" in refused
    replaced = cawarn(home, "node", "keygen", "--force")
    assert replaced.returncode == 0, replaced.stderr
    assert match.group(1) not in cawarn(home, "node", "key").stdout
    assert len(list((home / "keys" / "retired").glob("*.pub"))) == 1


def test_release_flow_and_audit_verify(home: Path) -> None:
    uid = _seed(home)
    made = cawarn(home, "trust-group", "create", "CA", "--orgs", "KGZ-NCTC,UNRCCA")
    assert made.returncode == 0, made.stderr
    assert "KGZ-NCTC" in cawarn(home, "trust-group", "list").stdout
    created = cawarn(
        home, "release", "create", "--kind", "event", "--item", uid, "--to", "KGZ-NCTC",
        "--tlp", "amber", "--expires", "30d", "--as", "node.ro",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert created.stdout.startswith(f"Release 1: event {uid} as TLP:AMBER to KGZ-NCTC, expires")
    grouped = cawarn(
        home, "release", "create", "--item", uid, "--group", "CA", "--tlp", "AMBER+STRICT",
        "--as", "node.ro",
    )  # fmt: skip
    assert "to KGZ-NCTC, UNRCCA (groups CA)" in grouped.stdout, grouped.stderr
    listing = cawarn(home, "release", "list", env={"COLUMNS": "200"})
    assert "TLP:AMBER+STRICT" in listing.stdout and "active" in listing.stdout
    revoked = cawarn(home, "release", "revoke", "1", "--as", "node.ro")
    assert revoked.stdout.strip() == "Release 1 revoked by node.ro.", revoked.stderr
    ok = cawarn(home, "audit", "verify")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert re.match(
        r"OK: \d+ audit rows chained, 2 release decisions and 1 revocations signed \(1 node keys",
        ok.stdout,
    ), ok.stdout

    engine = create_engine_for(load_settings(home))
    with engine.begin() as conn:
        row = conn.execute(
            sa.select(audit_log.c.id).where(audit_log.c.action == "release.revoke")
        ).scalar_one()
        conn.execute(audit_log.update().where(audit_log.c.id == row).values(actor="someone"))
    engine.dispose()
    broken = cawarn(home, "audit", "verify")
    assert broken.returncode == 1
    assert broken.stdout.startswith(f"BROKEN: audit_log row {row}: hash mismatch"), broken.stdout


REFUSALS = [
    (["--tlp", "green", "--to", "KGZ-NCTC", "--as", "node.ro"], "lower marking"),
    (["--tlp", "red", "--group", "CA", "--as", "node.ro"], "never leaves its organisation"),
    (["--tlp", "amber", "--as", "node.ro"], "audience is empty"),
    (["--tlp", "amber", "--to", "KGZ-NCTC", "--as", "node.analyst"], "not an active releasing"),
    (["--tlp", "purple", "--to", "KGZ-NCTC", "--as", "node.ro"], "not a TLP 2.0 marking"),
    (["--tlp", "amber", "--to", "NOPE", "--as", "node.ro"], "no organisation 'NOPE'"),
    (
        ["--tlp", "amber", "--to", "KGZ-NCTC", "--expires", "soon", "--as", "node.ro"],
        "expiry 'soon'",
    ),
    (
        ["--tlp", "amber", "--to", "KGZ-NCTC", "--expires", "2020-01-01", "--as", "node.ro"],
        "not in the future",
    ),
]


def test_refusals_are_one_sentence(home: Path) -> None:
    uid = _seed(home)
    assert cawarn(home, "trust-group", "create", "CA", "--orgs", "KGZ-NCTC").returncode == 0
    for args, message in REFUSALS:
        error = one_sentence_error(cawarn(home, "release", "create", "--item", uid, *args))
        assert message in error, (args, error)
    missing = one_sentence_error(cawarn(home, "release", "revoke", "9", "--as", "node.ro"))
    assert "no release 9" in missing
