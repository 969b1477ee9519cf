"""The OpenAPI document holds: schemathesis calls every operation with generated requests.

No answer may be a server error or disagree with the document (status codes, content types,
headers, bodies). It runs as three roles, so both the allowed and the hidden paths are explored.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cawarn.config import Settings
from cawarn.domain.access import Role
from cawarn.store.engine import create_engine_for, migrate
from cawarn.web import create_app
from tests.web.conftest import NODE_ORG, PARTNER_ORG, SECRET, Node, seed

CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(
    params=[(NODE_ORG, Role.ADMIN), (NODE_ORG, Role.ANALYST), (PARTNER_ORG, Role.AUDITOR)],
    ids=lambda p: f"{p[1].value}@{p[0]}",
)
def caller(request: pytest.FixtureRequest) -> tuple[str, Role]:
    """Whose API key the generated requests carry."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def seeded(tmp_path: Path, caller: tuple[str, Role]) -> Iterator[Node]:
    """A node on SQLite (the document is the same on every backend) with the caller's account."""
    settings = Settings(home=tmp_path, organisation=NODE_ORG, secret_key=SECRET)
    engine = create_engine_for(settings)
    migrate(engine)
    try:
        yield seed(settings, engine, roles=(caller[1],))
    finally:
        engine.dispose()


@pytest.mark.slow
def test_api_conforms_to_its_document(seeded: Node, caller: tuple[str, Role]) -> None:
    app = create_app(seeded.settings, engine=seeded.engine)
    with TestClient(app):  # runs the startup checks once
        pass
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    headers = seeded.headers(*caller)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 18

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=30,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def conforms(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        conforms()
