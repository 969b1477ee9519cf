"""Logging in with a password and, once enrolled, a TOTP code; lock-out after repeated failures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, select

from cawarn.accounts import audit, totp
from cawarn.accounts.directory import User, user_by_id
from cawarn.accounts.passwords import dummy_hash, hash_password, verify_password
from cawarn.domain import InputError
from cawarn.store.tables import users

#: Failed attempts in a row after which an account is locked, and for how long.
MAX_FAILURES = 5
LOCK_FOR = dt.timedelta(minutes=15)


class LoginOutcome(StrEnum):
    """Why a login succeeded or failed (the failures are told to the user as one)."""

    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    TOTP_REQUIRED = "totp_required"
    BAD_TOTP = "bad_totp"
    LOCKED = "locked"
    INACTIVE = "inactive"


@dataclass(frozen=True, slots=True)
class LoginResult:
    """The outcome, and the user when it is OK."""

    outcome: LoginOutcome
    user: User | None = None


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def authenticate(
    conn: Connection,
    username: str,
    password: str,
    totp_code: str | None,
    *,
    now: dt.datetime | None = None,
) -> LoginResult:
    """Check a login in the caller's transaction, counting failures and auditing the result."""
    now = now or dt.datetime.now(dt.UTC)
    row = conn.execute(select(users).where(users.c.username == username)).first()
    if row is None:
        verify_password(dummy_hash(), password)  # as slow as a real check
        return LoginResult(LoginOutcome.BAD_CREDENTIALS)
    locked_until = _aware(row.locked_until)
    if locked_until is not None and locked_until > now:
        return LoginResult(LoginOutcome.LOCKED)
    outcome = LoginOutcome.OK
    step: int | None = None
    if not verify_password(row.password_hash, password):
        outcome = LoginOutcome.BAD_CREDENTIALS
    elif not row.active:
        outcome = LoginOutcome.INACTIVE
    elif row.totp_enabled and not totp_code:
        # The password was right; ask for the second factor without counting a failure.
        return LoginResult(LoginOutcome.TOTP_REQUIRED)
    elif row.totp_enabled:
        step = totp.matching_step(row.totp_secret, totp_code or "", at=now)
        # A code is good once: one seen over someone's shoulder cannot be replayed.
        if step is None or (row.totp_last_step is not None and step <= row.totp_last_step):
            outcome = LoginOutcome.BAD_TOTP
    return _record(conn, row, outcome, step, now)


def authenticate_second_factor(
    conn: Connection, user_id: int, totp_code: str, *, now: dt.datetime | None = None
) -> LoginResult:
    """Finish a login whose password was right (``TOTP_REQUIRED``) with the one-time code.

    The same rules as :func:`authenticate` apply: a locked or inactive account fails, a code is
    good once, failures count towards the lock and every outcome is audited.
    """
    now = now or dt.datetime.now(dt.UTC)
    row = conn.execute(select(users).where(users.c.id == user_id)).first()
    if row is None or not row.totp_enabled:
        return LoginResult(LoginOutcome.BAD_CREDENTIALS)
    locked_until = _aware(row.locked_until)
    if locked_until is not None and locked_until > now:
        return LoginResult(LoginOutcome.LOCKED)
    outcome = LoginOutcome.OK
    step = totp.matching_step(row.totp_secret, totp_code, at=now)
    if not row.active:
        outcome = LoginOutcome.INACTIVE
    elif step is None or (row.totp_last_step is not None and step <= row.totp_last_step):
        outcome = LoginOutcome.BAD_TOTP
    return _record(conn, row, outcome, step, now)


def _record(
    conn: Connection, row: Any, outcome: LoginOutcome, step: int | None, now: dt.datetime
) -> LoginResult:
    """Store and audit a login's outcome: reset the failures, or count one (and lock)."""
    user = user_by_id(conn, row.id)
    assert user is not None
    actor = audit.Actor(row.username, row.id, user.org.code)
    if outcome is LoginOutcome.OK:
        values: dict[str, object] = {"failed_logins": 0, "locked_until": None}
        if row.totp_enabled:
            values["totp_last_step"] = step
        conn.execute(users.update().where(users.c.id == row.id).values(**values))
        audit.append(conn, actor, "login.success", object_type="user", object_id=row.username)
        return LoginResult(outcome, user)
    failures = row.failed_logins + 1
    values = {"failed_logins": failures}
    if failures >= MAX_FAILURES:
        values.update(failed_logins=0, locked_until=now + LOCK_FOR)
    conn.execute(users.update().where(users.c.id == row.id).values(**values))
    audit.append(
        conn,
        actor,
        "login.failure",
        object_type="user",
        object_id=row.username,
        details={"reason": outcome.value, "locked": failures >= MAX_FAILURES},
    )
    return LoginResult(outcome)


def end_sessions(conn: Connection, user: User, *, actor: audit.Actor) -> None:
    """End every session of the user (logging out ends them on every device)."""
    conn.execute(
        users.update().where(users.c.id == user.id).values(session_epoch=users.c.session_epoch + 1)
    )
    audit.append(conn, actor, "logout", object_type="user", object_id=user.username)


def start_totp_enrolment(conn: Connection, user: User, *, actor: audit.Actor) -> tuple[str, str]:
    """A new secret for the user (not yet required at login): the secret and its otpauth URI."""
    if user.totp_enabled:
        raise InputError(
            "A second factor is already enrolled for this account; ask an administrator to "
            "reset it before enrolling a new one."
        )
    secret = totp.new_secret()
    conn.execute(users.update().where(users.c.id == user.id).values(totp_secret=secret))
    audit.append(conn, actor, "totp.start", object_type="user", object_id=user.username)
    return secret, totp.provisioning_uri(secret, user.username)


def confirm_totp_enrolment(
    conn: Connection, user: User, code: str, *, actor: audit.Actor, now: dt.datetime | None = None
) -> None:
    """Require TOTP at login from now on, once the user shows a valid code for the secret."""
    secret = conn.execute(select(users.c.totp_secret).where(users.c.id == user.id)).scalar()
    if user.totp_enabled:
        raise InputError("A second factor is already enrolled for this account.")
    if secret is None:
        raise InputError("No enrolment is under way; start one first (POST /api/v1/me/totp).")
    step = totp.matching_step(secret, code, at=now)
    if step is None:
        raise InputError(
            "The code does not match the enrolment secret; check the device's clock and "
            "enter the code it shows now."
        )
    conn.execute(
        users.update().where(users.c.id == user.id).values(totp_enabled=True, totp_last_step=step)
    )
    audit.append(conn, actor, "totp.enable", object_type="user", object_id=user.username)


def change_password(
    conn: Connection, user: User, current: str, new: str, *, actor: audit.Actor
) -> None:
    """Replace the user's password after checking the current one; ends every session."""
    stored = conn.execute(select(users.c.password_hash).where(users.c.id == user.id)).scalar()
    if stored is None or not verify_password(stored, current):
        raise InputError("The current password is wrong; the password was not changed.")
    if new == current:
        raise InputError("The new password is the same as the current one; choose another.")
    conn.execute(
        users.update()
        .where(users.c.id == user.id)
        .values(password_hash=hash_password(new), session_epoch=users.c.session_epoch + 1)
    )
    audit.append(conn, actor, "password.change", object_type="user", object_id=user.username)
