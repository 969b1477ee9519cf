"""A node with organisations, a user and an API key per role, and events of every marking."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from cawarn.accounts import audit
from cawarn.accounts.apikeys import create_key
from cawarn.accounts.directory import create_organisation, create_user
from cawarn.alerts import moves
from cawarn.config import Settings
from cawarn.domain import Marking
from cawarn.domain.access import OrgKind, Role
from cawarn.domain.alerts import AlertState, Severity
from cawarn.forecast.results import QUANTILE_COLUMNS
from cawarn.network import keys
from cawarn.store.tables import alerts, batches, events, forecast_runs, forecasts, panels
from cawarn.web import create_app

NODE_ORG = "NODE-CTC"
PARTNER_ORG = "KGZ-NCTC"
OTHER_ORG = "UNRCCA"
PASSWORD = "correct horse battery staple"
SECRET = "test-secret-key-that-is-long-enough-0123456789"
NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


@dataclass
class Node:
    """What the seeded node holds: API keys by (org, role), and event uids by (org, marking)."""

    settings: Settings
    engine: sa.Engine
    keys: dict[tuple[str, Role], str] = field(default_factory=dict)
    event_uids: dict[tuple[str, Marking], str] = field(default_factory=dict)
    panel_id: int = 0
    alert_ids: dict[str, int] = field(default_factory=dict)
    live_run_id: int = 0
    evaluation_id: int = 0

    def headers(self, org: str, role: Role) -> dict[str, str]:
        """Authorization headers of the user of this role in this organisation."""
        return {"Authorization": f"Bearer {self.keys[(org, role)]}"}


def username(org: str, role: Role) -> str:
    """The seeded user of a role in an organisation."""
    return f"{org.split('-')[0].lower()}.{role.value.replace('_', '-')}"


def insert_event(
    conn: sa.Connection,
    batch_id: int,
    *,
    owner: str,
    marking: Marking,
    country: str = "KGZ",
    category: str = "armed_clash",
    day: dt.date = dt.date(2024, 5, 1),
) -> str:
    """Store one current event directly; returns its uid."""
    uid = str(uuid.uuid4())
    conn.execute(
        events.insert().values(
            uid=uid,
            source="test",
            source_event_id=uid,
            revision=1,
            is_current=True,
            version_rank="1",
            date_start=day,
            date_end=day,
            date_precision="day",
            latitude=42.87,
            longitude=74.59,
            geo_precision="exact",
            country=country,
            admin1=None,
            priogrid_gid=None,
            category=category,
            source_fields={},
            actor1="Government of Kyrgyzstan",
            actor2=None,
            fatalities_best=1,
            fatalities_low=1,
            fatalities_high=2,
            summary=None,
            source_ref=None,
            marking=marking.value,
            owner_org=owner,
            batch_id=batch_id,
            raw_hash=1,
            content_hash="x",
            created_at=NOW,
            updated_at=NOW,
        )
    )
    return uid


#: The moves that bring a new alert to each state, and who (by role) makes them.
_PATH: dict[AlertState, tuple[tuple[str, Role, dict[str, str]], ...]] = {
    AlertState.NEW: (),
    AlertState.ACKNOWLEDGED: (("acknowledge", Role.DUTY_OFFICER, {}),),
    AlertState.ASSESSED: (
        ("acknowledge", Role.DUTY_OFFICER, {}),
        ("assess", Role.ANALYST, {"text": "Likely to continue.", "confidence": "moderate"}),
    ),
    AlertState.RESPONDED: (
        ("acknowledge", Role.DUTY_OFFICER, {}),
        ("assess", Role.ANALYST, {"text": "Likely to continue.", "confidence": "moderate"}),
        ("respond", Role.DUTY_OFFICER, {"text": "Border posts informed."}),
    ),
}


def insert_alert(
    conn: sa.Connection,
    org: str,
    *,
    state: AlertState = AlertState.NEW,
    severity: Severity = Severity.HIGH,
    unit: str = "KGZ",
    created: dt.datetime | None = None,
    due_in: dt.timedelta = dt.timedelta(hours=4),
    event_uids: tuple[str, ...] = (),
) -> int:
    """Store one alert of an organisation, two hours old, moved to ``state`` by its users."""
    now = dt.datetime.now(dt.UTC)
    created = created or now - dt.timedelta(hours=2)
    alert_id = conn.execute(
        alerts.insert().values(
            organisation=org,
            unit=unit,
            detector="surge",
            episode=f"{created.date().isoformat()}#{uuid.uuid4().hex[:12]}",
            severity=severity.value,
            state=AlertState.NEW.value,
            escalation_level=0,
            title=f"{unit}: surge of fatal violence",
            evidence={
                "triggers": [
                    {"day": "2024-05-01", "detector": "surge", "events": list(event_uids)}
                ],
                "events": list(event_uids),
            },
            model_version="surge-1",
            first_triggered=dt.date(2024, 5, 1),
            last_triggered=dt.date(2024, 5, 1),
            ack_due=created + due_in,
            due_step="acknowledge",
            due_at=created + due_in,
            created_at=created,
            updated_at=created,
        )
    ).inserted_primary_key[0]
    for i, (step, role, values) in enumerate(_PATH[state]):
        at = now - dt.timedelta(minutes=30 - i)
        moves.move(conn, alert_id, username(org, role), step, now=at, **values)
    return int(alert_id)


def insert_runs(conn: sa.Connection, panel_id: int) -> tuple[int, int]:
    """An older and a newer live run at country level (KGZ forecast) and an evaluation run."""
    common = {
        "level": "country",
        "panel_id": panel_id,
        "panel_key": "country",
        "panel_sha256": "0" * 64,
        "synthetic": False,
        "target": "ged_best",
        "train_first": 121,
        "train_last": 538,
        "steps": 2,
        "n_samples": 100,
        "seeds": [1],
        "models": [{"name": "conflictology", "version": "1", "params": {}}],
    }
    ids = []
    for kind, scores in (("live", None), ("live", None), ("evaluation", {"crps": {"zero": 0.4}})):
        ids.append(
            conn.execute(
                forecast_runs.insert().values(kind=kind, created_at=NOW, scores=scores, **common)
            ).inserted_primary_key[0]
        )
    for step in (1, 2):
        conn.execute(
            forecasts.insert().values(
                run_id=ids[1],
                model="conflictology",
                unit="KGZ",
                month_id=538 + step,
                step=step,
                p_positive=0.25 * step,
                mean=1.5,
                exceed=[0.2] * 10,
                **{column: float(i) for i, column in enumerate(QUANTILE_COLUMNS)},
            )
        )
    return int(ids[1]), int(ids[2])


def seed(settings: Settings, engine: sa.Engine, roles: tuple[Role, ...] = tuple(Role)) -> Node:
    """Organisations, users with keys for the given roles in NODE and PARTNER, and events."""
    node = Node(settings, engine)
    keys.ensure(settings.home)  # the node key that signs release decisions
    with engine.begin() as conn:
        create_organisation(conn, NODE_ORG, "Node CT centre", OrgKind.STATE, actor=audit.CLI)
        create_organisation(conn, PARTNER_ORG, "Kyrgyz CT centre", OrgKind.STATE, actor=audit.CLI)
        create_organisation(conn, OTHER_ORG, "UN regional centre", OrgKind.UN, actor=audit.CLI)
        for org in (NODE_ORG, PARTNER_ORG):
            for role in roles:
                create_user(conn, username(org, role), org, role, PASSWORD, actor=audit.CLI)
                key, _ = create_key(
                    conn, username(org, role), read_only=False, lifetime=None, actor=audit.CLI
                )
                node.keys[(org, role)] = key
        batch_id = conn.execute(
            batches.insert().values(
                uid=str(uuid.uuid4()),
                source="test",
                location="test",
                status="committed",
                started_at=NOW,
            )
        ).inserted_primary_key[0]
        node.panel_id = conn.execute(
            panels.insert().values(
                level="country",
                built_at=NOW,
                first_month_id=121,
                last_month_id=540,
                units=6,
                rows=2520,
                columns=["ged_best"],
                sources=["test"],
                synthetic=False,
                path="panels/country.parquet",
                sha256="0" * 64,
                feature_version="1",
                report={},
            )
        ).inserted_primary_key[0]
        node.live_run_id, node.evaluation_id = insert_runs(conn, node.panel_id)
        for org in (NODE_ORG, PARTNER_ORG):
            for marking in Marking:
                node.event_uids[(org, marking)] = insert_event(
                    conn, batch_id, owner=org, marking=marking
                )
            node.alert_ids[org] = insert_alert(conn, org)
    return node


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2id, with the smallest cost, so seeding dozens of users stays fast."""
    from argon2 import PasswordHasher

    from cawarn.accounts import passwords

    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def node_settings(backend: Settings) -> Settings:
    """The backend's settings for a node run by NODE_ORG, with a secret key."""
    return backend.model_copy(update={"organisation": NODE_ORG, "secret_key": SECRET})


@pytest.fixture
def node(node_settings: Settings, engine: sa.Engine) -> Node:
    """A seeded node with a user of every role in two organisations."""
    return seed(node_settings, engine)


@pytest.fixture
def client(node: Node) -> Iterator[TestClient]:
    """An in-process client of the node's app (https, so Secure cookies are sent back)."""
    app = create_app(node.settings, engine=node.engine)
    with TestClient(app, base_url="https://testserver") as test_client:
        yield test_client
