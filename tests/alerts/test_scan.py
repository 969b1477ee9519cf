"""The live scan's detectors: the CUSUM calibrated on the node's history, and the risk crossing
between the two newest live forecast runs."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from cawarn.alerts.scan import (
    ScanInput,
    ScanSettings,
    cusum_candidates,
    onset_candidates,
    risk_candidates,
    surge_candidates,
)
from cawarn.alerts.series import EventRecord
from cawarn.domain import Category
from cawarn.store.tables import FORECAST_QUANTILES, forecast_runs, forecasts

AS_OF = dt.date(2024, 6, 30)


def _history(burst: Category) -> ScanInput:
    events = []
    day = dt.date(2020, 1, 6)
    i = 0
    # Both units: one fatal clash every eight weeks for four years.
    while day < AS_OF - dt.timedelta(days=60):
        for unit in ("KG-OS", "KG-BA"):
            events.append(EventRecord(f"e{i}", day, unit, "KGZ", Category.ARMED_CLASH, 1))
            i += 1
        day += dt.timedelta(weeks=8)
    # Then, in the last three weeks, five deadly events a week in KG-OS.
    for week in range(3):
        for k in range(5):
            when = AS_OF - dt.timedelta(days=20 - 7 * week - k)
            events.append(EventRecord(f"b{week}{k}", when, "KG-OS", "KGZ", burst, 2))
    return ScanInput(as_of=AS_OF, events=events, units={"KG-OS": "KGZ", "KG-BA": "KGZ"})


def test_cusum_raises_the_burst_and_only_it() -> None:
    found = cusum_candidates(_history(Category.ARMED_CLASH), AS_OF, ScanSettings())
    assert found and {c.unit for c in found} == {"KG-OS"}
    assert all(AS_OF - dt.timedelta(days=35) < c.day <= AS_OF for c in found)
    assert all(c.detector == "cusum" and c.score > c.threshold for c in found)
    assert any(e.startswith("b") for c in found for e in c.event_ids)


def test_onset_raises_the_burst_and_only_it() -> None:
    found = onset_candidates(_history(Category.ARMED_CLASH), AS_OF, ScanSettings())
    assert found and {c.unit for c in found} == {"KG-OS"}
    assert all(AS_OF - dt.timedelta(days=35) < c.day <= AS_OF for c in found)
    assert all(c.detector == "onset" and c.score > c.threshold for c in found)
    assert any(e.startswith("b") for c in found for e in c.event_ids)


def test_a_burst_of_protest_raises_nothing() -> None:
    assert cusum_candidates(_history(Category.PROTEST), AS_OF, ScanSettings()) == []
    assert onset_candidates(_history(Category.PROTEST), AS_OF, ScanSettings()) == []
    assert surge_candidates(_history(Category.PROTEST), AS_OF, ScanSettings()) == []


def test_surge_raises_the_burst_with_its_forecast_as_evidence() -> None:
    found = surge_candidates(_history(Category.ARMED_CLASH), AS_OF, ScanSettings())
    assert found and {c.unit for c in found} == {"KG-OS"}
    assert all(AS_OF - dt.timedelta(days=35) < c.day <= AS_OF for c in found)
    for c in found:
        assert c.detector == "surge" and c.score > c.threshold
        assert c.params["model"] == "zinb" and c.params["n_samples"] == 1000
        assert c.observed >= 5 and c.expected < 1  # five a week against about one in eight
    assert any(e.startswith("b") for c in found for e in c.event_ids)


def test_surge_without_a_year_of_history_raises_nothing() -> None:
    recent = [
        EventRecord(f"e{k}", AS_OF - dt.timedelta(days=k), "KG-OS", "KGZ", Category.ARMED_CLASH, 3)
        for k in range(20)
    ]
    data = ScanInput(as_of=AS_OF, events=recent, units={"KG-OS": "KGZ"})
    assert surge_candidates(data, AS_OF, ScanSettings()) == []


def _run(conn: sa.Connection, origin: int, levels: dict[tuple[str, int], float]) -> int:
    run_id = conn.execute(
        forecast_runs.insert().values(
            kind="live",
            created_at=dt.datetime(2024, 7, 1, tzinfo=dt.UTC),
            level="admin1",
            panel_key="admin1",
            panel_sha256="",
            synthetic=False,
            target="fatalities",
            train_first=origin - 60,
            train_last=origin,
            steps=3,
            n_samples=100,
            seeds=[0],
            models=[{"name": "zinb", "version": "1", "params": {}}],
        )
    ).inserted_primary_key[0]
    for (unit, step), p in levels.items():
        quantiles = {f"q{round(q * 100):02d}": 0.0 for q in FORECAST_QUANTILES}
        conn.execute(
            forecasts.insert().values(
                run_id=run_id,
                model="zinb",
                unit=unit,
                month_id=origin + step,
                step=step,
                p_positive=p,
                mean=p,
                exceed={},
                **quantiles,
            )
        )
    return int(run_id)


def test_risk_alarms_where_the_newest_run_crosses_the_level(engine: sa.Engine) -> None:
    origin = (2024 - 1980) * 12 + 6  # June 2024
    with engine.begin() as conn:
        _run(conn, origin - 1, {("KG-OS", 1): 0.3, ("KG-BA", 1): 0.7, ("KG-DA", 1): 0.1})
        newest = _run(
            conn,
            origin,
            {("KG-OS", 1): 0.2, ("KG-OS", 2): 0.8, ("KG-BA", 1): 0.75, ("KG-DA", 4): 0.9},
        )
        found = risk_candidates(conn, ScanSettings(risk_level=0.5))
    # KG-OS crosses (step 2); KG-BA was above already; KG-DA only beyond step 3.
    assert [(c.unit, c.observed, c.expected) for c in found] == [("KG-OS", 0.8, 0.3)]
    assert found[0].day == dt.date(2024, 6, 30)
    assert found[0].params["forecast_run"] == newest
    assert found[0].model_version == "zinb 1"
