"""Alert benchmark: cawarn's detectors beside Farrington and EARS (R surveillance) on onsets.

Generates a scenario (seed 1, 2000-01..2024-12, the six countries, boundaries from
``../shared/data/boundaries``) and runs the evaluation of ``cawarn alerts evaluate`` on its
Central Asian units: every detector, Farrington and EARS included, gets its threshold from the
same rule (at most the target number of alerts per 100 unit-months), first calibrated on the
calibration years (what a node would do), then matched on the test years (every detector at
exactly the same false-alarm rate). It prints POD within 30 days of onset, false alarms per 100
unit-months and median delay, and says PASS or MISS for the target: at an equal false-alarm
rate, a higher POD and a shorter median delay than both Farrington and EARS.

The default campaign rate (0.25 onsets a year over Central Asia) leaves about four onsets in a
test period, too few to measure a POD; the benchmark raises it to ``--campaign-rate`` (2 a year,
so about forty onsets), which changes nothing else in the process. ``--default-params`` keeps the
scenario's defaults.

``--seeds 1 4 5`` evaluates several scenarios as one panel of their units (each scored on its own,
its R scores cached in its folder, then pooled: every detector's threshold is set on all of them),
so a POD and a median delay rest on about three times the onsets. Seeds 2 and 3 are the tuning
scenarios; report only seeds never used to choose a parameter.

``--informed`` adds a reference row that no node could run: ``informed``, a Poisson CUSUM over
the days of fatal events that is *told* each unit's true rate of fatal events month by month
(background and excitation, from the scenario's ``truth_admin1.csv``) and the campaigns' median
size. It is not a candidate and gets no verdict; it shows how early an onset can be found at all
at a given false-alarm rate, since a campaign's first events look like any other events.
``--informed 0.5 2`` adds rows at other shifts c (events per day), one each
(``informed c=0.5``, ...): a larger c forgets faster and trades detections for speed, so the rows
trace what the best-informed CUSUM can reach on both figures at once.

    .venv/bin/python benchmarks/alerts.py [--seed 1 | --seeds 1 4 5] [--rates 0.5 1 2]
                                          [--campaign-rate 2] [--default-params] [--no-r]
                                          [--reuse] [--informed [C ...]] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pickle
import platform
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from cawarn.alerts.calibrate import break_ties
from cawarn.alerts.comparison import (
    EvaluationSettings,
    compute_scores,
    evaluate_scored,
    mask_before,
    pool_scored,
    pooled,
    windows_for,
)
from cawarn.alerts.scenario_files import read_scenario
from cawarn.alerts.scores import Scores
from cawarn.alerts.series import CountSeries, Steps, count_series, period_steps
from cawarn.alerts.surveillance import r_available
from cawarn.domain.geography import AdminUnit
from cawarn.geo.boundaries import read_boundary_folder
from cawarn.scenario import ScenarioParams, generate
from cawarn.scenario.ged_csv import adm1_label

REPO = Path(__file__).resolve().parent.parent
BOUNDARIES = REPO.parent / "shared" / "data" / "boundaries"
COUNTRIES = ["AFG", "KAZ", "KGZ", "TJK", "TKM", "UZB"]
OURS = ("surge", "cusum", "onset", "risk")
PEERS = ("farrington", "ears")


def informed_scores(
    folder: Path,
    units: Sequence[tuple[AdminUnit, BaseGeometry]],
    settings: EvaluationSettings,
    shifts: Sequence[float | None] = (None,),
) -> list[Scores]:
    """The ``informed`` reference: a Poisson CUSUM told the scenario's true rates (see above).

    Between a unit's fatal events S falls by c per day (floored at 0); each event adds
    log(1 + c / λ), λ the unit's true rate of fatal events per day in the event's month and c the
    campaigns' median size per day (or each of ``shifts``, one Scores each). A week's score is
    S's highest value after its events; an alarm is dated by the first event day that took S
    over the threshold.
    """
    data = pooled([read_scenario(folder)], settings.countries)
    names = list(data.countries)
    weekly = count_series(
        data.events, freq="week", first=data.first, last=data.last, units=names,
        countries=data.countries,
    )  # fmt: skip
    within = period_steps(data.events, weekly)
    _, first_week = windows_for(weekly, data.first, data.last, settings)
    meta = json.loads((folder / "scenario.json").read_text(encoding="utf-8"))
    params, scale = meta["params"], float(meta["arguments"].get("scale", 1.0))
    median = scale * float(params["campaign_size_median"]) / (365.25 / 12)
    fatal = 1.0 - float(params["p_zero_deaths"])
    key = {u.code: f"{u.country}:{adm1_label(u.country, u.name_en)}" for u, _ in units}
    truth = pd.read_csv(folder / "truth_admin1.csv", keep_default_na=False)
    truth = truth[truth["country"] != "AFG"]
    month_days = pd.Series(
        pd.to_datetime(dict(year=truth["year"], month=truth["month"], day=1)).dt.days_in_month
    )
    rate = {
        (key[u], int(y), int(m)): fatal * (b + e) / d
        for u, y, m, b, e, d in zip(
            truth["unit"], truth["year"], truth["month"], truth["background"],
            truth["excitation"], month_days.to_numpy(), strict=True,
        )
    }  # fmt: skip
    out = []
    for shift in shifts:
        c = median if shift is None else shift
        name = "informed" if shift is None else f"informed c={shift:g}"
        out.append(_poisson_cusum(weekly, within, rate, c, name))
    return [break_ties(mask_before(x, first_week, weekly), settings.seed) for x in out]


def _poisson_cusum(
    weekly: CountSeries,
    within: Steps,
    rate: dict[tuple[str, int, int], float],
    c: float,
    name: str,
) -> Scores:
    """The informed CUSUM's weekly scores and steps at one shift c (see informed_scores)."""
    epoch = np.datetime64("1970-01-01", "D")
    ends = np.array(weekly.ends, dtype="datetime64[D]").astype(np.int64)
    score = np.full(weekly.counts.shape, np.nan)
    steps: dict[tuple[int, int], tuple[tuple[int, float], ...]] = {}
    for j, unit in enumerate(weekly.units):
        s, last = 0.0, int(ends[0]) - 7
        for t in range(len(ends)):
            peak, out = -math.inf, []
            for day, count in _increments(within.get((t, j), ())):
                month = (epoch + day).astype(object)
                lam = max(rate.get((unit, month.year, month.month), 0.0), 1e-9)
                s = max(0.0, s - c * (day - last)) + count * math.log1p(c / lam)
                last, peak = day, max(peak, s)
                out.append((day, peak))
            if out:
                steps[(t, j)] = tuple(out)
            s = max(0.0, s - c * (int(ends[t]) - last))
            last = int(ends[t])
            score[t, j] = peak if out else s
    return Scores(
        detector=name,
        params={"c_per_day": round(c, 4), "rates": "truth_admin1.csv"},
        ends=weekly.ends,
        units=weekly.units,
        score=score,
        observed=weekly.counts.astype(np.float64),
        expected=np.zeros(weekly.counts.shape),
        rule="with_events",
        steps=steps,
    )


def _increments(cell: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    """A week's running counts by day as (day, events that day)."""
    out, before = [], 0
    for day, running in cell:
        out.append((day, running - before))
        before = running
    return out


def _machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, load {load:.2f} at start, "
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"R surveillance {r_available() or 'absent'}"
    )


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return f"{value:.{digits}g}" if isinstance(value, float) else str(value)


def _verdict(detectors: dict[str, dict[str, Any]], onsets: int) -> list[str]:
    """PASS or MISS per own detector: higher POD and shorter median delay than every peer.

    Beside each comparison, 95 % bootstrap intervals (onsets resampled) of the POD difference
    and of the median-delay difference, so a verdict decided by a day or two can be told apart
    from one the onsets' noise could reverse.
    """
    lines = []
    peers = {p: detectors[p] for p in PEERS if p in detectors}
    if not peers:
        return ["no peer ran (R absent): no verdict"]
    for name in OURS:
        ours = detectors[name]
        misses = []
        for peer, theirs in peers.items():
            if not ours["pod"] > theirs["pod"]:
                misses.append(f"POD {_fmt(ours['pod'])} ≤ {peer} {_fmt(theirs['pod'])}")
            mine, other = ours["median_delay_days"], theirs["median_delay_days"]
            if mine is None or (other is not None and not mine < other):
                misses.append(f"delay {_fmt(mine)} ≥ {peer} {_fmt(other)}")
        lines.append(f"{name}: {'PASS' if not misses else 'MISS (' + '; '.join(misses) + ')'}")
        for peer, theirs in peers.items():
            pod, delay = _bootstrap(ours["delays"], theirs["delays"], onsets)
            lines.append(
                f"  {name} − {peer}, 95 % intervals: POD {_interval(pod)}, "
                f"median delay {_interval(delay)} days"
            )
            # The median delay above is over each detector's own detections, so a detector that
            # also finds the harder onsets pays for them; on the onsets both found it is fairer.
            both = sorted(set(ours["delays"]) & set(theirs["delays"]))
            if both:
                mine = statistics.median(ours["delays"][k] for k in both)
                other = statistics.median(theirs["delays"][k] for k in both)
                lines.append(
                    f"  {name} vs {peer} on the {len(both)} onsets both detected: median delay "
                    f"{mine:g} vs {other:g} days"
                )
    return lines


def _bootstrap(
    ours: dict[str, int], theirs: dict[str, int], onsets: int, draws: int = 2000
) -> tuple[tuple[float, float], tuple[float, float]]:
    """95 % intervals of the POD and median-delay differences, onsets resampled with replacement.

    Each onset is one row (its delay for each detector, NaN where missed); onsets neither
    detector found are rows of NaN. A resample that leaves a detector without detections has no
    median and is skipped for the delay.
    """
    keys = sorted(set(ours) | set(theirs))
    rows = np.full((max(onsets, len(keys)), 2), np.nan)
    for i, key in enumerate(keys):
        rows[i] = (ours.get(key, np.nan), theirs.get(key, np.nan))
    rng = np.random.default_rng(0)
    pods, delays = [], []
    for _ in range(draws):
        sample = rows[rng.integers(0, len(rows), len(rows))]
        found = np.isfinite(sample)
        pods.append(float(found[:, 0].mean() - found[:, 1].mean()))
        if found[:, 0].any() and found[:, 1].any():
            mine = np.median(sample[found[:, 0], 0])
            other = np.median(sample[found[:, 1], 1])
            delays.append(float(mine - other))
    return _percentiles(pods), _percentiles(delays)


def _percentiles(values: list[float]) -> tuple[float, float]:
    """The 2.5 % and 97.5 % percentiles (NaN when there are none)."""
    if not values:
        return (math.nan, math.nan)
    low, high = np.percentile(values, [2.5, 97.5])
    return (float(low), float(high))


def _interval(bounds: tuple[float, float]) -> str:
    low, high = bounds
    return f"[{low:+.3g}, {high:+.3g}]"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        help="several scenarios (seeds) evaluated as one panel of their units, e.g. 1 4 5",
    )
    parser.add_argument("--start", default="2000-01")
    parser.add_argument("--end", default="2024-12")
    parser.add_argument("--rates", type=float, nargs="+", default=[0.5, 1.0, 2.0])
    parser.add_argument("--campaign-rate", type=float, default=2.0)
    parser.add_argument("--default-params", action="store_true")
    parser.add_argument("--no-r", action="store_true")
    parser.add_argument("--workdir", type=Path, default=REPO / ".bench" / "alerts")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse Farrington's and EARS' scores of an earlier run"
    )
    parser.add_argument(
        "--informed",
        type=float,
        nargs="*",
        metavar="C",
        help="add the 'informed' reference, told the scenario's true rates (no verdict); "
        "values: more rows at these shifts c (events per day)",
    )
    args = parser.parse_args()

    params = ScenarioParams()
    if not args.default_params:
        params = replace(params, campaign_rate_per_year=args.campaign_rate)
    units = [u for b in read_boundary_folder(BOUNDARIES, COUNTRIES) for u in b.units]
    settings = EvaluationSettings(with_r=not args.no_r)

    def say(message: str) -> None:
        print(f"  running {message} …", file=sys.stderr, flush=True)

    seeds = args.seeds or [args.seed]
    parts, results, generated, scored_seconds = [], [], 0.0, 0.0
    for seed in seeds:
        folder = args.workdir / f"s{seed}-{args.start}-{args.end}"
        started = time.perf_counter()
        result = generate(
            units, seed=seed, start=args.start, end=args.end, out_dir=folder, params=params
        )  # deterministic: the same arguments give the same files, so --reuse may keep the scores
        generated += time.perf_counter() - started
        results.append(result)
        started = time.perf_counter()
        cache = folder / "peer-scores.pickle"
        if len(seeds) > 1:
            say(f"seed {seed}")
        if args.reuse and cache.exists() and not args.no_r:
            # R takes minutes: reuse Farrington's and EARS' scores of an earlier run on it.
            part = compute_scores([folder], replace(settings, with_r=False), note=say)
            peers = pickle.loads(cache.read_bytes())
            part = replace(part, scores=[*part.scores, *peers])
        else:
            part = compute_scores([folder], settings, note=say)
            if not args.no_r:
                cache.write_bytes(pickle.dumps([x for x in part.scores if x.detector in PEERS]))
        if args.informed is not None:
            shifts: list[float | None] = [None, *args.informed]
            informed = informed_scores(folder, units, settings, shifts)
            part = replace(part, scores=[*part.scores, *informed])
        parts.append(part)
        scored_seconds += time.perf_counter() - started
    # Several seeds are one panel of their units: each detector's threshold is set on all.
    scored = pool_scored(parts)

    report: dict[str, Any] = {
        "machine": _machine(),
        "seeds": seeds,
        "scenario": "+".join(r.scenario_id for r in results),
        "campaign_rate_per_year": params.campaign_rate_per_year,
        "onsets_in_scenario": sum(r.onsets for r in results),
        "seconds": {"generate": round(generated, 1), "detectors": round(scored_seconds, 1)},
        "runs": [],
    }
    for matched in (False, True):
        for rate in args.rates:
            run = evaluate_scored(scored, replace(settings, false_alarm_rate=rate, matched=matched))
            out = run.to_json()
            detectors: dict[str, dict[str, Any]] = out["detectors"]  # type: ignore[assignment]
            report["runs"].append(
                {
                    "false_alarm_rate": rate,
                    "matched": matched,
                    "onsets": run.onsets,
                    "units": run.units,
                    "test": out["test"],
                    "detectors": detectors,
                    "verdict": _verdict(detectors, run.onsets) if matched else [],
                }
            )
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    print(f"machine: {report['machine']}")
    print(
        f"seeds {', '.join(map(str, seeds))} ({report['scenario']}), campaign rate "
        f"{params.campaign_rate_per_year}/year, {report['onsets_in_scenario']} onsets; generated "
        f"in {generated:.1f} s, detectors in {scored_seconds:.1f} s"
    )
    for run in report["runs"]:
        how = "matched on the test years" if run["matched"] else "calibrated on the past"
        print()
        print(
            f"target {run['false_alarm_rate']:g} alerts/100 unit-months, {how}; "
            f"{run['onsets']} onsets, {run['units']} units, test {run['test'][0]}..{run['test'][1]}"
        )
        print(f"{'detector':<11} {'POD':>6} {'det.':>6} {'FA/100':>7} {'delay d':>8} {'thr':>9}")
        for name, d in run["detectors"].items():
            print(
                f"{name:<11} {_fmt(d['pod']):>6} {d['detected']:>3}/{d['onsets']:<2} "
                f"{_fmt(d['false_alarms_per_100']):>7} {_fmt(d['median_delay_days']):>8} "
                f"{_fmt(d['threshold'], 4):>9}"
            )
        for line in run["verdict"]:
            print(f"  target: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
