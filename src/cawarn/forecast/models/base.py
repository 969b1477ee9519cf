"""The forecaster interface, and a base class that keeps the history as a months × units matrix."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import ClassVar, Protocol, Self, runtime_checkable

import numpy as np
import numpy.typing as npt
import pandas as pd

from cawarn.forecast.forecast import FloatArray, Forecast


@runtime_checkable
class Forecaster(Protocol):
    """What every model offers: fit on the history up to an origin, then sample steps ahead."""

    @property
    def name(self) -> str:
        """The model's name in reports."""
        ...

    def fit(self, history: pd.DataFrame) -> Self:
        """Learn from the history up to and including the origin, indexed by (month_id, unit).

        The frame holds the target (column ``target``) and the panel's features of each month.
        """
        ...

    def predict(
        self, horizons: Sequence[int], *, n_samples: int, rng: np.random.Generator
    ) -> Forecast:
        """Draw ``n_samples`` predictive samples per unit for each step in ``horizons``."""
        ...


def sorted_grid(history: pd.DataFrame) -> tuple[npt.NDArray[np.int64], pd.Index] | None:
    """Months and units when the frame is already a sorted, full month × unit grid."""
    index = history.index
    if not isinstance(index, pd.MultiIndex) or not index.is_monotonic_increasing:
        return None
    months = index.levels[0][index.codes[0]]
    first = int(np.searchsorted(months, months[0], side="right"))
    units = index.get_level_values(1)[:first]
    if len(history) % first:
        return None
    count = len(history) // first
    month_ids = np.asarray(months[::first], dtype=np.int64)
    if len(month_ids) != count or not (np.diff(month_ids) == 1).all():
        return None
    if not (index.codes[1].reshape(count, first) == index.codes[1][:first]).all():
        return None
    return month_ids, pd.Index(units, name="unit")


def history_matrix(history: pd.DataFrame | pd.Series) -> pd.DataFrame:
    """The target of a (month_id, unit) frame as a months × units matrix.

    The target is the column named ``target`` when there is one (the other columns are
    features), else the frame's only column.
    """
    grid = (
        sorted_grid(history)
        if isinstance(history, pd.DataFrame) and "target" in history.columns
        else None
    )
    if grid is not None:  # already a sorted full grid: reshape instead of unstacking
        months, units = grid
        values = history["target"].to_numpy(dtype=np.float64).reshape(len(months), len(units))
        fast = pd.DataFrame(values, index=pd.Index(months, name="month_id"), columns=units)
        if not np.isfinite(values).all():
            raise ValueError("history has missing unit-months or NaN values")
        if (values < 0).any():
            raise ValueError("history has negative values")
        return fast
    if isinstance(history, pd.Series):
        series = history
    elif "target" in history.columns:
        series = history["target"]
    elif history.shape[1] == 1:
        series = history.iloc[:, 0]
    else:
        raise ValueError(f"history has no 'target' column among {list(history.columns)}")
    if series.empty:
        raise ValueError("history is empty")
    matrix = series.astype(np.float64).unstack("unit").sort_index()
    if matrix.isna().to_numpy().any():
        raise ValueError("history has missing unit-months or NaN values")
    if (matrix.to_numpy() < 0).any():
        raise ValueError("history has negative values")
    months = matrix.index.to_numpy()
    if (np.diff(months) != 1).any():
        raise ValueError("history has gaps between months")
    return matrix


class MatrixForecaster(ABC):
    """A forecaster whose steps all share one distribution per unit, fitted on the last months."""

    name: ClassVar[str]

    def __init__(self) -> None:
        """Start unfitted."""
        self._origin: int | None = None
        self._units: pd.Index = pd.Index([])

    @property
    def origin(self) -> int:
        """The last month of the history fitted on."""
        if self._origin is None:
            raise RuntimeError(f"{self.name} is not fitted; call fit() first")
        return self._origin

    def fit(self, history: pd.DataFrame) -> Self:
        """Fit on the history (the target indexed by (month_id, unit), up to the origin)."""
        matrix = history_matrix(history)
        self._origin = int(matrix.index[-1])
        self._units = matrix.columns
        self._fit(matrix.to_numpy(dtype=np.float64, copy=True))
        return self

    @abstractmethod
    def _fit(self, values: FloatArray) -> None:
        """Fit on the history as an array of shape (months, units), oldest month first."""

    @abstractmethod
    def _sample(self, n_samples: int, rng: np.random.Generator) -> FloatArray:
        """Draw samples of shape (units, n_samples) for one step."""

    def predict(
        self, horizons: Sequence[int], *, n_samples: int, rng: np.random.Generator
    ) -> Forecast:
        """Draw ``n_samples`` samples per unit for each step (independent draws per step)."""
        origin = self.origin
        if n_samples < 1:
            raise ValueError(f"n_samples must be at least 1, got {n_samples}")
        steps = sorted(set(horizons))
        if not steps or steps[0] < 1:
            raise ValueError(f"horizons must be steps ≥ 1, got {list(horizons)}")
        samples = {step: self._sample(n_samples, rng) for step in steps}
        return Forecast(model=self.name, origin=origin, units=self._units, samples=samples)
