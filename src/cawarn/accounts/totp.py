"""Time-based one-time passwords (RFC 6238: 30-second steps, 6 digits, SHA-1)."""

from __future__ import annotations

import datetime as dt

import pyotp

ISSUER = "cawarn"


def new_secret() -> str:
    """A fresh random base32 secret (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// URI an authenticator app reads (usually from a QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def verify_code(secret: str, code: str, *, at: dt.datetime | None = None) -> bool:
    """Whether the code is valid now, allowing one step of clock drift either way."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return False
    return bool(
        pyotp.TOTP(secret).verify(code, for_time=at or dt.datetime.now(dt.UTC), valid_window=1)
    )


def code_at(secret: str, at: dt.datetime) -> str:
    """The code for a moment (for tests and for checking an enrolment)."""
    return str(pyotp.TOTP(secret).at(at))
