"""API keys: a random secret shown once, stored as a sha256 hash beside a short visible prefix.

A key reads ``cawarn_<prefix>_<secret>``. The prefix finds the row; the hash of the whole key
must match. The secret has 256 bits of entropy, so a fast hash is enough (unlike passwords).

A server keeps keys it verified in a :class:`KeyCache` for a few seconds (``KEY_CACHE_SECONDS``)
so that a busy API client does not cost two database lookups per request. The bound is the
price: a key revoked, or a user deactivated or given another role, by another process (the CLI,
another worker) is still honoured by a server for at most that many seconds; the server's own
revocations and user changes empty its cache at once, and a key's expiry is checked on every
request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, select

from cawarn.accounts import audit
from cawarn.accounts.directory import User, get_user, user_by_id
from cawarn.domain import InputError, NotFoundError
from cawarn.store.tables import api_keys

KEY_PREFIX = "cawarn_"
_KEY = re.compile(r"^cawarn_([a-z0-9]{8})_([A-Za-z0-9_-]{43})$")
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
_DURATION = re.compile(r"^(\d{1,5})([dhw])$")
#: How long a server trusts a key it verified before it reads the key and its user again.
KEY_CACHE_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class ApiKey:
    """What is known of a key after it was created (the secret is not kept)."""

    id: int
    prefix: str
    username: str
    read_only: bool
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class VerifiedKey:
    """A key that passed verification, and its user."""

    prefix: str
    read_only: bool
    user: User
    expires_at: dt.datetime | None = None


def parse_duration(text: str) -> dt.timedelta:
    """A lifetime such as 90d, 12h or 2w."""
    match = _DURATION.match(text.strip())
    if not match or int(match.group(1)) == 0:
        raise InputError(
            f"The lifetime {text!r} is not usable; write a number and a unit, d (days), "
            "h (hours) or w (weeks), e.g. 90d."
        )
    number, unit = int(match.group(1)), match.group(2)
    return {"d": dt.timedelta(days=number), "h": dt.timedelta(hours=number)}.get(
        unit, dt.timedelta(weeks=number)
    )


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def create_key(
    conn: Connection,
    username: str,
    *,
    read_only: bool,
    lifetime: dt.timedelta | None,
    actor: audit.Actor,
    now: dt.datetime | None = None,
) -> tuple[str, ApiKey]:
    """A new key for the user: the key itself (to show once) and its stored record."""
    user = get_user(conn, username)
    if not user.active:
        raise InputError(f"The user {username!r} is deactivated; activate it before adding keys.")
    now = now or dt.datetime.now(dt.UTC)
    prefix = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(8))
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    expires_at = now + lifetime if lifetime is not None else None
    new_id = conn.execute(
        api_keys.insert().values(
            prefix=prefix,
            key_hash=_hash(key),
            user_id=user.id,
            read_only=read_only,
            created_at=now,
            expires_at=expires_at,
        )
    ).inserted_primary_key
    assert new_id is not None
    audit.append(
        conn,
        actor,
        "apikey.create",
        object_type="apikey",
        object_id=prefix,
        details={
            "user": username,
            "read_only": read_only,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    record = ApiKey(int(new_id[0]), prefix, username, read_only, now, expires_at, None, None)
    return key, record


def verify_key(conn: Connection, key: str, *, now: dt.datetime | None = None) -> VerifiedKey | None:
    """The key's user if the key is genuine, unexpired, unrevoked and its user active."""
    match = _KEY.match(key.strip())
    if not match:
        return None
    row = conn.execute(select(api_keys).where(api_keys.c.prefix == match.group(1))).first()
    if row is None or not hmac.compare_digest(row.key_hash, _hash(key.strip())):
        return None
    now = now or dt.datetime.now(dt.UTC)
    expires_at = _aware(row.expires_at)
    if row.revoked_at is not None or (expires_at is not None and expires_at <= now):
        return None
    user = user_by_id(conn, row.user_id)
    if user is None or not user.active:
        return None
    last_used = _aware(row.last_used_at)
    # Recorded to the minute, so a busy client does not make every read a write.
    if last_used is None or now - last_used >= LAST_USED_RESOLUTION:
        conn.execute(api_keys.update().where(api_keys.c.id == row.id).values(last_used_at=now))
    return VerifiedKey(
        prefix=row.prefix, read_only=bool(row.read_only), user=user, expires_at=expires_at
    )


class KeyCache:
    """Keys verified in the last ``ttl`` seconds, by the sha256 of the key (never the key).

    Shared by the threads of one server process. Only keys that passed :func:`verify_key` are
    kept (a wrong key is checked against the store every time); an entry past its key's expiry
    is not used; :meth:`clear` forgets every entry (after a revocation or a user change).
    """

    def __init__(
        self,
        *,
        ttl: float = KEY_CACHE_SECONDS,
        max_entries: int = 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[float, VerifiedKey]] = OrderedDict()
        self._generation = 0

    @property
    def generation(self) -> int:
        """How many times the cache was cleared; read it before verifying a key to put."""
        return self._generation

    def get(self, key: str, *, now: dt.datetime | None = None) -> VerifiedKey | None:
        """The key's verification if it is recent enough and the key has not expired since."""
        digest = _hash(key.strip())
        with self._lock:
            entry = self._entries.get(digest)
            if entry is None:
                return None
            if self._clock() - entry[0] > self.ttl:
                del self._entries[digest]
                return None
        verified = entry[1]
        if verified.expires_at is not None and verified.expires_at <= (
            now or dt.datetime.now(dt.UTC)
        ):
            return None
        return verified

    def put(self, key: str, verified: VerifiedKey, *, generation: int | None = None) -> None:
        """Remember a key that :func:`verify_key` accepted.

        With ``generation`` (:attr:`generation` read before the key was verified), a key whose
        verification overlapped a :meth:`clear` is not kept: it may predate a revocation.
        """
        digest = _hash(key.strip())
        with self._lock:
            if generation is not None and generation != self._generation:
                return
            self._entries[digest] = (self._clock(), verified)
            self._entries.move_to_end(digest)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every key (the next request of each is verified against the store)."""
        with self._lock:
            self._entries.clear()
            self._generation += 1


def list_keys(conn: Connection, *, username: str | None = None) -> list[ApiKey]:
    """Keys (never their secrets), newest first, optionally of one user."""
    from cawarn.store.tables import users

    query = (
        select(api_keys, users.c.username)
        .join(users, users.c.id == api_keys.c.user_id)
        .order_by(api_keys.c.id.desc())
    )
    if username is not None:
        query = query.where(users.c.username == username)
    return [
        ApiKey(
            row.id,
            row.prefix,
            row.username,
            bool(row.read_only),
            _aware(row.created_at) or row.created_at,
            _aware(row.expires_at),
            _aware(row.revoked_at),
            _aware(row.last_used_at),
        )
        for row in conn.execute(query)
    ]


def revoke_key(conn: Connection, prefix: str, *, actor: audit.Actor) -> None:
    """Revoke a key by its prefix (the part after ``cawarn_``); revoking twice is harmless."""
    prefix = prefix.removeprefix(KEY_PREFIX).split("_")[0]
    row = conn.execute(select(api_keys).where(api_keys.c.prefix == prefix)).first()
    if row is None:
        raise NotFoundError(
            f"There is no API key with the prefix {prefix!r}; 'cawarn apikey list' lists them."
        )
    if row.revoked_at is not None:
        return
    conn.execute(
        api_keys.update().where(api_keys.c.id == row.id).values(revoked_at=dt.datetime.now(dt.UTC))
    )
    audit.append(conn, actor, "apikey.revoke", object_type="apikey", object_id=prefix)
