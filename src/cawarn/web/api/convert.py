"""From the accounts layer's objects to API models."""

from __future__ import annotations

from cawarn.accounts.directory import User
from cawarn.web.api import schemas


def user_out(user: User) -> schemas.User:
    """A user as the API shows it."""
    return schemas.User(
        username=user.username,
        organisation=user.org.code,
        role=user.role,
        active=user.active,
        totp_enabled=user.totp_enabled,
        created_at=user.created_at,
    )
