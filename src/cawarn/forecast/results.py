"""Stored forecast results: evaluations and live forecasts, each with its model and data window.

A run is one row of ``forecast_runs`` (kind ``evaluation`` or ``live``) naming the panel (key, id
and sha256 of its file), the target, the months learnt from, the steps, the samples, the seeds
and every model's name, version and parameters. An evaluation keeps its scores (the
``forecast evaluate --json`` object); a live run keeps, per model, unit and step, P(y > 0), the
mean, seven quantiles and the probabilities of exceeding the ViEWS bin edges (``forecasts``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy import Connection, insert, select

from cawarn.domain import NotFoundError
from cawarn.forecast.forecast import FloatArray
from cawarn.forecast.metrics import VIEWS_BINS
from cawarn.panel.model import Panel
from cawarn.store.tables import FORECAST_QUANTILES, forecast_runs, forecasts

#: The thresholds of ``exceed``: P(y > t) for each inner ViEWS bin edge.
EXCEED_AT = tuple(b for b in VIEWS_BINS if b > 0)
QUANTILE_COLUMNS = tuple(f"q{round(q * 100):02d}" for q in FORECAST_QUANTILES)


def summarise(samples: FloatArray) -> dict[str, FloatArray]:
    """Per row of (units, S) samples: p_positive, mean, the stored quantiles, exceedances."""
    out: dict[str, FloatArray] = {
        "p_positive": np.mean(samples > 0, axis=1),
        "mean": np.mean(samples, axis=1),
    }
    quantiles = np.quantile(samples, FORECAST_QUANTILES, axis=1)
    for column, values in zip(QUANTILE_COLUMNS, quantiles, strict=True):
        out[column] = np.asarray(values, dtype=np.float64)
    out["exceed"] = np.stack([np.mean(samples > t, axis=1) for t in EXCEED_AT], axis=1)
    return out


def create_run(
    conn: Connection,
    *,
    kind: str,
    panel: Panel,
    target: str,
    train_first: int,
    train_last: int,
    steps: int,
    n_samples: int,
    seeds: Sequence[int],
    models: Sequence[Mapping[str, Any]],
    test_start: int | None = None,
    test_end: int | None = None,
    scores: Mapping[str, Any] | None = None,
) -> int:
    """Record a run; returns its id."""
    result = conn.execute(
        insert(forecast_runs).values(
            kind=kind,
            created_at=dt.datetime.now(dt.UTC),
            level=panel.level,
            panel_id=panel.id,
            panel_key=panel.key,
            panel_sha256=panel.sha256 or "",
            synthetic=panel.synthetic,
            target=target,
            train_first=train_first,
            train_last=train_last,
            test_start=test_start,
            test_end=test_end,
            steps=steps,
            n_samples=n_samples,
            seeds=list(seeds),
            models=[dict(m) for m in models],
            scores=None if scores is None else dict(scores),
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def set_report(conn: Connection, run_id: int, path: str) -> None:
    """Record where a run's report was written."""
    conn.execute(
        forecast_runs.update().where(forecast_runs.c.id == run_id).values(report_path=path)
    )


def add_forecasts(
    conn: Connection,
    run_id: int,
    model: str,
    origin: int,
    step: int,
    units: Sequence[Any],
    samples: FloatArray,
) -> int:
    """Store the summary of one model's samples for one step; returns the rows written."""
    summary = summarise(samples)
    rows = []
    for i, unit in enumerate(units):
        row: dict[str, Any] = {
            "run_id": run_id,
            "model": model,
            "unit": str(unit),
            "month_id": origin + step,
            "step": step,
            "p_positive": float(summary["p_positive"][i]),
            "mean": float(summary["mean"][i]),
            "exceed": [round(float(v), 6) for v in summary["exceed"][i]],
        }
        for column in QUANTILE_COLUMNS:
            row[column] = float(summary[column][i])
        rows.append(row)
    if rows:
        conn.execute(insert(forecasts), rows)
    return len(rows)


def get_run(
    conn: Connection, run_id: int | None, *, kind: str, level: str | None
) -> dict[str, Any]:
    """A run by id, or the newest of a kind (and level); NotFoundError names what is missing."""
    query = select(forecast_runs).where(forecast_runs.c.kind == kind)
    if run_id is not None:
        query = query.where(forecast_runs.c.id == run_id)
    if level is not None:
        query = query.where(forecast_runs.c.level == level)
    row = conn.execute(query.order_by(forecast_runs.c.id.desc()).limit(1)).mappings().first()
    if row is None:
        what = f"run {run_id}" if run_id is not None else f"{kind} run"
        where = f" at level {level}" if level else ""
        hint = (
            "run `cawarn forecast run --level L` first"
            if kind == "live"
            else "run `cawarn forecast evaluate` first"
        )
        raise NotFoundError(f"There is no {kind} {what}{where} in the store; {hint}.")
    return dict(row)


def list_runs(conn: Connection, *, kind: str | None = None) -> list[dict[str, Any]]:
    """Every run, newest first, without the scores."""
    columns = [c for c in forecast_runs.c if c.name != "scores"]
    query = select(*columns).order_by(forecast_runs.c.id.desc())
    if kind is not None:
        query = query.where(forecast_runs.c.kind == kind)
    return [dict(r) for r in conn.execute(query).mappings()]


def read_forecasts(
    conn: Connection, run_id: int, *, model: str | None = None, unit: str | None = None
) -> list[dict[str, Any]]:
    """A live run's rows, by model, unit and step."""
    query = select(forecasts).where(forecasts.c.run_id == run_id)
    if model is not None:
        query = query.where(forecasts.c.model == model)
    if unit is not None:
        query = query.where(forecasts.c.unit == unit)
    query = query.order_by(forecasts.c.model, forecasts.c.unit, forecasts.c.step)
    return [dict(r) for r in conn.execute(query).mappings()]
