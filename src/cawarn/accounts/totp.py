"""Time-based one-time passwords (RFC 6238: 30-second steps, 6 digits, SHA-1)."""

from __future__ import annotations

import datetime as dt
import hmac

import pyotp

ISSUER = "cawarn"


def new_secret() -> str:
    """A fresh random base32 secret (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// URI an authenticator app reads (usually from a QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


STEP_SECONDS = 30


def matching_step(secret: str, code: str, *, at: dt.datetime | None = None) -> int | None:
    """The time step whose code this is, allowing one step of clock drift either way."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    now = int((at or dt.datetime.now(dt.UTC)).timestamp()) // STEP_SECONDS
    totp = pyotp.TOTP(secret)
    for step in (now, now - 1, now + 1):
        if hmac.compare_digest(str(totp.at(step * STEP_SECONDS)), code):
            return step
    return None


def verify_code(secret: str, code: str, *, at: dt.datetime | None = None) -> bool:
    """Whether the code is valid now, allowing one step of clock drift either way."""
    return matching_step(secret, code, at=at) is not None


def code_at(secret: str, at: dt.datetime) -> str:
    """The code for a moment (for tests and for checking an enrolment)."""
    return str(pyotp.TOTP(secret).at(at))
