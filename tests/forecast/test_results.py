"""Stored evaluations and live forecasts, on SQLite and on PostgreSQL."""

from __future__ import annotations

import numpy as np
import pytest
import sqlalchemy as sa

from cawarn.config import Settings
from cawarn.domain import NotFoundError
from cawarn.forecast.results import get_run, list_runs, read_forecasts
from cawarn.forecast.service import evaluate, run_live
from cawarn.panel.model import Panel
from cawarn.panel.storage import save_panel
from tests.forecast.test_hurdle import FIRST, self_exciting_panel


def _save(engine: sa.Engine, settings: Settings) -> Panel:
    frame = self_exciting_panel(units=20, months=80)
    panel = Panel(
        frame=frame,
        level="admin1",
        name=None,
        sources=("synthetic:test",),
        synthetic=True,
        first_month_id=FIRST,
        last_month_id=FIRST + 79,
        targets=("fatalities", "events"),
        feature_version="1",
    )
    with engine.begin() as conn:
        return save_panel(conn, settings, panel)


def test_an_evaluation_is_stored_with_its_models_and_window(
    engine: sa.Engine, backend: Settings
) -> None:
    panel = _save(engine, backend)
    result = evaluate(
        engine,
        backend,
        level="admin1",
        name=None,
        test_start=FIRST + 60,
        test_end=FIRST + 62,
        steps=2,
        n_samples=100,
        models=["conflictology", "hurdle"],
        seeds=2,
    )
    with engine.connect() as conn:
        run = get_run(conn, None, kind="evaluation", level="admin1")
        listed = list_runs(conn, kind="evaluation")
    assert run["id"] == result.run_id == listed[0]["id"]
    assert (run["test_start"], run["test_end"], run["steps"]) == (FIRST + 60, FIRST + 62, 2)
    assert run["panel_id"] == panel.id and run["panel_sha256"] == panel.sha256
    assert run["seeds"] == [0, 1] and run["synthetic"] is True
    assert [m["name"] for m in run["models"]] == ["conflictology", "hurdle"]
    assert run["models"][1]["params"]["refit_every"] == 12
    assert run["scores"]["models"]["hurdle"]["overall"] == pytest.approx(
        result.scores["models"]["hurdle"]["overall"], nan_ok=True
    )
    assert run["report_path"] == str(result.report) and result.report.is_file()


def test_a_live_run_stores_a_summary_per_unit_and_step(
    engine: sa.Engine, backend: Settings
) -> None:
    _save(engine, backend)
    with engine.connect() as conn, pytest.raises(NotFoundError, match="forecast run"):
        get_run(conn, None, kind="live", level="admin1")
    run_id, panel, rows = run_live(
        engine, backend, level="admin1", name=None, steps=3, n_samples=300
    )
    assert rows == 20 * 3
    with engine.connect() as conn:
        stored = read_forecasts(conn, run_id)
        one = read_forecasts(conn, run_id, unit="U05")
    assert len(stored) == 60 and [r["step"] for r in one] == [1, 2, 3]
    assert {r["month_id"] for r in stored} == {panel.last_month_id + s for s in (1, 2, 3)}
    for r in stored:
        quantiles = [r[c] for c in ("q05", "q10", "q25", "q50", "q75", "q90", "q95")]
        assert quantiles == sorted(quantiles) and 0 <= r["p_positive"] <= 1
        assert r["exceed"][0] == pytest.approx(r["p_positive"], abs=1e-6)
        assert np.all(np.diff(r["exceed"]) <= 1e-9)
