"""Forecasts at every month end of a monthly series, shared by the surge and risk detectors.

At the end of month m a fresh forecaster (named as in :func:`cawarn.forecast.models.make_models`,
so the main model plugs in by name) is fitted on the counts of months 0..m and draws samples of
months m+1..m+steps. The surge detector reads step 1 of the month before a week's month; the risk
detector reads steps 1..steps of the latest month.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from cawarn.alerts.series import CountSeries
from cawarn.forecast.models import Forecaster, make_models

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class MonthlyForecasts:
    """``samples[m][h]``: integer samples (units, S) for month m + h, made at the end of m."""

    model: str
    steps: int
    n_samples: int
    samples: dict[int, dict[int, IntArray]]


def monthly_history(monthly: CountSeries, last: int) -> pd.DataFrame:
    """The monthly counts of periods 0..last as a (month_id, unit) frame for a Forecaster."""
    months = [(d.year - 1980) * 12 + d.month for d in monthly.starts[: last + 1]]
    index = pd.MultiIndex.from_product([months, list(monthly.units)], names=["month_id", "unit"])
    values = monthly.counts[: last + 1].astype(np.float64).ravel()
    return pd.DataFrame({"y": values}, index=index)


@contextmanager
def single_threaded() -> Iterator[None]:
    """BLAS on one thread: the many small fits run tens of times slower when threads contend."""
    with threadpool_limits(limits=1):
        yield


def monthly_forecasts(
    monthly: CountSeries,
    *,
    model: str = "zinb",
    steps: int = 3,
    n_samples: int = 1000,
    min_history_months: int = 12,
    seed: int = 0,
    factory: Callable[[], Forecaster] | None = None,
    first_origin: int = 0,
) -> MonthlyForecasts:
    """Fit and sample at every month end with at least ``min_history_months`` of history.

    ``first_origin`` skips the month ends before it (a live scan needs only its recent months).
    """
    make = factory or (lambda: make_models([model])[0])
    rng = np.random.default_rng(seed)
    out: dict[int, dict[int, IntArray]] = {}
    name = model
    with single_threaded():
        for m in range(max(min_history_months - 1, first_origin), monthly.counts.shape[0]):
            fitted = make().fit(monthly_history(monthly, m))
            name = fitted.name
            forecast = fitted.predict(range(1, steps + 1), n_samples=n_samples, rng=rng)
            out[m] = {h: np.rint(x).astype(np.int64) for h, x in forecast.samples.items()}
    return MonthlyForecasts(model=name, steps=steps, n_samples=n_samples, samples=out)
