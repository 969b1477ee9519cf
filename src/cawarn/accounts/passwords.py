"""Password hashing with argon2id (argon2-cffi's defaults follow RFC 9106's second choice)."""

from __future__ import annotations

import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from cawarn.domain import InputError

MIN_LENGTH = 12
MAX_LENGTH = 1024

_hasher = PasswordHasher()


def check_password_policy(password: str) -> None:
    """Refuse a password that is too short or too long to be accepted."""
    if len(password) < MIN_LENGTH:
        raise InputError(
            f"The password is {len(password)} characters long; use at least {MIN_LENGTH}."
        )
    if len(password) > MAX_LENGTH:
        raise InputError(f"The password is longer than {MAX_LENGTH} characters; use a shorter one.")


def hash_password(password: str) -> str:
    """An argon2id hash (PHC string) of a password that meets the policy."""
    check_password_policy(password)
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether the password matches the hash; never raises on a wrong password."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@functools.cache
def dummy_hash() -> str:
    """A hash to verify against when the user does not exist.

    A wrong username then takes as long as a wrong password and does not reveal which
    usernames exist. Made on first use, not at import.
    """
    return _hasher.hash(secrets.token_urlsafe(16))
