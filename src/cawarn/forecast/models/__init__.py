"""Forecasting models behind one interface; the ViEWS baselines first."""

from __future__ import annotations

from collections.abc import Callable

from cawarn.domain import InputError
from cawarn.forecast.models.base import Forecaster, MatrixForecaster, history_matrix
from cawarn.forecast.models.baselines import (
    ConflictologyForecaster,
    LastForecaster,
    MeanForecaster,
    ZeroForecaster,
)
from cawarn.forecast.models.zinb import ZinbForecaster, ZinbParams, fit_zinb

#: The baselines by name, in the order they are reported.
BASELINES: dict[str, Callable[[], Forecaster]] = {
    "zero": ZeroForecaster,
    "last": LastForecaster,
    "mean60": MeanForecaster,
    "conflictology": ConflictologyForecaster,
    "zinb": ZinbForecaster,
}


def make_models(names: list[str] | None = None) -> list[Forecaster]:
    """Fresh forecasters by name (default: every baseline); an unknown name is an InputError."""
    wanted = names if names else list(BASELINES)
    unknown = [name for name in wanted if name not in BASELINES]
    if unknown:
        raise InputError(
            f"Unknown model {', '.join(unknown)}; the models are {', '.join(BASELINES)}."
        )
    return [BASELINES[name]() for name in dict.fromkeys(wanted)]


__all__ = [
    "BASELINES",
    "ConflictologyForecaster",
    "Forecaster",
    "LastForecaster",
    "MatrixForecaster",
    "MeanForecaster",
    "ZeroForecaster",
    "ZinbForecaster",
    "ZinbParams",
    "fit_zinb",
    "history_matrix",
    "make_models",
]
