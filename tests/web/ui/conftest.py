"""A seeded node with boundaries, events in a unit and a stored live forecast, and UI logins."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from cawarn.config import Settings
from cawarn.domain import Marking
from cawarn.domain.access import Role
from cawarn.store.tables import (
    FORECAST_QUANTILES,
    admin_units,
    batches,
    events,
    forecast_runs,
    forecasts,
)
from cawarn.web import create_app
from tests.web.conftest import NODE_ORG, PASSWORD, Node, insert_event, seed, username

#: The unit the seeded events and forecasts are in (Bishkek city, Kyrgyzstan).
UNIT_COUNTRY = "KGZ"


def store_live_run(engine: sa.Engine, units: list[str], *, origin: int = 539) -> int:
    """A live admin-1 run of the hurdle model: 12 steps per unit, risk falling with the index."""
    with engine.begin() as conn:
        run_id = conn.execute(
            forecast_runs.insert().values(
                kind="live",
                created_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
                level="admin1",
                panel_id=None,
                panel_key="admin1",
                panel_sha256="0" * 64,
                synthetic=True,
                target="ged_best",
                train_first=241,
                train_last=origin,
                steps=12,
                n_samples=100,
                seeds=[0],
                models=[{"name": "hurdle", "version": "1", "params": {}}],
            )
        ).inserted_primary_key[0]
        rows = []
        for i, unit in enumerate(units):
            for step in range(1, 13):
                p = max(0.01, 0.9 - 0.1 * i)
                quantiles = {
                    f"q{round(q * 100):02d}": (10.0 - i) * q * (1 + step / 12)
                    for q in FORECAST_QUANTILES
                }
                rows.append(
                    {
                        "run_id": run_id,
                        "model": "hurdle",
                        "unit": unit,
                        "month_id": origin + step,
                        "step": step,
                        "p_positive": p,
                        "mean": quantiles["q50"],
                        "exceed": [p] * 8,
                        **quantiles,
                    }
                )
        conn.execute(forecasts.insert(), rows)
    return int(run_id)


def store_evaluation(engine: sa.Engine, folder: Path) -> int:
    """An evaluation run with the scores the page reads and a report folder with one plot."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    figure = plt.figure(figsize=(2, 1))
    figure.savefig(folder / "skill_by_step.png")
    plt.close(figure)
    (folder / "report.md").write_text("# report\n", encoding="utf-8")
    (folder / "secret.txt").write_text("not a plot\n", encoding="utf-8")
    model = {
        "overall": {"crps": 1.25, "brier": 0.1, "ap": 0.5},
        "by_step": {"1": {"crps": 1.0}, "2": {"crps": 1.5}},
    }
    with engine.begin() as conn:
        run_id = conn.execute(
            forecast_runs.insert().values(
                kind="evaluation",
                created_at=dt.datetime(2026, 11, 2, tzinfo=dt.UTC),
                level="country",
                panel_id=None,
                panel_key="country",
                panel_sha256="0" * 64,
                synthetic=False,
                target="ged_best",
                train_first=241,
                train_last=528,
                test_start=517,
                test_end=528,
                steps=2,
                n_samples=100,
                seeds=[0],
                models=[{"name": "hurdle", "version": "1", "params": {}}],
                scores={"models": {"hurdle": model, "zero": model}, "window": {}},
                report_path=str(folder / "report.md"),
            )
        ).inserted_primary_key[0]
    return int(run_id)


@pytest.fixture
def ui_node(node_settings: Settings, store: sa.Engine) -> Node:
    """The web tests' node, with the region's boundaries, unit events and a live forecast."""
    node = seed(node_settings, store)
    with store.begin() as conn:
        units = list(
            conn.execute(
                sa.select(admin_units.c.code)
                .where(admin_units.c.country == UNIT_COUNTRY)
                .order_by(admin_units.c.code)
            ).scalars()
        )
        # Every seeded event is in the first Kyrgyz unit, so the unit page has a history.
        conn.execute(events.update().values(admin1=units[0]))
    store_live_run(store, units[:5])
    node.evaluation = store_evaluation(store, node_settings.home / "reports" / "evaluation")  # type: ignore[attr-defined]
    node.unit = units[0]  # type: ignore[attr-defined]
    node.units = units  # type: ignore[attr-defined]
    return node


@pytest.fixture
def ui(ui_node: Node) -> Iterator[TestClient]:
    """An in-process client of the node's app (https, so Secure cookies are sent back)."""
    app = create_app(ui_node.settings, engine=ui_node.engine)
    with TestClient(app, base_url="https://testserver") as client:
        yield client


def form_token(html: str, name: str = "csrf") -> str:
    """The value of a hidden form field."""
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no {name} field in the page"
    return match.group(1)


def log_in(client: TestClient, org: str, role: Role, *, next_path: str = "/") -> str:
    """Log a seeded user in through the login form; returns the session's CSRF token."""
    page = client.get("/login", params={"next": next_path})
    assert page.status_code == 200
    answer = client.post(
        "/login",
        data={
            "username": username(org, role),
            "password": PASSWORD,
            "csrf": form_token(page.text),
            "next": next_path,
        },
    )
    assert answer.status_code == 200, answer.text
    assert client.cookies.get("cawarn_session")
    return form_token(answer.text)


def add_synthetic_event(engine: sa.Engine) -> None:
    """One simulated event (source synthetic:..., in its own batch, as a scenario ingests it)."""
    with engine.begin() as conn:
        batch = conn.execute(
            batches.insert().values(
                uid=str(uuid.uuid4()),
                source="synthetic:test",
                location="scenario",
                status="committed",
                started_at=dt.datetime(2026, 11, 27, tzinfo=dt.UTC),
            )
        ).inserted_primary_key[0]
        uid = insert_event(conn, batch, owner=NODE_ORG, marking=Marking.CLEAR)
        conn.execute(events.update().where(events.c.uid == uid).values(source="synthetic:test"))
