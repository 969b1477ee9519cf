"""Fixtures of the network tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2id with the smallest cost, so creating peer accounts stays fast."""
    from argon2 import PasswordHasher

    from cawarn.accounts import passwords

    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
