"""API benchmark: cawarn's filtered event listing against datasette on the same SQLite file.

Builds once (under ``.bench/api/``) a node whose SQLite store holds about a million events: the
default synthetic scenario at ``--scale`` (27 gives ~1.03 M events) generated and loaded through
the real ingest pipeline (``cawarn scenario generate`` + ``cawarn ingest scenario``), plus an
analyst with a read-only API key. Then serves the store with ``cawarn serve`` and with
``datasette serve`` (read-only) and times, with one asyncio httpx load generator at a fixed
concurrency, each server for ``--duration`` seconds per round (warm-up first, order alternating
between rounds) on the same query: one country, one year, one category, 100 rows per page,
oldest first, with the count of all matches. Also times the overview page ``/`` with a session.

Targets (issue 6): cawarn's requests/s at least datasette's, cawarn's p95 under 50 ms, the
overview page under 1 s. Exits non-zero only if a command fails.

    .venv/bin/python benchmarks/api.py [--scale 27] [--duration 15] [--rounds 2] [--concurrency 4]
        [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
BOUNDARIES = REPO.parent / "shared" / "data" / "boundaries"
BIN = Path(sys.executable).parent
FORMAT = 1  # bump when the built node changes, so an old one is not reused
USERNAME = "bench.analyst"
P95_TARGET_MS = 50.0
OVERVIEW_TARGET_S = 1.0
#: The columns cawarn's listing returns (``LIST_COLUMNS`` and the owner), asked of datasette too.
COLUMNS = (
    "uid",
    "source",
    "source_event_id",
    "revision",
    "source_version",
    "source_dataset",
    "date_start",
    "date_end",
    "date_precision",
    "country",
    "admin1",
    "admin1_method",
    "admin1_agrees",
    "latitude",
    "longitude",
    "geo_precision",
    "priogrid_gid",
    "category",
    "actor1",
    "actor2",
    "fatalities_best",
    "fatalities_low",
    "fatalities_high",
    "summary",
    "source_ref",
    "marking",
    "owner_org",
)


class CommandError(Exception):
    """A setup command exited non-zero or a server did not answer."""


def note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(cmd: list[str], *, stdin: str | None = None) -> str:
    done = subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise CommandError(
            f"`{' '.join(cmd)}` exited with {done.returncode}:\n{done.stderr or done.stdout}"
        )
    return done.stdout


# -- the node ----------------------------------------------------------------------------------


def ensure_node(workdir: Path, scale: float) -> dict[str, Any]:
    """The node home with the scenario loaded and an API key; reused while its params match."""
    home = workdir / "home"
    sidecar = workdir / "node.json"
    params = {"scale": scale, "seed": 1, "format": FORMAT}
    if sidecar.exists() and (home / "cawarn.db").exists():
        stored = json.loads(sidecar.read_text())
        if stored.get("params") == params:
            note(f"Reusing the node in {home} (migrated to the current schema).")
            run([str(BIN / "cawarn"), "--quiet", "--home", str(home), "init"])
            return dict(stored)
    cawarn = [str(BIN / "cawarn"), "--quiet", "--home", str(home)]
    if home.exists():
        raise CommandError(f"{home} exists but is not a finished build; remove {workdir}")
    note(f"Building the node in {home} (scale {scale}) ...")
    started = time.perf_counter()
    run([*cawarn, "init"])
    run([*cawarn, "geo", "import", str(BOUNDARIES)])
    scenario = workdir / "scenario"
    run([*cawarn, "scenario", "generate", "--out", str(scenario), "--scale", str(scale)])
    run([*cawarn, "ingest", "scenario", str(scenario)])
    return add_user(workdir, params, time.perf_counter() - started)


def add_user(workdir: Path, params: dict[str, Any], build_s: float) -> dict[str, Any]:
    """An analyst with a password (for the overview page) and a read-only API key."""
    cawarn = [str(BIN / "cawarn"), "--quiet", "--home", str(workdir / "home")]
    password = secrets.token_urlsafe(18)
    # ``cawarn init`` names the node's organisation ("local" by default) but does not create it.
    config = (workdir / "home" / "cawarn.toml").read_text()
    org = next(
        line.split("=", 1)[1].strip().strip('"')
        for line in config.splitlines()
        if line.startswith("organisation")
    )
    run([*cawarn, "org", "create", org, "--title", "Benchmark node"])
    run(
        [
            *cawarn,
            "user",
            "create",
            "--username",
            USERNAME,
            "--role",
            "analyst",
            "--password-stdin",
        ],
        stdin=password + "\n",
    )
    out = run(
        [*cawarn, "apikey", "create", "--user", USERNAME, "--read-only", "--expires", "never"]
    )
    key = out.strip().splitlines()[-1].strip()  # printed once, alone on its line
    stored = {"params": params, "build_s": build_s, "password": password, "key": key}
    (workdir / "node.json").write_text(json.dumps(stored, indent=2) + "\n")
    return stored


def pick_query(db: Path, country: str, year: int) -> dict[str, Any]:
    """The commonest category of current events of ``country`` in ``year``, and its count."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        total = conn.execute("SELECT count(*) FROM events WHERE is_current").fetchone()[0]
        category, matches = conn.execute(
            "SELECT category, count(*) FROM events WHERE is_current AND country = ? "
            "AND date_end >= ? AND date_start <= ? GROUP BY category ORDER BY 2 DESC LIMIT 1",
            (country, f"{year}-01-01", f"{year}-12-31"),
        ).fetchone()
    return {
        "events": total,
        "country": country,
        "from": f"{year}-01-01",
        "to": f"{year}-12-31",
        "category": category,
        "matches": matches,
    }


# -- servers -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_up(url: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise CommandError(f"the server for {url} exited with {proc.returncode}")
        try:
            httpx.get(url, timeout=2.0)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise CommandError(f"{url} did not answer within {timeout:.0f} s")


def start_cawarn(home: Path, port: int, workers: int = 1) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CAWARN_SECRET_KEY": secrets.token_urlsafe(32)}
    cmd = [str(BIN / "cawarn"), "--quiet", "--home", str(home), "serve", "--port", str(port)]
    cmd += ["--workers", str(workers)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_up(f"http://127.0.0.1:{port}/api/v1/health", proc)
    return proc


def start_datasette(datasette: Path, db: Path, port: int) -> subprocess.Popen[bytes]:
    # Not immutable (-i): cawarn records an API key's last use, to the minute, in the same file,
    # so datasette opens it read-only (mode=ro) and sees such writes as SQLite intends.
    cmd = [str(datasette), "serve", str(db), "--port", str(port), "--setting", "num_sql_threads"]
    cmd += ["3", "--setting", "suggest_facets", "off"]
    # Its default 1 s limit per SQL query would turn slow answers into errors; let it finish.
    cmd += ["--setting", "sql_time_limit_ms", "30000"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_up(f"http://127.0.0.1:{port}/-/versions.json", proc)
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# -- load ------------------------------------------------------------------------------------


async def load(
    url: str, headers: dict[str, str], seconds: float, concurrency: int
) -> dict[str, Any]:
    """``concurrency`` clients sending ``url`` back to back for ``seconds``."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=30.0) as client:
        started = time.perf_counter()
        stop_at = started + seconds

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < stop_at:
                t0 = time.perf_counter()
                response = await client.get(url)
                await response.aread()
                if response.status_code == 200:
                    latencies.append(time.perf_counter() - t0)
                else:
                    errors += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    if not latencies:
        raise CommandError(f"{url} answered no request with 200")
    ms = sorted(x * 1000 for x in latencies)
    return {
        "requests": len(ms),
        "errors": errors,
        "seconds": elapsed,
        "rps": len(ms) / elapsed,
        "p50_ms": statistics.median(ms),
        "p95_ms": ms[min(len(ms) - 1, int(0.95 * len(ms)))],
    }


def check_answers(cawarn_url: str, key: str, ds_url: str) -> dict[str, Any]:
    """Both servers answer the query with the same 100 events and the same count."""
    ours = httpx.get(cawarn_url, headers={"Authorization": f"Bearer {key}"}, timeout=60).json()
    theirs = httpx.get(ds_url, timeout=60).json()
    our_ids = [item["uid"] for item in ours["items"]]
    their_ids = [row["uid"] for row in theirs["rows"]]
    return {
        "cawarn_total": ours["total"],
        "datasette_total": theirs.get("filtered_table_rows_count"),
        "cawarn_rows": len(our_ids),
        "datasette_rows": len(their_ids),
        "same_rows": our_ids == their_ids,
        "cawarn_bytes": len(
            httpx.get(cawarn_url, headers={"Authorization": f"Bearer {key}"}).content
        ),
        "datasette_bytes": len(httpx.get(ds_url).content),
    }


def time_overview(base: str, password: str, times: int) -> list[float]:
    """Seconds to fetch ``/`` with a session made by logging in through the API."""
    answer = httpx.post(
        f"{base}/api/v1/auth/login", json={"username": USERNAME, "password": password}, timeout=30
    )
    if answer.status_code != 200:
        raise CommandError(f"login failed: {answer.status_code} {answer.text}")
    # The cookie is Secure; over plain-HTTP loopback it is sent by hand.
    cookie = answer.headers["set-cookie"].split(";", 1)[0]
    seconds = []
    for _ in range(times):
        t0 = time.perf_counter()
        page = httpx.get(f"{base}/", headers={"Cookie": cookie}, timeout=60)
        seconds.append(time.perf_counter() - t0)
        if page.status_code != 200 or "<html" not in page.text.lower():
            raise CommandError(f"the overview page answered {page.status_code}")
    return seconds


def environment(datasette: Path) -> dict[str, Any]:
    def version(cmd: list[str]) -> str:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        return (done.stdout or done.stderr).strip().split()[-1]

    return {
        "nproc": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "machine": platform.machine(),
        "load_average_at_start": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "cawarn": version([str(BIN / "cawarn"), "--version"]),
        "datasette": version([str(datasette), "--version"]),
        "httpx": httpx.__version__,
        "sqlite": sqlite3.sqlite_version,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--scale", type=float, default=27.0, help="scenario scale (27: ~1 M)")
    parser.add_argument("--country", default="AFG")
    parser.add_argument("--year", type=int, default=2020)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per server per round")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of warm-up per server")
    parser.add_argument("--rounds", type=int, default=2, help="rounds, order alternating")
    parser.add_argument("--concurrency", type=int, default=4, help="clients at once")
    parser.add_argument(
        "--workers", type=int, default=1, help="cawarn serve --workers (server processes)"
    )
    parser.add_argument("--overview", type=int, default=5, help="fetches of the overview page")
    parser.add_argument("--workdir", type=Path, default=REPO / ".bench" / "api")
    parser.add_argument(
        "--datasette", type=Path, default=REPO / ".bench" / "datasette-venv" / "bin" / "datasette"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    if not args.datasette.exists():
        print(
            f"Error: no datasette at {args.datasette}; install it with "
            "`python3 -m venv .bench/datasette-venv && .bench/datasette-venv/bin/pip install "
            "datasette`, or pass --datasette",
            file=sys.stderr,
        )
        return 1
    env = environment(args.datasette)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        node = ensure_node(workdir, args.scale)
        db = workdir / "home" / "cawarn.db"
        query = pick_query(db, args.country, args.year)
        cawarn_port, ds_port = free_port(), free_port()
        procs.append(start_cawarn(workdir / "home", cawarn_port, args.workers))
        procs.append(start_datasette(args.datasette, db, ds_port))
        cawarn_url = (
            f"http://127.0.0.1:{cawarn_port}/api/v1/events?country={query['country']}"
            f"&from={query['from']}&to={query['to']}&category={query['category']}"
            "&page=1&per_page=100"
        )
        # The same rows by datasette's table view: current events, same filters, same order,
        # same columns, 100 rows, with the filtered count (as cawarn's "total").
        ds_url = (
            f"http://127.0.0.1:{ds_port}/cawarn/events.json?is_current=1"
            f"&country={query['country']}&category={query['category']}"
            f"&date_end__gte={query['from']}&date_start__lte={query['to']}"
            "&_sort=date_start&_size=100&_shape=objects&"
            + "&".join(f"_col={c}" for c in COLUMNS if c != "uid")
            + "&_col=uid"
        )
        answers = check_answers(cawarn_url, node["key"], ds_url)
        targets = {
            "cawarn": (cawarn_url, {"Authorization": f"Bearer {node['key']}"}),
            "datasette": (ds_url, {}),
        }
        for name, (url, headers) in targets.items():
            note(f"warm-up: {name}")
            asyncio.run(load(url, headers, args.warmup, args.concurrency))
        rounds: list[dict[str, Any]] = []
        for number in range(1, args.rounds + 1):
            order = ["cawarn", "datasette"] if number % 2 else ["datasette", "cawarn"]
            result: dict[str, Any] = {"round": number, "order": ", ".join(order)}
            for name in order:
                note(f"round {number}: {name} for {args.duration:.0f} s")
                url, headers = targets[name]
                result[name] = asyncio.run(load(url, headers, args.duration, args.concurrency))
            rounds.append(result)
        overview = time_overview(f"http://127.0.0.1:{cawarn_port}", node["password"], args.overview)
    except CommandError as err:
        print(f"Error: {err}", file=sys.stderr)
        return 1
    finally:
        for proc in procs:
            stop(proc)
    summary: dict[str, Any] = {}
    for name in ("cawarn", "datasette"):
        summary[name] = {
            k: statistics.median(r[name][k] for r in rounds) for k in ("rps", "p50_ms", "p95_ms")
        }
        summary[name]["errors"] = sum(r[name]["errors"] for r in rounds)
    ratio = summary["cawarn"]["rps"] / summary["datasette"]["rps"]
    verdicts = {
        "throughput cawarn/datasette >= 1.0": ratio >= 1.0,
        f"cawarn p95 < {P95_TARGET_MS:.0f} ms": summary["cawarn"]["p95_ms"] < P95_TARGET_MS,
        f"overview page slowest < {OVERVIEW_TARGET_S:.0f} s": max(overview) < OVERVIEW_TARGET_S,
    }
    report = {
        "benchmark": "api",
        "environment": env,
        "node": {"scale": args.scale, "build_s": node.get("build_s")},
        "query": query,
        "answers": answers,
        "concurrency": args.concurrency,
        "workers": args.workers,
        "duration_s": args.duration,
        "rounds": rounds,
        "summary": summary,
        "ratio_rps": ratio,
        "overview_s": overview,
        "verdicts": verdicts,
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return 0


def print_report(report: dict[str, Any]) -> None:
    env, q, a = report["environment"], report["query"], report["answers"]
    print(
        f"cawarn API benchmark: {q['events']:,} current events in SQLite; "
        f"country={q['country']} from={q['from']} to={q['to']} category={q['category']} "
        f"({q['matches']:,} matches), 100 per page"
    )
    print(
        f"machine: nproc {env['nproc']} ({env['cpus_usable']} usable; servers and load generator "
        f"share them), {env['machine']}, load average {env['load_average_at_start']} at start"
    )
    print(
        f"versions: Python {env['python']}, cawarn {env['cawarn']}, datasette {env['datasette']}, "
        f"httpx {env['httpx']}, SQLite {env['sqlite']}"
    )
    print(
        f"load: {report['concurrency']} concurrent keep-alive clients, "
        f"{report['duration_s']:.0f} s per server per round, one asyncio httpx generator; "
        f"cawarn serve --workers {report['workers']}, datasette one process"
    )
    print(
        f"answers: cawarn {a['cawarn_rows']} rows of {a['cawarn_total']:,} "
        f"({a['cawarn_bytes']:,} B), datasette {a['datasette_rows']} rows of "
        f"{a['datasette_total']} "
        f"({a['datasette_bytes']:,} B); same rows in the same order: {a['same_rows']}"
    )
    print()
    line = "{:>6}  {:<22}{:<11}{:>10}{:>10}{:>10}{:>8}"
    print(line.format("round", "order", "server", "req/s", "p50 ms", "p95 ms", "errors"))
    for r in report["rounds"]:
        for name in ("cawarn", "datasette"):
            m = r[name]
            print(
                line.format(
                    r["round"],
                    r["order"],
                    name,
                    f"{m['rps']:.1f}",
                    f"{m['p50_ms']:.1f}",
                    f"{m['p95_ms']:.1f}",
                    m["errors"],
                )
            )
    for name in ("cawarn", "datasette"):
        m = report["summary"][name]
        print(
            line.format(
                "median",
                "",
                name,
                f"{m['rps']:.1f}",
                f"{m['p50_ms']:.1f}",
                f"{m['p95_ms']:.1f}",
                m["errors"],
            )
        )
    s = report["summary"]
    print()
    print(f"throughput cawarn/datasette {report['ratio_rps']:.3f}")
    print(f"p95 cawarn/datasette {s['cawarn']['p95_ms'] / s['datasette']['p95_ms']:.3f}")
    ov = report["overview_s"]
    print(
        "overview page /: " + ", ".join(f"{x:.3f}" for x in ov) + " s "
        f"(median {statistics.median(ov):.3f} s, slowest {max(ov):.3f} s)"
    )
    for name, ok in report["verdicts"].items():
        print(f"{name:<40}{'PASS' if ok else 'MISS'}")


if __name__ == "__main__":
    sys.exit(main())
