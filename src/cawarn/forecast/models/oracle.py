"""The oracle: a simulated scenario's own expected counts, the best score a model can approach.

A scenario (``cawarn scenario generate``) writes, per unit-month, λ: the expected number of
violent events given everything drawn before that month. Violent events are Poisson(λ) and the
deaths of each are independent draws of a known capped Pareto (``best_pmf``), so the target's
exact distribution is compound Poisson: fatalities = the sum of N ~ Poisson(λ) draws of deaths;
fatal events are Poisson(λ · (1 − p_zero_deaths)); events are Poisson(λ).

λ is one step ahead: for step h > 1 the oracle still uses the λ of the month it forecasts, which
knows the months in between, so beyond step 1 it is a bound no model can reach rather than the
h-step optimum (docs/scenario.md). Country panels sum λ over each country's units (a sum of
independent compound Poisson counts with the same deaths is compound Poisson with the summed λ).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Self

import numpy as np
import pandas as pd

from cawarn.domain import InputError
from cawarn.forecast.forecast import FloatArray, Forecast
from cawarn.forecast.models.base import history_matrix
from cawarn.scenario.fatalities import best_pmf
from cawarn.scenario.params import ScenarioParams

#: Targets the oracle knows the distribution of.
ORACLE_TARGETS = ("fatalities", "fatal_events", "events")


class OracleForecaster:
    """Samples from a scenario's exact one-step distribution (see the module docstring)."""

    name = "oracle"

    def __init__(
        self, expected: pd.DataFrame, pmf: FloatArray, target: str, source: str = ""
    ) -> None:
        """``expected``: λ as a months × units matrix; ``pmf``: P(deaths of one event = k)."""
        if target not in ORACLE_TARGETS:
            raise InputError(
                f"The oracle knows {', '.join(ORACLE_TARGETS)}, not {target}; "
                "evaluate one of those targets or leave out --scenario."
            )
        self.expected = expected
        self.cdf = np.cumsum(pmf)
        self.p_zero = float(pmf[0])
        self.target = target
        self.source = source
        self._origin: int | None = None
        self._units: pd.Index = pd.Index([])

    def describe(self) -> dict[str, object]:
        """Name, version and what it was read from."""
        return {"name": self.name, "version": "1", "params": {"scenario": self.source}}

    def fit(self, history: pd.DataFrame) -> Self:
        """Note the origin and the units; the oracle learns nothing."""
        matrix = history_matrix(history)
        self._origin = int(matrix.index[-1])
        self._units = matrix.columns
        return self

    def predict(
        self, horizons: Sequence[int], *, n_samples: int, rng: np.random.Generator
    ) -> Forecast:
        """Draw from the exact distribution of the month each step forecasts."""
        if self._origin is None:
            raise RuntimeError("oracle is not fitted; call fit() first")
        samples = {}
        for step in sorted(set(horizons)):
            month = self._origin + step
            if month not in self.expected.index:
                raise InputError(f"The scenario's truth has no month {month} to forecast.")
            lam = self.expected.loc[month].reindex(self._units, fill_value=0.0).to_numpy()
            samples[step] = self._draw(np.asarray(lam, dtype=np.float64), n_samples, rng)
        return Forecast(model=self.name, origin=self._origin, units=self._units, samples=samples)

    def _draw(self, lam: FloatArray, n_samples: int, rng: np.random.Generator) -> FloatArray:
        size = (lam.size, n_samples)
        if self.target == "events":
            return rng.poisson(lam[:, None], size=size).astype(np.float64)
        if self.target == "fatal_events":
            return rng.poisson(lam[:, None] * (1 - self.p_zero), size=size).astype(np.float64)
        counts = rng.poisson(lam[:, None], size=size).ravel()
        deaths = np.searchsorted(self.cdf, rng.random(int(counts.sum())), side="right")
        np.minimum(deaths, self.cdf.size - 1, out=deaths)  # cdf[-1] may round below 1
        owner = np.repeat(np.arange(counts.size), counts)
        total = np.bincount(owner, weights=deaths.astype(np.float64), minlength=counts.size)
        return np.asarray(total, dtype=np.float64).reshape(size)


def load_oracle(scenario: Path, level: str, target: str) -> OracleForecaster:
    """The oracle of a scenario folder for a panel level (country, admin1 or pgm)."""
    meta_path = scenario / "scenario.json"
    if not meta_path.is_file():
        raise InputError(
            f"{scenario} holds no scenario.json; give the folder `cawarn scenario generate` wrote."
        )
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    params = ScenarioParams(**{k: v for k, v in meta["params"].items()})
    if level == "pgm":
        truth = _read(scenario / "truth_pgm.csv", "priogrid_gid")
    else:
        truth = _read(scenario / "truth_admin1.csv", "unit")
        if level == "country":
            truth = truth.assign(unit=truth["country"])
    expected = truth.groupby(["month_id", "unit"])["expected_violent"].sum().unstack(fill_value=0)
    source = str(meta.get("id", scenario))
    return OracleForecaster(expected.astype(np.float64), best_pmf(params), target, source)


def _read(path: Path, unit_column: str) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"The scenario has no {path.name}; regenerate it with this version.")
    frame = pd.read_csv(
        path,
        usecols=["month_id", unit_column, "country", "expected_violent"],
        dtype={unit_column: str if unit_column == "unit" else np.int64, "country": str},
    )
    return frame.rename(columns={unit_column: "unit"})
