"""The targets issue 4 sets the main model, checked on an evaluation's scores.

- Simulated panels: the main model beats every baseline on CRPS (lower) and on average precision
  (higher) at every step 1..6, and its CRPS is within 15 % of the oracle's (when the oracle ran).
- Real panels: the main model beats conflictology and ZINB on CRPS and average precision at
  every step evaluated (1..12 by default).

A tie is not a win. Each check is one row: what was compared, at which step, the two figures
and whether it passed, so a report can print every figure behind a verdict.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from cawarn.forecast.models import BASELINES, MAIN

SIMULATED_STEPS = 6
ORACLE_MARGIN = 0.15
REAL_RIVALS = ("conflictology", "zinb")


@dataclass(frozen=True)
class Check:
    """One comparison of the main model with a rival at one step."""

    score: str  # crps | ap | crps_vs_oracle
    step: int
    rival: str
    main: float
    other: float
    passed: bool


def check_targets(scores: dict[str, Any], *, synthetic: bool) -> list[Check]:
    """Every check that applies to an evaluation's ``--json`` object (empty if no main model)."""
    models = scores["models"]
    if MAIN not in models:
        return []
    steps = sorted(int(s) for s in models[MAIN]["by_step"])
    if synthetic:
        steps = [s for s in steps if s <= SIMULATED_STEPS]
        rivals = [name for name in BASELINES if name in models]
    else:
        rivals = [name for name in REAL_RIVALS if name in models]
    main = models[MAIN]["by_step"]
    checks: list[Check] = []
    for step in steps:
        ours = main[str(step)]
        for rival in rivals:
            theirs = models[rival]["by_step"][str(step)]
            checks.append(_check("crps", step, rival, ours["crps"], theirs["crps"], lower=True))
            checks.append(_check("ap", step, rival, ours["ap"], theirs["ap"], lower=False))
        if synthetic and "oracle" in models:
            oracle = models["oracle"]["by_step"][str(step)]["crps"]
            bound = None if oracle is None else oracle * (1 + ORACLE_MARGIN)
            ok = _finite(ours["crps"], bound) and ours["crps"] <= bound
            checks.append(Check("crps_vs_oracle", step, "oracle", ours["crps"], oracle, ok))
    return checks


def _finite(*values: Any) -> bool:
    return all(isinstance(v, int | float) and math.isfinite(v) for v in values)


def _check(score: str, step: int, rival: str, ours: Any, theirs: Any, *, lower: bool) -> Check:
    ok = _finite(ours, theirs) and (ours < theirs if lower else ours > theirs)
    nan = math.nan
    return Check(score, step, rival, ours if ours is not None else nan, theirs or nan, ok)


def summary(checks: list[Check]) -> str:
    """One line: how many checks passed, and the first failures."""
    if not checks:
        return "No target applies (the main model was not evaluated)."
    failed = [c for c in checks if not c.passed]
    if not failed:
        return f"Every target met: {len(checks)} of {len(checks)} checks passed."
    named = ", ".join(
        f"{c.score} step {c.step} vs {c.rival} ({c.main:.4g} vs {c.other:.4g})" for c in failed[:5]
    )
    more = f" and {len(failed) - 5} more" if len(failed) > 5 else ""
    return f"{len(checks) - len(failed)} of {len(checks)} checks passed; missed: {named}{more}."
