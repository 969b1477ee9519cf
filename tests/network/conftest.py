"""A seeded node (two organisations' users, events of every marking, alerts) and its key."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from cawarn.accounts.directory import User, get_user
from cawarn.config import Settings
from cawarn.domain.access import Role
from cawarn.network import keys
from cawarn.network.keys import NodeKey
from tests.web.conftest import NODE_ORG, Node, cheap_argon2, seed, username

__all__ = ["cheap_argon2"]

ROLES = (Role.RELEASING_OFFICER, Role.ANALYST, Role.DUTY_OFFICER, Role.AUDITOR)


@dataclass
class Seeded:
    """The node, its key, and a way to get its users."""

    node: Node
    key: NodeKey

    @property
    def engine(self) -> sa.Engine:
        """The store."""
        return self.node.engine

    def user(self, org: str = NODE_ORG, role: Role = Role.RELEASING_OFFICER) -> User:
        """The seeded user of a role in an organisation."""
        with self.engine.connect() as conn:
            return get_user(conn, username(org, role))


@pytest.fixture
def seeded(backend: Settings, engine: sa.Engine) -> Seeded:
    """A node run by NODE_ORG, with the node key seed() put in its home."""
    settings = backend.model_copy(update={"organisation": NODE_ORG})
    node = seed(settings, engine, roles=ROLES)
    return Seeded(node, keys.load(settings.home))  # seed() created it
