"""create_app: no secret key, no server (except on a demo node); the store is checked at start."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cawarn.config import Settings
from cawarn.domain import ConfigError, StoreError
from cawarn.web import create_app
from tests.web.conftest import SECRET


@pytest.mark.parametrize("key", [None, "", "changeme", "short-but-random-8Xq"])
def test_no_usable_secret_key_no_app(tmp_path: Path, key: str | None) -> None:
    with pytest.raises(ConfigError, match="CAWARN_SECRET_KEY"):
        create_app(Settings(home=tmp_path, secret_key=key))


def test_a_demo_node_makes_up_a_key_for_the_run(tmp_path: Path) -> None:
    first = create_app(Settings(home=tmp_path, demo=True))
    second = create_app(Settings(home=tmp_path, demo=True))
    assert first.state.ephemeral_secret and second.state.ephemeral_secret
    value, _ = first.state.sessions.new(1, 0)
    assert first.state.sessions.read(value) is not None
    assert second.state.sessions.read(value) is None  # a restart ends demo sessions


def test_the_app_will_not_serve_an_uninitialised_store(tmp_path: Path) -> None:
    app = create_app(Settings(home=tmp_path, secret_key=SECRET))
    with pytest.raises(StoreError, match="cawarn init"), TestClient(app):
        pass


def test_no_documentation_page_loads_from_a_cdn(tmp_path: Path) -> None:
    app = create_app(Settings(home=tmp_path, secret_key=SECRET))
    assert app.docs_url is None and app.redoc_url is None
    document = app.openapi()
    assert set(document["components"]["securitySchemes"]) == {"HTTPBearer", "APIKeyCookie"}


def test_a_server_freezes_what_exists_at_startup() -> None:
    import gc

    from cawarn.web.app import freeze_startup_objects

    try:
        freeze_startup_objects()
        assert gc.get_freeze_count() > 10_000  # the modules, routes and models imported so far
    finally:
        gc.unfreeze()
