"""Forecast benchmark: the full rolling evaluation at PRIO-GRID level, timed, with its peak memory.

Builds a node from the default scenario (seed 7, 2000-01..2024-12, scale 1: the demo's data, the
2,298 PRIO-GRID cells of the default region, boundaries from ``../shared/data/boundaries``), its
PRIO-GRID panel, then times one command in a child process of its own:

    cawarn forecast evaluate --level pgm --test-start 2018-01 --test-end 2018-12 --steps 12
        --samples 1000 --seeds 3 --scenario DIR --json

(12 origins, every model: the five baselines, the main model over 3 seeds, and the scenario's
oracle). Prints the wall-clock seconds and the child's peak resident memory against the targets
of issue 4 (under 10 minutes, under 4 GB), then the targets on the scores (main model against
every baseline on CRPS and average precision at steps 1..6, and within 15 % of the oracle's
CRPS). The issue names no peer program for this path, so the figures stand against targets.

    .venv/bin/python benchmarks/forecast.py [--level pgm] [--origins 12] [--steps 12]
        [--samples 1000] [--seeds 3] [--workdir DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from cawarn.forecast.targets import check_targets, summary

REPO = Path(__file__).resolve().parent.parent
BOUNDARIES = REPO.parent / "shared" / "data" / "boundaries"
CAWARN = Path(sys.executable).parent / "cawarn"
TARGET_SECONDS = 600
TARGET_GB = 4.0


def _machine() -> str:
    load = os.getloadavg()[0]
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, load {load:.2f} at start, "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )


def _cawarn(home: Path, *args: str) -> None:
    result = subprocess.run(
        [str(CAWARN), "--quiet", "--home", str(home), *args], capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.exit(f"cawarn {' '.join(args)} failed: {result.stderr.strip()}")


def build_node(workdir: Path, level: str) -> tuple[Path, Path]:
    """A node with the default scenario and its panel (reused when already built)."""
    home, scenario = workdir / "home", workdir / "scenario"
    ingested, built = workdir / "ingested", workdir / f"panel-{level}"
    if not ingested.exists():
        for args in (
            ("init",),
            ("geo", "import", str(BOUNDARIES)),
            ("scenario", "generate", "--seed", "7", "--out", str(scenario)),
            ("ingest", "scenario", str(scenario)),
        ):
            _cawarn(home, *args)
        ingested.touch()
    if not built.exists():
        _cawarn(home, "panel", "build", "--level", level)
        built.touch()
    return home, scenario


def measure(home: Path, args: list[str]) -> tuple[float, float, dict[str, Any]]:
    """Run one command in its own child; its seconds, its peak RSS in GB and its JSON."""
    command = [str(CAWARN), "--quiet", "--home", str(home), *args]
    began = time.perf_counter()
    with open(home.parent / "evaluate.json", "wb") as out:
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - began
        child.returncode = os.waitstatus_to_exitcode(status)
        stderr = child.stderr.read().decode() if child.stderr else ""
    if child.returncode != 0:
        sys.exit(f"cawarn {' '.join(args)} failed: {stderr.strip()}")
    peak_gb = usage.ru_maxrss * 1024 / 1e9  # ru_maxrss is in KiB on Linux
    return seconds, peak_gb, json.loads((home.parent / "evaluate.json").read_text())


def main() -> None:
    """Build, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--level", default="pgm", choices=["pgm", "admin1", "country"])
    parser.add_argument("--origins", type=int, default=12)
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=REPO / ".bench" / "forecast")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    opts = parser.parse_args()
    if not BOUNDARIES.is_dir():
        sys.exit(f"The boundaries are not at {BOUNDARIES}; run beside the shared data folder.")
    opts.workdir.mkdir(parents=True, exist_ok=True)
    print(f"machine: {_machine()}")
    began = time.perf_counter()
    home, scenario = build_node(opts.workdir, opts.level)
    print(f"node and {opts.level} panel ready in {time.perf_counter() - began:.0f} s ({home})")
    end_month = f"2018-{opts.origins:02d}" if opts.origins <= 12 else None
    if end_month is None:
        years, month = divmod(opts.origins - 1, 12)
        end_month = f"{2018 + years}-{month + 1:02d}"
    args = [
        "forecast",
        "evaluate",
        "--level",
        opts.level,
        "--test-start",
        "2018-01",
        "--test-end",
        end_month,
        "--steps",
        str(opts.steps),
        "--samples",
        str(opts.samples),
        "--seeds",
        str(opts.seeds),
        "--scenario",
        str(scenario),
        "--json",
    ]
    print("timing: cawarn " + " ".join(args))
    seconds, peak_gb, scores = measure(home, args)
    units = scores["units"]
    print(
        f"\n{opts.level}: {units} units, {opts.origins} origins × {opts.steps} steps, "
        f"{opts.samples} samples, main model over {opts.seeds} seeds, {len(scores['models'])} "
        "models in all"
    )
    verdict_t = "PASS" if seconds < TARGET_SECONDS else "MISS"
    verdict_m = "PASS" if peak_gb < TARGET_GB else "MISS"
    print(f"wall clock   {seconds:8.1f} s   target < {TARGET_SECONDS} s   {verdict_t}")
    print(f"peak memory  {peak_gb:8.2f} GB  target < {TARGET_GB:g} GB    {verdict_m}")
    models = scores["models"]
    shown = min(opts.steps, 6)
    for key, title in (("crps", "CRPS (lower is better)"), ("ap", "average precision")):
        print(f"\n{title} by step 1..{shown}:")
        for name, m in models.items():
            cells = " ".join(
                f"{m['by_step'][str(s)][key] or float('nan'):8.4f}" for s in range(1, shown + 1)
            )
            print(f"  {name:14s} {cells}")
    checks = check_targets(scores, synthetic=True)
    print("\ntargets: " + summary(checks))
    print(f"report: {scores['report']}")
    if opts.json:
        figures = {
            "level": opts.level,
            "units": units,
            "seconds": round(seconds, 1),
            "peak_gb": round(peak_gb, 3),
            "targets_met": all(c.passed for c in checks),
            "checks_passed": sum(c.passed for c in checks),
            "checks": len(checks),
        }
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
