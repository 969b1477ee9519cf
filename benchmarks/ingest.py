"""Ingest benchmark: ``cawarn ingest ucdp-ged`` against a raw ``sqlite-utils insert`` of one file.

The file is a GED-layout CSV of ``--rows`` events (default 350,000, about the whole UCDP GED) made
by resampling the default-region rows of the 1,000-event GED 23.1 sample with a fixed seed: each
copy gets a fresh ``id`` and ``relid`` and a point moved up to ~0.3° inside the same admin-1 unit,
with ``geom_wkt`` and ``priogrid_gid`` to match. 7 of the 138 sample rows used (about 5% of the
file) break low <= best <= high, as rows of real releases do; the batch counts printed at the end
show what cawarn made of them.

Each repetition, on fresh homes, times (a) a first ingest into an initialised node with boundaries
loaded (setup not timed), (b) a re-ingest of the unchanged file into that node and (c)
``sqlite-utils insert --csv`` into a new SQLite file. The order of cawarn and sqlite-utils
alternates between repetitions. Targets: first ingest no slower than sqlite-utils, re-ingest at
most a tenth of the first ingest. Exits non-zero only if a command fails.

    .venv/bin/python benchmarks/ingest.py [--rows 350000] [--repeat 3] [--workdir DIR] [--json]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Point

from cawarn.geo.boundaries import read_boundary_folder
from cawarn.geo.priogrid import gid

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
SAMPLE = DATA / "ucdp-ged-sample" / "ged231_sample_1000.csv"
BOUNDARIES = DATA / "boundaries"
#: Gleditsch-Ward codes of the default region, as GED writes them in ``country_id``.
REGION_GW = {"700": "AFG", "701": "TKM", "702": "TJK", "703": "KGZ", "704": "UZB", "705": "KAZ"}
JITTER_DEG = 0.3
TRIES = 5
ID_BASE = 10_000_000  # above every real GED id, so no copy collides with a real event
FORMAT = 2  # bump when the generated file changes, so an old file is not reused
TARGETS = {
    "cawarn_first / sqlite_utils": 1.0,
    "cawarn_reingest / cawarn_first": 0.10,
    "cawarn_reingest_rows / cawarn_first": 0.10,
}
BIN = Path(sys.executable).parent


class CommandError(Exception):
    """A benchmarked or setup command exited non-zero."""


def note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- the benchmark file ------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _region_rows() -> tuple[list[str], list[dict[str, str]]]:
    with SAMPLE.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = [r for r in reader if r["country_id"].strip() in REGION_GW]
    return list(reader.fieldnames or []), rows


def _units_of(rows: list[dict[str, str]]) -> tuple[list[Any], np.ndarray]:
    """The admin-1 polygons of the region and, per sample row, the index of its own (-1: none)."""
    loaded = read_boundary_folder(BOUNDARIES, sorted(set(REGION_GW.values())))
    geoms: list[Any] = []
    by_country: dict[str, list[int]] = {}
    for country in loaded:
        for _, geom in country.units:
            shapely.prepare(geom)
            by_country.setdefault(country.country, []).append(len(geoms))
            geoms.append(geom)
    found = np.full(len(rows), -1, dtype=np.int64)
    for i, row in enumerate(rows):
        point = Point(float(row["longitude"]), float(row["latitude"]))
        for u in by_country.get(REGION_GW[row["country_id"].strip()], []):
            if geoms[u].covers(point):
                found[i] = u
                break
    return geoms, found


def build_csv(path: Path, n: int, seed: int) -> dict[str, int]:
    """Write ``n`` resampled, jittered region rows of the sample to ``path``."""
    header, rows = _region_rows()
    geoms, unit_of = _units_of(rows)
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(rows), n)
    lat0 = np.array([float(r["latitude"]) for r in rows])[pick]
    lon0 = np.array([float(r["longitude"]) for r in rows])[pick]
    unit = unit_of[pick]
    lat, lon = lat0.copy(), lon0.copy()
    pending = unit >= 0
    for _ in range(TRIES):
        idx = np.flatnonzero(pending)
        if not idx.size:
            break
        radius = JITTER_DEG * np.sqrt(rng.random(idx.size))  # uniform over the disc
        angle = 2 * np.pi * rng.random(idx.size)
        cand_lat = np.round(lat0[idx] + radius * np.sin(angle), 6)
        cand_lon = np.round(lon0[idx] + radius * np.cos(angle), 6)
        inside = np.zeros(idx.size, dtype=bool)
        for u in np.unique(unit[idx]):
            mask = unit[idx] == u
            inside[mask] = shapely.contains_xy(geoms[u], cand_lon[mask], cand_lat[mask])
        lat[idx[inside]], lon[idx[inside]] = cand_lat[inside], cand_lon[inside]
        pending[idx[inside]] = False
    moved = (unit >= 0) & ~pending
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        for i in range(n):
            row = dict(rows[pick[i]])
            if moved[i]:
                row["latitude"], row["longitude"] = f"{lat[i]:.6f}", f"{lon[i]:.6f}"
            row["geom_wkt"] = f"POINT ({row['longitude']} {row['latitude']})"
            row["priogrid_gid"] = str(gid(float(row["latitude"]), float(row["longitude"])))
            row["id"] = str(ID_BASE + i)
            row["relid"] = f"{row['relid']}-r{i}"
            writer.writerow([row[c] for c in header])
    tmp.replace(path)
    return {
        "sample_rows": len(rows),
        "jittered": int(moved.sum()),
        "kept_no_unit": int((unit < 0).sum()),
        "kept_tries_failed": int(pending.sum()),
    }


def ensure_csv(workdir: Path, n: int, seed: int) -> tuple[Path, dict[str, Any]]:
    """The benchmark file, reused when its sidecar shows the same parameters."""
    path = workdir / "ged991.csv"  # the name tells cawarn the release: 99.1
    sidecar = path.with_suffix(".params.json")
    params = {"rows": n, "seed": seed, "format": FORMAT, "sample_sha256": _sha256(SAMPLE)}
    if path.exists() and sidecar.exists():
        stored = json.loads(sidecar.read_text())
        if stored.get("params") == params and stored.get("bytes") == path.stat().st_size:
            note(f"Reusing {path} ({n:,} rows, seed {seed}).")
            return path, stored
    note(f"Building {path}: {n:,} rows, seed {seed} ...")
    started = time.perf_counter()
    info = build_csv(path, n, seed)
    stored = {"params": params, "bytes": path.stat().st_size, **info}
    sidecar.write_text(json.dumps(stored, indent=2) + "\n")
    note(f"  built in {time.perf_counter() - started:.1f} s: {info}")
    return path, stored


# -- running -----------------------------------------------------------------------------------


def run(cmd: list[str]) -> float:
    """Run one command; return its wall-clock seconds, or raise with its stderr."""
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise CommandError(
            f"`{' '.join(cmd)}` exited with {done.returncode}:\n{done.stderr or done.stdout}"
        )
    return seconds


def last_batch(db: Path) -> dict[str, Any]:
    """The counts of the latest batch in a cawarn store, and its commonest quarantine reasons."""
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        batch = dict(conn.execute("SELECT * FROM batches ORDER BY id DESC LIMIT 1").fetchone())
        reasons = conn.execute(
            "SELECT reason FROM quarantine WHERE batch_id = ?", (batch["id"],)
        ).fetchall()
    keep = ("status", "rows_read", "events_new", "events_unchanged", "rows_quarantined")
    keep += ("duplicate_rows", "admin1_snapped", "admin1_unassigned", "admin1_disagreements")
    keep += ("priogrid_mismatches",)
    out = {k: batch[k] for k in keep}
    # Group by the sentence before its values ("..., but low 3, best 4, high 3").
    families = Counter(r[0].split(", but", 1)[0].split(":", 1)[0] for r in reasons)
    out["quarantine_reasons"] = families.most_common(3)
    return out


def repetition(number: int, csv_path: Path, workdir: Path) -> dict[str, Any]:
    """One repetition on fresh homes; cawarn first on odd repetitions, sqlite-utils on even."""
    rundir = workdir / "run"
    shutil.rmtree(rundir, ignore_errors=True)
    rundir.mkdir(parents=True)
    home, raw_db = rundir / "home", rundir / "raw.db"
    cawarn = [str(BIN / "cawarn"), "--quiet", "--home", str(home)]
    result: dict[str, Any] = {"repetition": number}

    def cawarn_runs() -> None:
        run([*cawarn, "init"])
        run([str(BIN / "cawarn"), "--home", str(home), "geo", "import", str(BOUNDARIES)])
        note(f"  rep {number}: cawarn first ingest ...")
        result["cawarn_first"] = run([*cawarn, "ingest", "ucdp-ged", str(csv_path)])
        result["first_batch"] = last_batch(home / "cawarn.db")
        note(f"  rep {number}: cawarn re-ingest ...")
        result["cawarn_reingest"] = run([*cawarn, "ingest", "ucdp-ged", str(csv_path)])
        result["reingest_batch"] = last_batch(home / "cawarn.db")
        # The same file again with --force: every row read, hashed and compared with the store
        # (the path a newer release with few changes takes), instead of the file-checksum skip.
        note(f"  rep {number}: cawarn re-ingest --force ...")
        result["cawarn_reingest_rows"] = run(
            [*cawarn, "ingest", "ucdp-ged", "--force", str(csv_path)]
        )

    def sqlite_utils_run() -> None:
        note(f"  rep {number}: sqlite-utils insert ...")
        cmd = [str(BIN / "sqlite-utils"), "insert", str(raw_db), "ged", str(csv_path), "--csv"]
        result["sqlite_utils"] = run(cmd)

    steps = [cawarn_runs, sqlite_utils_run]
    if number % 2 == 0:
        steps.reverse()
    result["order"] = "cawarn, sqlite-utils" if number % 2 else "sqlite-utils, cawarn"
    for step in steps:
        step()
    return result


def source_stamp() -> float:
    """Newest modification time of cawarn's source: the install is editable, so a change to the
    tree during a run means the repetitions did not all measure the same code."""
    return max(p.stat().st_mtime for p in (REPO / "src" / "cawarn").rglob("*.py"))


def environment() -> dict[str, Any]:
    def out(cmd: list[str]) -> str:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        return (done.stdout or done.stderr).strip().split()[-1]

    return {
        "nproc": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "machine": platform.machine(),
        "load_average_at_start": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "cawarn": out([str(BIN / "cawarn"), "--version"]),
        "sqlite_utils": out([str(BIN / "sqlite-utils"), "--version"]),
        "sqlite": sqlite3.sqlite_version,
    }


# -- report ------------------------------------------------------------------------------------


def summarise(rows: int, runs: list[dict[str, Any]]) -> dict[str, Any]:
    names = ("cawarn_first", "cawarn_reingest", "cawarn_reingest_rows", "sqlite_utils")
    median = {k: statistics.median(r[k] for r in runs) for k in names}
    ratios = {
        "cawarn_first / sqlite_utils": median["cawarn_first"] / median["sqlite_utils"],
        "cawarn_reingest / cawarn_first": median["cawarn_reingest"] / median["cawarn_first"],
        "cawarn_reingest_rows / cawarn_first": (
            median["cawarn_reingest_rows"] / median["cawarn_first"]
        ),
    }
    return {
        "median_s": median,
        "rows_per_s": {k: rows / v for k, v in median.items()},
        "ratios": {
            k: {"value": v, "target_max": TARGETS[k], "pass": v <= TARGETS[k]}
            for k, v in ratios.items()
        },
    }


def print_table(report: dict[str, Any]) -> None:
    env, info, summary = report["environment"], report["file"], report["summary"]
    print(
        f"cawarn ingest benchmark: {report['rows']:,} GED rows "
        f"({report['file_path']}, {info['bytes'] / 1e6:.0f} MB), {len(report['runs'])} repetitions"
    )
    print(
        f"machine: nproc {env['nproc']} ({env['cpus_usable']} usable), {env['machine']}, "
        f"load average {env['load_average_at_start']} at start"
    )
    print(
        f"versions: Python {env['python']}, cawarn {env['cawarn']}, "
        f"sqlite-utils {env['sqlite_utils']}, SQLite {env['sqlite']}"
    )
    print()
    line = "{:>6}  {:<22}{:>14}{:>18}{:>18}{:>14}"
    print(
        line.format(
            "rep", "order", "cawarn first", "re-ingest (file)", "re-ingest --force", "sqlite-utils"
        )
    )
    keys = ("cawarn_first", "cawarn_reingest", "cawarn_reingest_rows", "sqlite_utils")
    for r in report["runs"]:
        print(line.format(r["repetition"], r["order"], *(f"{r[k]:.1f} s" for k in keys)))
    m, rate = summary["median_s"], summary["rows_per_s"]
    print(line.format("median", "", *(f"{m[k]:.1f} s" for k in keys)))
    print(line.format("rows/s", "", *(f"{rate[k]:,.0f}  " for k in keys)))
    print()
    for name, ratio in summary["ratios"].items():
        verdict = "PASS" if ratio["pass"] else "MISS"
        print(f"{name:<38}{ratio['value']:>7.3f}   target <= {ratio['target_max']:.2f}   {verdict}")
    first, again = report["runs"][0]["first_batch"], report["runs"][0]["reingest_batch"]
    print()
    print(
        f"cawarn batches (rep 1): first ingest read {first['rows_read']:,}, "
        f"new {first['events_new']:,}, quarantined {first['rows_quarantined']:,}, "
        f"snapped {first['admin1_snapped']:,}, unassigned {first['admin1_unassigned']:,}, "
        f"adm_1 disagreements {first['admin1_disagreements']:,}, "
        f"PRIO-GRID mismatches {first['priogrid_mismatches']:,}; re-ingest unchanged "
        f"{again['events_unchanged']:,}, new {again['events_new']:,}, "
        f"quarantined {again['rows_quarantined']:,}"
    )
    for reason, count in first["quarantine_reasons"]:
        print(f"  quarantined {count:,} × {reason}")
    for warning in report["warnings"]:
        print(f"WARNING: {warning}")
    print(
        f"file: {info['sample_rows']} sample rows resampled; {info['jittered']:,} points moved; "
        f"kept in place: {info['kept_tries_failed']:,} ({TRIES} tries all left the unit), "
        f"{info['kept_no_unit']:,} (sample point in no unit of its country)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--rows", type=int, default=350_000, help="rows in the benchmark file")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions")
    parser.add_argument("--seed", type=int, default=231, help="resampling seed")
    parser.add_argument("--workdir", type=Path, default=REPO / ".bench", help="scratch folder")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    env = environment()
    csv_path, info = ensure_csv(workdir, args.rows, args.seed)
    stamp = source_stamp()
    runs = []
    try:
        for number in range(1, args.repeat + 1):
            note(f"Repetition {number} of {args.repeat}")
            runs.append(repetition(number, csv_path, workdir))
    except CommandError as err:
        print(f"Error: {err}", file=sys.stderr)
        return 1
    warnings = []
    if source_stamp() != stamp:
        warnings.append(
            "cawarn's source files changed during the run; the repetitions may have measured "
            "different code: run again on a quiet tree"
        )
    outcomes = {json.dumps(r["first_batch"], default=str) for r in runs}
    if len(outcomes) > 1:
        per_rep = "; ".join(
            f"rep {r['repetition']}: new {r['first_batch']['events_new']:,}, "
            f"quarantined {r['first_batch']['rows_quarantined']:,}"
            for r in runs
        )
        warnings.append(f"the first ingests did different work ({per_rep})")
    report = {
        "benchmark": "ingest",
        "rows": args.rows,
        "seed": args.seed,
        "file_path": str(csv_path),
        "file": info,
        "environment": env,
        "runs": runs,
        "summary": summarise(args.rows, runs),
        "warnings": warnings,
    }
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        print_table(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
