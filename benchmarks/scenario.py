"""Scenario benchmark: how fast ``cawarn.scenario.generate`` writes a synthetic scenario.

Generates the default scenario (seed 1, 2000-01..2024-12, the six countries of the default region,
boundaries from ``../shared/data/boundaries`` beside the repository) at several scales and prints,
per scale, the events drawn and written, the wall-clock seconds of the whole call (geography,
process, events, truth files and checksums included), events per second and the size of each
file. The issue that asked for the generator names no peer to compare against, so there is no
ratio and no target: the figures are printed plainly.

    .venv/bin/python benchmarks/scenario.py [--scales 1 10 100 250] [--quick] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from cawarn.geo.boundaries import read_boundary_folder
from cawarn.scenario import generate

REPO = Path(__file__).resolve().parent.parent
BOUNDARIES = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "boundaries"
COUNTRIES = ["AFG", "KAZ", "KGZ", "TJK", "TKM", "UZB"]


def _machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, load {load:.2f} at start, "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )


def run(
    scales: list[float], start: str, end: str, workdir: Path, keep: bool
) -> list[dict[str, Any]]:
    """Generate one scenario per scale and return the measurements."""
    units = [u for b in read_boundary_folder(BOUNDARIES, COUNTRIES) for u in b.units]
    results: list[dict[str, Any]] = []
    for scale in scales:
        out = workdir / f"scale-{scale:g}"
        shutil.rmtree(out, ignore_errors=True)
        began = time.perf_counter()
        result = generate(units, seed=1, start=start, end=end, scale=scale, out_dir=out)
        seconds = time.perf_counter() - began
        sizes = {name: path.stat().st_size for name, path in result.paths.items()}
        results.append(
            {
                "scale": scale,
                "events_drawn": result.events_drawn,
                "events_written": result.events_written,
                "seconds": round(seconds, 2),
                "events_per_second": round(result.events_drawn / seconds),
                "bytes": sizes,
            }
        )
        if not keep:
            shutil.rmtree(out, ignore_errors=True)
    return results


def main() -> int:
    """Parse the options, run, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0, 100.0, 250.0])
    parser.add_argument("--start", default="2000-01")
    parser.add_argument("--end", default="2024-12")
    parser.add_argument("--quick", action="store_true", help="scales 1 and 10 only")
    parser.add_argument("--workdir", type=Path, default=REPO / ".bench" / "scenario")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    scales = [1.0, 10.0] if args.quick else args.scales
    args.workdir.mkdir(parents=True, exist_ok=True)
    machine = _machine()
    results = run(scales, args.start, args.end, args.workdir, args.keep)
    if args.json:
        print(json.dumps({"machine": machine, "results": results}, indent=2))
        return 0
    print(f"cawarn scenario generate, seed 1, {args.start}..{args.end}; {machine}")
    print("No peer: the figures are absolute, not a ratio against another tool.")
    header = f"{'scale':>7} {'events':>11} {'written':>11} {'seconds':>8} {'events/s':>10}"
    print(header + "  events.csv  truth_pgm.csv")
    for r in results:
        mb = {k: v / 1e6 for k, v in r["bytes"].items()}
        print(
            f"{r['scale']:>7g} {r['events_drawn']:>11,} {r['events_written']:>11,} "
            f"{r['seconds']:>8.1f} {r['events_per_second']:>10,}  "
            f"{mb['events.csv']:>7.1f} MB  {mb['truth_pgm.csv']:>8.1f} MB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
