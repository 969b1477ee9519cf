"""The node key: created 0600, never silently replaced, retired keys still trusted."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest

from cawarn.domain import ConfigError
from cawarn.network import keys
from cawarn.network.signing import sign, verify

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


def test_generate_writes_a_private_pem_only_the_owner_reads(tmp_path: Path) -> None:
    key = keys.generate(tmp_path)
    path = keys.key_path(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert keys.load(tmp_path).key_id == key.key_id


def test_generate_refuses_to_replace_without_force(tmp_path: Path) -> None:
    first = keys.generate(tmp_path)
    with pytest.raises(ConfigError, match="--force"):
        keys.generate(tmp_path)
    assert keys.load(tmp_path).key_id == first.key_id


def test_force_retires_the_old_public_key(tmp_path: Path) -> None:
    old = keys.generate(tmp_path)
    signature = sign({"a": 1}, old.private)
    new = keys.generate(tmp_path, force=True, now=NOW)
    assert new.key_id != old.key_id
    known = keys.known_public_keys(tmp_path)
    assert set(known) == {old.key_id, new.key_id}
    verify({"a": 1}, signature, known[old.key_id])
    retired = list((tmp_path / "keys" / "retired").glob("*.pub"))
    assert len(retired) == 1 and b"PRIVATE" not in retired[0].read_bytes()


def test_ensure_creates_once(tmp_path: Path) -> None:
    first, created = keys.ensure(tmp_path)
    again, created_again = keys.ensure(tmp_path)
    assert (created, created_again) == (True, False)
    assert first.key_id == again.key_id


def test_a_missing_or_broken_key_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cawarn node keygen"):
        keys.load(tmp_path)
    keys.key_path(tmp_path).parent.mkdir(parents=True)
    keys.key_path(tmp_path).write_text("not a key")
    with pytest.raises(ConfigError, match="not a PEM"):
        keys.load(tmp_path)
