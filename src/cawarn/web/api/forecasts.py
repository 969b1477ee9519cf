"""Live forecasts and evaluations: each run names its model, panel, training window and scores.

Forecasts aggregate every event of the node, restricted ones included, so the roles that read
panels read them (:data:`cawarn.domain.access.Action.READ_FORECASTS`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel

from cawarn.domain import NotFoundError
from cawarn.domain.access import Action
from cawarn.forecast.results import QUANTILE_COLUMNS, get_run, list_runs, read_forecasts
from cawarn.web.api import schemas
from cawarn.web.deps import EngineDep, Principal, require, transaction

router = APIRouter(tags=["forecasts"], responses=schemas.ERRORS)

Reader = Annotated[Principal, Depends(require(Action.READ_FORECASTS))]
RunId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class Run(BaseModel):
    """A forecast run: what it learnt from and which models made it."""

    id: int
    kind: str
    created_at: schemas.UtcDateTime
    level: str
    panel_id: int | None
    panel_key: str
    panel_sha256: str
    synthetic: bool
    target: str
    train_first: int
    train_last: int
    test_start: int | None
    test_end: int | None
    steps: int
    n_samples: int
    seeds: list[int]
    models: list[dict[str, Any]]
    report_path: str | None


class Evaluation(Run):
    """An evaluation run with its scores (the ``forecast evaluate --json`` object)."""

    scores: dict[str, Any] | None


class UnitForecast(BaseModel):
    """One model's forecast for one unit and step: P(y > 0), the mean, quantiles, exceedances."""

    model: str
    month_id: int
    step: int
    p_positive: float
    mean: float
    quantiles: dict[str, float]
    exceed: list[float]


class UnitForecasts(BaseModel):
    """A live run's forecasts for one unit, by model and step."""

    run: Run
    unit: str
    forecasts: list[UnitForecast]


@router.get("/forecasts", response_model=list[Run])
def list_forecasts(
    engine: EngineDep,
    principal: Reader,
    run: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="One live run")] = None,
) -> list[Run]:
    """The newest live run of each level, or the one live run asked for."""
    with transaction(engine) as conn:
        if run is not None:
            return [Run.model_validate(get_run(conn, run, kind="live", level=None))]
        newest: dict[str, dict[str, Any]] = {}
        for row in list_runs(conn, kind="live"):
            newest.setdefault(row["level"], row)
    return [Run.model_validate(row) for row in newest.values()]


@router.get("/forecasts/{run_id}/units/{unit}", response_model=UnitForecasts)
def unit_forecasts(
    engine: EngineDep,
    principal: Reader,
    run_id: RunId,
    unit: Annotated[str, Path(min_length=1, max_length=40)],
) -> UnitForecasts:
    """One unit's forecasts in a live run, every model and step."""
    with transaction(engine) as conn:
        run = get_run(conn, run_id, kind="live", level=None)
        rows = read_forecasts(conn, run_id, unit=unit)
    if not rows:
        raise NotFoundError(f"Live run {run_id} has no forecast for unit {unit!r}.")
    return UnitForecasts(
        run=Run.model_validate(run),
        unit=unit,
        forecasts=[
            UnitForecast(
                model=row["model"],
                month_id=row["month_id"],
                step=row["step"],
                p_positive=row["p_positive"],
                mean=row["mean"],
                quantiles={column: row[column] for column in QUANTILE_COLUMNS},
                exceed=row["exceed"],
            )
            for row in rows
        ],
    )


@router.get("/evaluations", response_model=list[Run])
def list_evaluations(engine: EngineDep, principal: Reader) -> list[Run]:
    """Every evaluation run, newest first (scores are in each run's own page)."""
    with transaction(engine) as conn:
        return [Run.model_validate(row) for row in list_runs(conn, kind="evaluation")]


@router.get("/evaluations/{run_id}", response_model=Evaluation)
def read_evaluation(engine: EngineDep, principal: Reader, run_id: RunId) -> Evaluation:
    """One evaluation run with its scores by model and horizon."""
    with transaction(engine) as conn:
        return Evaluation.model_validate(get_run(conn, run_id, kind="evaluation", level=None))
