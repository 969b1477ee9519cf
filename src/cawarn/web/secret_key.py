"""The secret key that signs session cookies: required, except on a demo node."""

from __future__ import annotations

import secrets

from cawarn.config import Settings
from cawarn.domain import ConfigError

MIN_SECRET_LENGTH = 32
_PLACEHOLDERS = {"changeme", "change-me", "secret", "changethis", "please-change"}


def resolve_secret_key(settings: Settings) -> tuple[str, bool]:
    """The key to sign sessions with, and whether it was made up for this run (demo only)."""
    key = settings.secret_key
    if key is None or not key.strip():
        if settings.demo:
            return secrets.token_urlsafe(32), True
        raise ConfigError(
            "No secret key is configured, so the server will not start; set CAWARN_SECRET_KEY "
            f"or secret_key in {settings.config_path} to a random string of at least "
            f"{MIN_SECRET_LENGTH} characters (python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))' makes one)."
        )
    if key.strip().lower() in _PLACEHOLDERS or len(key) < MIN_SECRET_LENGTH:
        raise ConfigError(
            f"The secret key is a placeholder or shorter than {MIN_SECRET_LENGTH} characters, "
            "so the server will not start; set CAWARN_SECRET_KEY to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(32))' makes one)."
        )
    return key, False
