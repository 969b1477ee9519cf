"""Session cookies signed with the secret key, each with its CSRF token, and login rate limits."""

from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE_NAME = "cawarn_session"
CSRF_HEADER = "X-CSRF-Token"
#: How long a session lasts after login.
SESSION_SECONDS = 8 * 3600


@dataclass(frozen=True, slots=True)
class Session:
    """What a session cookie carries: the user and the CSRF token of this session."""

    user_id: int
    csrf_token: str
    epoch: int


class SessionSigner:
    """Signs and reads session cookies; a tampered or expired cookie reads as no session."""

    def __init__(self, secret_key: str, *, max_age: int = SESSION_SECONDS) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="cawarn-session")
        self.max_age = max_age

    def new(self, user_id: int, epoch: int) -> tuple[str, Session]:
        """A cookie value for a fresh session and the session it carries."""
        session = Session(user_id=user_id, csrf_token=secrets.token_urlsafe(32), epoch=epoch)
        value = self._serializer.dumps({"u": user_id, "c": session.csrf_token, "e": epoch})
        return value, session

    def read(self, value: str) -> Session | None:
        """The session in a cookie, or None when it is forged, altered or expired."""
        try:
            data = self._serializer.loads(value, max_age=self.max_age)
        except BadSignature:  # SignatureExpired is a subclass
            return None
        if not isinstance(data, dict):
            return None
        user_id, csrf, epoch = data.get("u"), data.get("c"), data.get("e")
        if isinstance(user_id, int) and isinstance(csrf, str) and isinstance(epoch, int):
            return Session(user_id=user_id, csrf_token=csrf, epoch=epoch)
        return None


class RateLimiter:
    """At most ``limit`` attempts per key in any ``window`` seconds (kept in this process)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._hits: defaultdict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def hit(self, key: str, *, now: float | None = None) -> float | None:
        """Record an attempt; None when allowed, else the seconds until the next is allowed."""
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits[key]
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return hits[0] + self.window - now
            hits.append(now)
            return None
