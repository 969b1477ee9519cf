"""The API benchmark's listing request in process: CPU per request, no HTTP server, no datasette.

Uses the node that ``benchmarks/api.py`` built (``.bench/api/``, run that first) and sends the
same request (one country, one year, one category, 100 per page, with its read-only API key)
through the app with httpx's ASGI transport, one after another, after a warm-up. It prints the
wall and CPU time per request (the client's share included: about 0.5 ms) and the answer's size.
To see where the time goes, run it under a sampling profiler that follows every thread (FastAPI
runs the route in a worker thread):

    .venv/bin/python benchmarks/api_inprocess.py [--requests 1000] [--category armed_clash]
    py-spy record -r 500 -f raw -o listing.txt -- .venv/bin/python benchmarks/api_inprocess.py
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import secrets
import statistics
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent


async def measure(home: Path, key: str, url: str, requests: int, warmup: int) -> dict[str, float]:
    """Wall and CPU seconds of ``requests`` listing requests through the app in this process."""
    from cawarn.config import load_settings
    from cawarn.web import create_app

    os.environ.setdefault("CAWARN_SECRET_KEY", secrets.token_urlsafe(32))
    app = create_app(load_settings(home))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://bench",
            headers={"Authorization": f"Bearer {key}"},
        ) as client,
    ):
        first = await client.get(url)
        if first.status_code != 200:
            raise SystemExit(f"Error: the listing answered {first.status_code}: {first.text}")
        for _ in range(warmup):
            await client.get(url)
        times = []
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        for _ in range(requests):
            t0 = time.perf_counter()
            answer = await client.get(url)
            times.append(time.perf_counter() - t0)
            if answer.status_code != 200:
                raise SystemExit(f"Error: the listing answered {answer.status_code}")
        wall = time.perf_counter() - started
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    ms = sorted(t * 1000 for t in times)
    return {
        "wall_ms": wall / requests * 1000,
        "cpu_ms": cpu / requests * 1000,
        "p50_ms": statistics.median(ms),
        "p95_ms": ms[min(len(ms) - 1, int(0.95 * len(ms)))],
        "bytes": len(first.content),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--workdir", type=Path, default=REPO / ".bench" / "api")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--country", default="AFG")
    parser.add_argument("--year", type=int, default=2020)
    parser.add_argument("--category", default="armed_clash")
    args = parser.parse_args(argv)
    sidecar = args.workdir / "node.json"
    if not sidecar.exists():
        print(f"Error: no node in {args.workdir}; run benchmarks/api.py first", file=sys.stderr)
        return 1
    key = json.loads(sidecar.read_text())["key"]
    url = (
        f"/api/v1/events?country={args.country}&from={args.year}-01-01&to={args.year}-12-31"
        f"&category={args.category}&page=1&per_page=100"
    )
    result = asyncio.run(measure(args.workdir / "home", key, url, args.requests, args.warmup))
    print(
        f"{args.requests} listing requests in process: wall {result['wall_ms']:.2f} ms, "
        f"CPU {result['cpu_ms']:.2f} ms per request (client included); p50 "
        f"{result['p50_ms']:.2f} ms, p95 {result['p95_ms']:.2f} ms; {result['bytes']:,} B"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
