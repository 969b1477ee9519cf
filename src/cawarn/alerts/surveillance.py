"""Farrington (flexible) and EARS C of the R package ``surveillance``, run on the same series.

They are the standards of public-health outbreak detection and the yardstick for cawarn's own
detectors. R runs in a subprocess (``Rscript``); each method's alarm rule is turned into a score
so that its threshold can be calibrated exactly as cawarn's are:

* ``farrington``: ``farringtonFlexible`` (quasi-Poisson GLM on the same weeks of past years,
  negative-binomial plug-in threshold) reports the p-value of each week's count; the score is
  −log10(p). Its alarm rule "count above the (1 − α) bound" is "score above −log10 α", so
  calibrating the score threshold is tuning α. The rule needing 5 cases in the past 4 weeks
  (``limit54``) is off: the units here are too calm for it.
  Its p-value for a smaller count of the same week (a week's events so far) comes from the
  same plug-in, NB(size = μ0/(φ − 1), prob = 1/φ), or Poisson(μ0) when φ = 1, with R's μ0 and φ.
* ``ears``: ``earsC`` flags a week when the count exceeds mean + z·sd of the baseline weeks,
  z = Φ⁻¹(1 − α). Two runs (z = 1 and z = 2) give the mean and sd back; the score is
  (count − mean) / sd, so calibrating its threshold is tuning α. The sd is at least
  ``minSigma`` (0.5 here; the package's default 0 makes every first event after seven quiet weeks
  score +inf, so no threshold could tell one event from six in the calm units watched here).
"""

from __future__ import annotations

import math
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import nbinom, poisson  # type: ignore[import-untyped]

from cawarn.alerts.scores import FloatArray, Scores, stepped
from cawarn.alerts.series import CountSeries, Steps
from cawarn.domain import ConfigError


@dataclass(frozen=True)
class SurveillanceParams:
    """Settings of the two R methods (weekly data, 52 weeks a year)."""

    b: int = 3  # years back
    w: int = 3  # half-window of weeks around the same week of past years
    no_periods: int = 1  # 1 = Farrington's original; 10 = Noufaily's (twice as slow)
    past_weeks_not_included: int = 26
    ears_method: str = "C1"
    ears_baseline: int = 7
    ears_min_sigma: float = 0.5  # with 0, any event after seven quiet weeks scores +inf


def r_available() -> str | None:
    """The surveillance version if Rscript and the package are installed, else None."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    done = subprocess.run(
        [rscript, "-e", 'cat(as.character(packageVersion("surveillance")))'],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None


def require_r() -> str:
    """The surveillance version, or a ConfigError saying how to install it."""
    version = r_available()
    if version is None:
        raise ConfigError(
            "The comparison with Farrington and EARS needs R with the surveillance package "
            "(Debian: apt-get install r-cran-surveillance); install it or pass --no-r."
        )
    return version


def surveillance_scores(
    weekly: CountSeries,
    first: int,
    params: SurveillanceParams | None = None,
    within: Steps | None = None,
) -> tuple[Scores, Scores]:
    """Farrington and EARS scores of every unit-week from week index ``first`` on (NaN before).

    ``within`` (the running counts inside each week) adds the score after each day's events, so
    the peers' alarms are dated the same way as cawarn's.
    """
    p = params or SurveillanceParams()
    version = require_r()
    minimum = p.b * 52 + p.w + 1
    if first < minimum:
        raise ValueError(
            f"Farrington needs {minimum} weeks of history, the first judged is {first}"
        )
    script = files("cawarn.alerts").joinpath("surveillance.R")
    with tempfile.TemporaryDirectory(prefix="cawarn-surveillance-") as tmp:
        folder = Path(tmp)
        pd.DataFrame(weekly.counts, columns=list(weekly.units)).to_csv(
            folder / "counts.csv", index=False
        )
        with script.open("rb") as src, (folder / "surveillance.R").open("wb") as dst:
            dst.write(src.read())
        done = subprocess.run(
            [
                "Rscript",
                str(folder / "surveillance.R"),
                str(folder / "counts.csv"),
                str(first + 1),
                str(folder),
                str(p.b),
                str(p.w),
                str(p.no_periods),
                str(p.past_weeks_not_included),
                p.ears_method,
                str(p.ears_baseline),
                str(p.ears_min_sigma),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            tail = done.stderr.strip().splitlines()[-1:] or ["no message"]
            raise ConfigError(f"R's surveillance package failed: {tail[0]}")
        pvalue = _read(folder / "farrington_pvalue.csv", weekly, first)
        expected = _read(folder / "farrington_expected.csv", weekly, first)
        z1 = _read(folder / "ears_z1.csv", weekly, first)
        z2 = _read(folder / "ears_z2.csv", weekly, first)
        mu0 = _read(folder / "farrington_mu0.csv", weekly, first)
        phi = _read(folder / "farrington_phi.csv", weekly, first)
    observed = weekly.counts.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        far_score = -np.log10(np.clip(pvalue, 1e-300, 1.0))
        sd = z2 - z1
        mean = z1 - sd
        z = (observed - mean) / sd
        z = np.where(sd > 0, z, np.where(observed > mean, np.inf, 0.0))
    z = np.where(np.isnan(mean), np.nan, z)
    model = f"surveillance {version}"

    def far_partial(t: int, j: int, count: int) -> float:
        return -float(np.log10(max(_nb_plugin_tail(count, mu0[t, j], phi[t, j]), 1e-300)))

    def ears_partial(t: int, j: int, count: int) -> float:
        if sd[t, j] > 0:
            return float((count - mean[t, j]) / sd[t, j])
        return math.inf if count > mean[t, j] else 0.0

    far_steps = stepped(within or {}, far_score, far_partial)
    # Where R's own p-value of the week's full count is not reproduced, date by the week's end.
    far_steps = {
        key: steps
        for key, steps in far_steps.items()
        if math.isclose(steps[-1][1], far_score[key], rel_tol=1e-6, abs_tol=1e-9)
    }
    farrington = Scores(
        detector="farrington",
        params={
            "b": p.b,
            "w": p.w,
            "noPeriods": p.no_periods,
            "pastWeeksNotIncluded": p.past_weeks_not_included,
            "thresholdMethod": "nbPlugin",
        },
        score=far_score,
        expected=expected,
        model_version=model,
        ends=weekly.ends,
        units=weekly.units,
        observed=observed,
        steps=far_steps,
    )
    ears = Scores(
        detector="ears",
        params={
            "method": p.ears_method,
            "baseline": p.ears_baseline,
            "minSigma": p.ears_min_sigma,
        },
        score=z,
        expected=mean,
        model_version=model,
        ends=weekly.ends,
        units=weekly.units,
        observed=observed,
        steps=stepped(within or {}, z, ears_partial),
    )
    return farrington, ears


def _nb_plugin_tail(count: int, mu0: float, phi: float) -> float:
    """P(Y ≥ count) under Farrington's negative-binomial plug-in (surveillance's nbPlugin)."""
    if not (math.isfinite(mu0) and math.isfinite(phi)):
        return math.nan
    if phi != 1:
        return float(nbinom.sf(count - 1, mu0 / (phi - 1), 1 / phi))
    return float(poisson.sf(count - 1, mu0))


def _read(path: Path, weekly: CountSeries, first: int) -> FloatArray:
    """A judged-weeks result matrix from R, placed in a full (weeks, units) array of NaN."""
    values = pd.read_csv(path).to_numpy(dtype=np.float64)
    out = np.full(weekly.counts.shape, np.nan)
    out[first : first + values.shape[0]] = values
    return out
