"""Forecasting models behind one interface; the ViEWS baselines first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cawarn.domain import InputError
from cawarn.forecast.models.base import Forecaster, MatrixForecaster, history_matrix
from cawarn.forecast.models.baselines import (
    ConflictologyForecaster,
    LastForecaster,
    MeanForecaster,
    ZeroForecaster,
)
from cawarn.forecast.models.hurdle import HurdleForecaster, HurdleParams
from cawarn.forecast.models.zinb import ZinbForecaster, ZinbParams, fit_zinb

#: The baselines by name, in the order they are reported.
BASELINES: dict[str, Callable[[], Forecaster]] = {
    "zero": ZeroForecaster,
    "last": LastForecaster,
    "mean60": MeanForecaster,
    "conflictology": ConflictologyForecaster,
    "zinb": ZinbForecaster,
}


#: The main model, which must beat every baseline.
MAIN = "hurdle"

#: Every model by name: the baselines, then the main model.
MODELS: dict[str, Callable[[], Forecaster]] = {**BASELINES, MAIN: HurdleForecaster}


def make_models(names: list[str] | None = None, *, seed: int = 0) -> list[Forecaster]:
    """Fresh forecasters by name (default: every model); an unknown name is an InputError.

    ``seed`` seeds the training of learnt models (the main model); baselines learn nothing random.
    """
    return [
        HurdleForecaster(seed=seed) if name == MAIN else MODELS[name]()
        for name in model_names(names)
    ]


def model_names(names: list[str] | None) -> list[str]:
    """Model names in the order given, once each (default: every model); unknown ones refused."""
    wanted = list(dict.fromkeys(names)) if names else list(MODELS)
    unknown = [name for name in wanted if name not in MODELS]
    if unknown:
        raise InputError(f"Unknown model {', '.join(unknown)}; the models are {', '.join(MODELS)}.")
    return wanted


def describe(model: Forecaster) -> dict[str, Any]:
    """A model's name, version and parameters, as stored with its results."""
    own = getattr(model, "describe", None)
    if callable(own):
        return dict(own())
    params = {
        k: v
        for k, v in vars(model).items()
        if not k.startswith("_") and isinstance(v, str | int | float | bool)
    }
    return {"name": model.name, "version": "1", "params": params}


__all__ = [
    "BASELINES",
    "MAIN",
    "MODELS",
    "ConflictologyForecaster",
    "Forecaster",
    "HurdleForecaster",
    "HurdleParams",
    "LastForecaster",
    "MatrixForecaster",
    "MeanForecaster",
    "ZeroForecaster",
    "ZinbForecaster",
    "ZinbParams",
    "describe",
    "fit_zinb",
    "history_matrix",
    "make_models",
    "model_names",
]
