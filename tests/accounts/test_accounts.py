"""Passwords, TOTP, API keys and the audit chain, on both backends where they are stored."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import sqlalchemy as sa

from cawarn.accounts import audit
from cawarn.accounts.apikeys import KeyCache, create_key, parse_duration, revoke_key, verify_key
from cawarn.accounts.directory import create_organisation, create_user, get_user
from cawarn.accounts.login import LoginOutcome, authenticate
from cawarn.accounts.passwords import hash_password, verify_password
from cawarn.accounts.totp import code_at, new_secret, verify_code
from cawarn.domain import InputError, NotFoundError
from cawarn.domain.access import OrgKind, Role
from cawarn.store.tables import api_keys, audit_log, users

PASSWORD = "twelve chars or more"


def test_passwords_are_argon2id_and_checked() -> None:
    hashed = hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$") and PASSWORD not in hashed
    assert verify_password(hashed, PASSWORD)
    assert not verify_password(hashed, PASSWORD + "!")
    assert not verify_password("not a hash", PASSWORD)
    with pytest.raises(InputError, match="at least 12"):
        hash_password("short")


def test_totp_codes_allow_one_step_of_drift_only() -> None:
    secret = new_secret()
    now = dt.datetime(2026, 11, 27, 12, 0, 15, tzinfo=dt.UTC)
    assert verify_code(secret, code_at(secret, now), at=now)
    assert verify_code(secret, code_at(secret, now - dt.timedelta(seconds=30)), at=now)
    assert not verify_code(secret, code_at(secret, now - dt.timedelta(seconds=90)), at=now)
    assert not verify_code(secret, "abcdef", at=now)


def test_durations() -> None:
    assert parse_duration("90d") == dt.timedelta(days=90)
    assert parse_duration("12h") == dt.timedelta(hours=12)
    assert parse_duration("2w") == dt.timedelta(weeks=2)
    for bad in ("0d", "90", "d", "3m", "-1d"):
        with pytest.raises(InputError):
            parse_duration(bad)


@pytest.fixture
def accounts(engine: sa.Engine) -> sa.Engine:
    """A store with one organisation and one analyst."""
    with engine.begin() as conn:
        create_organisation(conn, "TJK-CTC", "Tajik CT centre", OrgKind.STATE, actor=audit.CLI)
        create_user(conn, "tjk.analyst", "TJK-CTC", Role.ANALYST, PASSWORD, actor=audit.CLI)
    return engine


def test_keys_are_stored_hashed_and_expire(accounts: sa.Engine) -> None:
    now = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
    with accounts.begin() as conn:
        key, record = create_key(
            conn,
            "tjk.analyst",
            read_only=True,
            lifetime=dt.timedelta(days=1),
            actor=audit.CLI,
            now=now,
        )
        stored = conn.execute(sa.select(api_keys)).one()
        assert key not in repr(tuple(stored)) and stored.prefix == record.prefix
        assert verify_key(conn, key, now=now + dt.timedelta(hours=22)) is not None
        used = conn.execute(sa.select(api_keys.c.last_used_at)).scalar_one()
        # SQLite gives the time back without its zone (UTC); PostgreSQL with it.
        assert (used if used.tzinfo else used.replace(tzinfo=dt.UTC)) == now + dt.timedelta(
            hours=22
        )
        verify_key(conn, key, now=now + dt.timedelta(hours=22, seconds=30))
        assert conn.execute(sa.select(api_keys.c.last_used_at)).scalar_one() == used
        verified = verify_key(conn, key, now=now + dt.timedelta(hours=23))
        assert (
            verified is not None and verified.read_only and verified.user.username == "tjk.analyst"
        )
        assert verify_key(conn, key, now=now + dt.timedelta(days=1)) is None
        assert verify_key(conn, key[:-1] + ("A" if key[-1] != "A" else "B"), now=now) is None
        revoke_key(conn, record.prefix, actor=audit.CLI)
        assert verify_key(conn, key, now=now) is None
        with pytest.raises(NotFoundError):
            revoke_key(conn, "nonexist", actor=audit.CLI)


def test_the_key_cache_keeps_a_verified_key_for_seconds_and_never_past_its_expiry(
    accounts: sa.Engine,
) -> None:
    now = dt.datetime.now(dt.UTC)
    with accounts.begin() as conn:
        key, _ = create_key(
            conn, "tjk.analyst", read_only=True, lifetime=dt.timedelta(hours=1), actor=audit.CLI
        )
        other, _ = create_key(conn, "tjk.analyst", read_only=False, lifetime=None, actor=audit.CLI)
        verified = verify_key(conn, key)
        second = verify_key(conn, other)
    assert verified is not None and second is not None
    assert verified.expires_at is not None and second.expires_at is None
    clock = [100.0]
    cache = KeyCache(ttl=5.0, max_entries=1, clock=lambda: clock[0])
    assert cache.get(key) is None
    cache.put(key, verified)
    assert cache.get(key) is verified
    assert cache.get(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    clock[0] += 4.9
    assert cache.get(key) is verified
    # Past its expiry a key is refused even while it is fresh in the cache.
    assert cache.get(key, now=now + dt.timedelta(hours=1, seconds=1)) is None
    clock[0] += 0.2
    assert cache.get(key) is None  # older than the ttl: verified against the store again
    cache.put(key, verified)
    cache.put(other, second)  # one entry at most: the oldest goes
    assert cache.get(key) is None and cache.get(other) is second
    cache.clear()
    assert cache.get(other) is None
    # A verification that overlapped a clear (a revocation) is not kept.
    before = cache.generation
    cache.clear()
    cache.put(other, second, generation=before)
    assert cache.get(other) is None
    cache.put(other, second, generation=cache.generation)
    assert cache.get(other) is second


def test_lock_out_and_duplicate_users(accounts: sa.Engine) -> None:
    now = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
    with accounts.begin() as conn:
        for _ in range(5):
            assert authenticate(conn, "tjk.analyst", "wrong", None, now=now).outcome is (
                LoginOutcome.BAD_CREDENTIALS
            )
        assert authenticate(conn, "tjk.analyst", PASSWORD, None, now=now).outcome is (
            LoginOutcome.LOCKED
        )
        later = now + dt.timedelta(minutes=16)
        result = authenticate(conn, "tjk.analyst", PASSWORD, None, now=later)
        assert result.outcome is LoginOutcome.OK
        assert conn.execute(sa.select(users.c.failed_logins)).scalar_one() == 0
        with pytest.raises(InputError, match="already exists"):
            create_user(conn, "tjk.analyst", "TJK-CTC", Role.ADMIN, PASSWORD, actor=audit.CLI)
        assert get_user(conn, "tjk.analyst").role is Role.ANALYST


def test_audit_chain_links_every_row_and_finds_a_deleted_one(accounts: sa.Engine) -> None:
    with accounts.begin() as conn:
        for number in range(3):
            audit.append(conn, audit.CLI, "test.note", details={"n": number, "text": "тест"})
        rows = list(audit.iter_rows(conn))
        assert rows[0]["prev_hash"] == audit.GENESIS
        assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(rows))
        assert audit.verify_chain(conn) is None
        middle = rows[len(rows) // 2]["id"]
        conn.execute(audit_log.delete().where(audit_log.c.id == middle))
        assert audit.verify_chain(conn) == rows[len(rows) // 2 + 1]["id"]


def test_concurrent_appends_keep_one_chain(engine: sa.Engine) -> None:
    import threading

    errors: list[BaseException] = []

    def append_many(worker: int) -> None:
        try:
            for number in range(15):
                with engine.begin() as conn:
                    audit.append(conn, audit.CLI, "test.note", details={"w": worker, "n": number})
        except BaseException as err:  # reported below, not lost in the thread
            errors.append(err)

    threads = [threading.Thread(target=append_many, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with engine.connect() as conn:
        assert len(list(audit.iter_rows(conn))) == 60
        assert audit.verify_chain(conn) is None


def test_the_second_factor_alone_follows_the_login_rules(accounts: sa.Engine) -> None:
    from cawarn.accounts.login import (
        authenticate_second_factor,
        confirm_totp_enrolment,
        start_totp_enrolment,
    )

    now = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
    step = dt.timedelta(seconds=30)
    with accounts.begin() as conn:
        user = get_user(conn, "tjk.analyst")
        # Without an enrolled factor there is nothing to finish.
        assert authenticate_second_factor(conn, user.id, "123456", now=now).outcome is (
            LoginOutcome.BAD_CREDENTIALS
        )
        secret, _ = start_totp_enrolment(conn, user, actor=audit.CLI)
        confirm_totp_enrolment(conn, user, code_at(secret, now), actor=audit.CLI, now=now)
        # The enrolment's code is used up; the next step's is good once.
        replay = authenticate_second_factor(conn, user.id, code_at(secret, now), now=now)
        assert replay.outcome is LoginOutcome.BAD_TOTP
        ok = authenticate_second_factor(conn, user.id, code_at(secret, now + step), now=now + step)
        assert ok.outcome is LoginOutcome.OK and ok.user is not None
        assert ok.user.username == "tjk.analyst"
        again = authenticate_second_factor(
            conn, user.id, code_at(secret, now + step), now=now + step
        )
        assert again.outcome is LoginOutcome.BAD_TOTP
        # Wrong codes count towards the lock like wrong passwords (one failure so far).
        for _ in range(4):
            authenticate_second_factor(conn, user.id, "000000", now=now + step)
        locked = authenticate_second_factor(
            conn, user.id, code_at(secret, now + 2 * step), now=now + 2 * step
        )
        assert locked.outcome is LoginOutcome.LOCKED
        actions = conn.execute(sa.select(audit_log.c.action)).scalars().all()
        assert actions.count("login.failure") == 6 and actions.count("login.success") == 1
