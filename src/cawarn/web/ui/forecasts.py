"""The forecasts page: risk maps by horizon, and the newest evaluation with its plots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from cawarn.domain import NotFoundError
from cawarn.domain.access import Action
from cawarn.forecast.report import SCORES
from cawarn.forecast.results import get_run
from cawarn.web.deps import transaction
from cawarn.web.ui import data
from cawarn.web.ui.auth import PageNotFound, UserDep, require_page
from cawarn.web.ui.i18n import Formats
from cawarn.web.ui.pages import map_data, units_geojson
from cawarn.web.ui.render import language, render

router = APIRouter(include_in_schema=False)

#: The horizons the page maps, in months ahead.
HORIZONS = (1, 3, 6, 12)
#: The plots an evaluation's report holds (nothing else in its folder is served).
PLOTS = ("skill_by_step.png", "reliability.png", "pit.png")


def _evaluation(conn: Any) -> dict[str, Any] | None:
    try:
        return get_run(conn, None, kind="evaluation", level=None)
    except NotFoundError:
        return None


@router.get("/forecasts")
def forecasts_page(request: Request, principal: UserDep) -> Response:
    """The newest live forecast mapped at several horizons, and the newest evaluation."""
    require_page(principal, Action.READ_PANELS)
    fmt = Formats(language(request))
    maps: list[dict[str, Any]] = []
    with transaction(request.app.state.engine) as conn:
        run = data.latest_live(conn)
        if run is not None:
            for step in HORIZONS:
                if step > run["steps"]:
                    continue
                risk = data.risk_by_unit(conn, run, step)
                maps.append(
                    {
                        "step": step,
                        "month": fmt.month(run["train_last"] + step),
                        "data": map_data(risk, fmt.language),
                    }
                )
        evaluation = _evaluation(conn)
        geojson = units_geojson(request, conn)
    scores = (evaluation or {}).get("scores") or {}
    models: dict[str, Any] = scores.get("models", {})
    plots: list[str] = []
    if evaluation and evaluation.get("report_path"):
        folder = Path(evaluation["report_path"]).parent
        plots = [name for name in PLOTS if (folder / name).is_file()]
    steps = list(next(iter(models.values()))["by_step"]) if models else []
    return render(
        request,
        "forecasts.html",
        {
            "principal": principal,
            "run": run,
            "maps": maps,
            "units": geojson,
            "evaluation": evaluation,
            "window": scores.get("window", {}),
            "models": models,
            "score_names": SCORES,
            "steps": steps,
            "plots": plots,
        },
    )


@router.get("/forecasts/evaluations/{run_id}/{name}")
def evaluation_plot(request: Request, principal: UserDep, run_id: int, name: str) -> Response:
    """One plot of an evaluation's report."""
    require_page(principal, Action.READ_PANELS)
    if name not in PLOTS:
        raise PageNotFound
    with transaction(request.app.state.engine) as conn:
        try:
            run = get_run(conn, run_id, kind="evaluation", level=None)
        except NotFoundError:
            raise PageNotFound from None
    if not run.get("report_path"):
        raise PageNotFound
    path = Path(run["report_path"]).parent / name
    if not path.is_file():
        raise PageNotFound
    return FileResponse(path, media_type="image/png")
