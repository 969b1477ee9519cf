"""The design tensor a learnt model reads: panel features per (month, unit), with no look-ahead.

The panel's own columns (lags, decays, spatial and cross-border sums, static features, and the
current month's targets) are known at the end of their month. On top of them, a few features of
the target's own history that let a model reproduce the baselines it must beat: the unit's mean
over 12, 36 and 60 months and over its whole past, the share of months above 0 over the same
windows, and the recent typical size of a positive month. Every feature in row t uses months
≤ t only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from cawarn.forecast.models.base import history_matrix, sorted_grid

Float32Tensor = npt.NDArray[np.float32]

#: Windows (months) of the unit's own rolling mean and, for 36, its share of active months.
OWN_WINDOWS = (12, 36, 60)


@dataclass(frozen=True)
class Design:
    """``x[t, u, f]``: feature f of unit u at month t; ``y[t, u]``: the target."""

    months: npt.NDArray[np.int64]
    units: pd.Index
    names: tuple[str, ...]
    x: Float32Tensor
    y: npt.NDArray[np.float64]

    @property
    def origin(self) -> int:
        """The last month."""
        return int(self.months[-1])


def _rolling_mean(y: npt.NDArray[np.float64], window: int) -> npt.NDArray[np.float64]:
    total = np.cumsum(y, axis=0)
    out = total.copy()
    out[window:] -= total[:-window]
    counts = np.minimum(np.arange(1, y.shape[0] + 1), window)[:, None]
    return np.asarray(out / counts, dtype=np.float64)


def recent_size(y: npt.NDArray[np.float64], half_life: float) -> npt.NDArray[np.float64]:
    """The recent typical size of a positive month: exp of an exponentially weighted mean of
    log(y) over the months above 0 (weights halve every ``half_life`` positive months); 0 until
    the first positive month. Robust to one huge month, quick to follow a change of level."""
    alpha = 1 - 2 ** (-1 / half_life)
    level = np.full(y.shape[1], np.nan)
    out = np.zeros_like(y)
    with np.errstate(divide="ignore"):
        logs = np.log(y)
    for t in range(y.shape[0]):
        active = y[t] > 0
        fresh = active & np.isnan(level)
        level[fresh] = logs[t, fresh]
        seen = active & ~fresh
        level[seen] += alpha * (logs[t, seen] - level[seen])
        out[t] = np.where(np.isnan(level), 0.0, np.exp(level))
    return out


def own_history(y: npt.NDArray[np.float64]) -> dict[str, npt.NDArray[np.float64]]:
    """Rolling and expanding means of the target and of y > 0, and the recent positive size."""
    out = {f"own_mean{w}": _rolling_mean(y, w) for w in OWN_WINDOWS}
    out["own_mean_all"] = np.cumsum(y, axis=0) / np.arange(1, y.shape[0] + 1)[:, None]
    out["own_active36"] = _rolling_mean((y > 0).astype(np.float64), 36)
    out["own_active12"] = _rolling_mean((y > 0).astype(np.float64), 12)
    out["own_active60"] = _rolling_mean((y > 0).astype(np.float64), 60)
    out["own_active_all"] = np.cumsum(y > 0, axis=0) / np.arange(1, y.shape[0] + 1)[:, None]
    out["own_size_hl2"] = recent_size(y, 2)
    return out


def build_design(history: pd.DataFrame) -> Design:
    """The design of a (month_id, unit) frame with a ``target`` column and numeric features.

    Non-numeric columns (the unit's country) are left out; the rows must form a full grid.
    A frame already sorted by (month_id, unit), as the backtest passes it, is read without a
    copy-and-sort.
    """
    numeric = [
        c
        for c in history.columns
        if c != "target" and pd.api.types.is_numeric_dtype(history[c].dtype)
    ]
    grid = sorted_grid(history) if "target" in history.columns else None
    if grid is None:
        matrix = history_matrix(history)
        months = matrix.index.to_numpy(dtype=np.int64)
        units = matrix.columns
        y = matrix.to_numpy(dtype=np.float64)
        frame = history[numeric].sort_index()
    else:
        months, units = grid
        y = history["target"].to_numpy(dtype=np.float64).reshape(len(months), len(units))
        if not np.isfinite(y).all() or (y < 0).any():
            raise ValueError("history has missing, NaN or negative values")
        frame = history[numeric]
    if len(frame) != y.size:
        raise ValueError("the history's feature rows do not form a full month × unit grid")
    columns: dict[str, npt.NDArray[np.float64]] = {"target": y}
    columns.update(own_history(y))
    names = (*columns, *numeric)
    x = np.empty((len(months), len(units), len(names)), dtype=np.float32)
    for i, values in enumerate(columns.values()):
        x[:, :, i] = values
    if numeric:
        x[:, :, len(columns) :] = frame.to_numpy(dtype=np.float32).reshape(
            len(months), len(units), len(numeric)
        )
    return Design(months=months, units=units, names=tuple(names), x=x, y=y)
