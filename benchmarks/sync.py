"""Sync benchmark: our TAXII server vs medallion, each serving the same objects to taxii2-client.

Builds (under ``.bench/sync/``) a node run by KAZ-CTC whose store holds ``--objects`` shareable
objects released to KGZ-NCTC (incidents and their locations, signed, TLP:CLEAR/GREEN/AMBER/
AMBER+STRICT with mixed audiences) plus a fifth as many that KGZ may not receive (TLP:RED, or
released to the UN office only), so every page is filtered by marking and audience. medallion
(memory backend, the OASIS reference server) is loaded with the same objects KGZ receives.
Then, in the same run and alternating which goes first, taxii2-client pages through all of them
on each server (``limit``/``next``, ``--page`` objects per request) and the objects/s of each and
their ratio are printed. Target (issue 7): at least 5 times medallion's throughput.

medallion's memory backend matches every object against every manifest entry when it answers
the first page (quadratic: about 4 minutes of CPU for 3,300 objects here), so it cannot serve
100,000 objects in any useful time. It is therefore given the first ``--medallion-objects`` of
them (default 2,000); since its cost per object only grows with size, the ratio printed is a
lower bound of the ratio at 100,000.

    .venv/bin/python benchmarks/sync.py [--objects 100000] [--medallion-objects 2000]
        [--page 1000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from taxii2client.v21 import ApiRoot, as_pages  # noqa: E402
from tests.network.servers import (  # noqa: E402
    free_port,
    init_node,
    medallion,
    medallion_config,
    serving,
)
from tests.network.stixdata import (  # noqa: E402
    KAZ,
    KGZ,
    TLP,
    UN,
    private_key,
    setup_node,
)

from cawarn.domain.events import Marking  # noqa: E402
from cawarn.network import objects  # noqa: E402
from cawarn.network.signing import sign_object  # noqa: E402
from cawarn.network.stix.ids import identity_id  # noqa: E402

BENCH_NS = uuid.UUID("5b1f0a5e-0c1e-4b7e-8f35-0d7e3c9b1a22")
TARGET_RATIO = 5.0
VISIBLE = [
    (Marking.CLEAR, [KGZ, UN]),
    (Marking.GREEN, [KGZ, UN]),
    (Marking.AMBER, [KGZ]),
    (Marking.AMBER_STRICT, [KGZ]),
]
HIDDEN = [(Marking.RED, [KGZ, UN]), (Marking.GREEN, [UN])]


def note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _pair(i: int, marking: Marking) -> tuple[dict[str, Any], dict[str, Any]]:
    """An incident and its location, created by KAZ-CTC."""
    stamp = (dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=i)).strftime(
        "%Y-%m-%dT%H:%M:%S.000Z"
    )
    common = {
        "spec_version": "2.1",
        "created": stamp,
        "modified": stamp,
        "created_by_ref": identity_id(KAZ),
        "object_marking_refs": [TLP[marking]],
    }
    place = {
        "type": "location",
        "id": f"location--{uuid.uuid5(BENCH_NS, f'l{i}')}",
        **common,
        "latitude": round(37.0 + (i % 1000) * 0.01, 4),
        "longitude": round(60.0 + (i % 1700) * 0.01, 4),
        "country": "KZ",
    }
    event = {
        "type": "incident",
        "id": f"incident--{uuid.uuid5(BENCH_NS, f'i{i}')}",
        **common,
        "name": f"Armed clash near site {i}",
        "description": "Two armed groups clashed; fatalities reported by the source.",
    }
    return place, event


def build(workdir: Path, count: int) -> tuple[Path, str, list[dict[str, Any]]]:
    """The KAZ node with count visible + count/5 hidden objects; the visible ones, in order."""
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    home = workdir / "kaz"
    note(f"Building the node in {home}: {count} objects for KGZ, {count // 5} hidden ...")
    started = time.perf_counter()
    engine = init_node(home, KAZ)
    key = private_key(KAZ)
    visible: list[dict[str, Any]] = []
    items: list[objects.Shareable] = []
    with engine.begin() as conn:
        kgz_key = setup_node(conn, KAZ, [KGZ, UN]).keys[KGZ]
        pairs = count // 2
        i = 0
        made = 0
        while made < pairs:
            i += 1
            hidden = i % 6 == 0  # one hidden pair for every five visible pairs
            marking, audience = (HIDDEN if hidden else VISIBLE)[i % (2 if hidden else 4)]
            for obj in _pair(i, marking):
                done = sign_object(obj, key, audience=audience)
                items.append(objects.Shareable(done, audience, marking, objects.LOCAL_ORIGIN))
                if not hidden:
                    visible.append(done)
            made += 0 if hidden else 1
        objects.put_many(conn, items)
    engine.dispose()
    note(f"  built in {time.perf_counter() - started:.0f} s")
    return home, kgz_key, visible


def read_all(root_url: str, user: str, password: str, page: int) -> tuple[int, float]:
    """taxii2-client pages through the first collection: (objects read, seconds)."""
    started = time.perf_counter()
    collection = ApiRoot(root_url, user=user, password=password).collections[0]
    got = 0
    for envelope in as_pages(collection.get_objects, per_request=page):
        got += len(envelope.get("objects", []))
    return got, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--medallion-objects", type=int, default=2000)
    parser.add_argument("--page", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=REPO / ".bench" / "sync")
    args = parser.parse_args()
    home, kgz_key, visible = build(args.workdir, args.objects)
    for_medallion = visible[: args.medallion_objects]
    config = medallion_config(
        str(uuid.uuid4()), for_medallion, user="kgz", password="bench", page=args.page
    )
    ours: list[float] = []
    theirs: list[float] = []
    with serving(home, port=free_port()) as base, medallion(args.workdir, config) as med:
        for round_ in range(args.rounds):
            order = ["cawarn", "medallion"] if round_ % 2 == 0 else ["medallion", "cawarn"]
            for who in order:
                if who == "cawarn":
                    got, secs = read_all(f"{base}cawarn/", "node.kgz-nctc", kgz_key, args.page)
                    ours.append(got / secs)
                else:
                    got, secs = read_all(f"{med}api1/", "kgz", "bench", args.page)
                    theirs.append(got / secs)
                expected = len(visible) if who == "cawarn" else len(for_medallion)
                if got != expected:
                    note(f"{who} served {got} objects, expected {expected}")
                    return 1
                note(f"  round {round_ + 1}: {who:9s} {got} objects in {secs:6.1f} s")
    ours_rate, theirs_rate = statistics.median(ours), statistics.median(theirs)
    ratio = ours_rate / theirs_rate
    result = {
        "objects": len(visible),
        "medallion_objects": len(for_medallion),
        "hidden_objects_filtered": int(args.objects * 0.2),
        "page": args.page,
        "cawarn_objects_per_s": round(ours_rate),
        "medallion_objects_per_s": round(theirs_rate),
        "ratio": round(ratio, 2),
        "target_ratio": TARGET_RATIO,
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cpus",
    }
    print(json.dumps(result, indent=2))
    print(
        f"cawarn {ours_rate:,.0f} objects/s, medallion {theirs_rate:,.0f} objects/s: "
        f"{ratio:.1f}x (target >= {TARGET_RATIO:.0f}x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
