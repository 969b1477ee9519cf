"""A node run by KAZ-CTC with two peer accounts (KGZ-NCTC, UN-RCCA), served in process."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from cawarn.config import Settings
from cawarn.web.app import create_app
from tests.network.stixdata import KAZ, KGZ, UN, NodeSetup, setup_node

SECRET = "taxii-tests-secret-key-0123456789abcdef"
MEDIA = "application/taxii+json;version=2.1"


@dataclass
class Served:
    """The node, its client, and how each peer authenticates."""

    setup: NodeSetup
    engine: sa.Engine
    client: TestClient

    def headers(self, org: str, *, basic: bool = True) -> dict[str, str]:
        key = self.setup.keys[org]
        if basic:
            token = base64.b64encode(f"node.{org.lower()}:{key}".encode()).decode()
            auth = f"Basic {token}"
        else:
            auth = f"Bearer {key}"
        return {"Authorization": auth, "Accept": MEDIA}


@pytest.fixture
def served(backend: Settings, engine: sa.Engine) -> Iterator[Served]:
    settings = backend.model_copy(update={"organisation": KAZ, "secret_key": SECRET})
    with engine.begin() as conn:
        setup = setup_node(conn, KAZ, [KGZ, UN])
    app = create_app(settings, engine=engine)
    with TestClient(app) as client:
        yield Served(setup, engine, client)
