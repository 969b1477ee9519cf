"""``cawarn sync`` killed with SIGKILL mid-way, twice, then run again: nothing lost or doubled.

KAZ serves its events of two synthetic years (about 800 incidents, each with its place and
relationship: several pages) from a real ``cawarn serve``; KGZ's ``cawarn sync`` runs as a
process and is killed once while it pulls pages and once while it imports the incidents as
events. The next run finishes the job, and the
one after finds nothing new.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from cawarn.domain.events import Marking
from cawarn.network import objects
from cawarn.network.stix.export import ExportFilter, export_objects
from cawarn.network.taxii.writes import object_marking
from cawarn.store.schema_taxii import taxii_objects
from cawarn.store.tables import batches, events
from tests.conftest import BOUNDARIES
from tests.network.servers import SECRET, cawarn, free_port, init_node, serving
from tests.network.stixdata import KAZ, KGZ, setup_node, signed

pytestmark = pytest.mark.slow


def _count(engine: sa.Engine, query: sa.Select[tuple[int]]) -> int:
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def _kill_when(
    home: Path, env: dict[str, str], ready: sa.Engine, query: sa.Select[tuple[int]]
) -> bool:
    """Start ``cawarn sync`` and SIGKILL it once the query counts above zero; True if killed."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "cawarn", "--home", str(home), "--quiet", "sync"],
        env={**os.environ, "CAWARN_SECRET_KEY": SECRET, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if _count(ready, query) > 0:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=30)
                return True
            time.sleep(0.02)
        return False
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)


def test_a_killed_sync_resumes_with_nothing_lost_or_doubled(tmp_path: Path) -> None:
    homes = {org: tmp_path / org for org in (KAZ, KGZ)}
    port = free_port()
    engines = {org: init_node(home, org) for org, home in homes.items()}
    for home in homes.values():
        assert cawarn(home, "geo", "import", str(BOUNDARIES)).returncode == 0
    # KAZ's events: two synthetic years of the region's violence, loaded by the ingest, exported
    # as STIX, signed and released to KGZ as the release wiring would.
    scenario = tmp_path / "scenario"
    made = cawarn(homes[KAZ], "scenario", "generate", "--out", str(scenario), "--start", "2023-01")
    assert made.returncode == 0, made.stderr
    assert cawarn(homes[KAZ], "ingest", "scenario", str(scenario)).returncode == 0
    with engines[KAZ].begin() as conn:
        keys = setup_node(conn, KAZ, [KGZ]).keys
        found, incidents = export_objects(conn, ExportFilter(max_marking=Marking.AMBER))
        shared = [
            objects.Shareable(signed(obj, KAZ, [KGZ]), [KGZ], object_marking(obj), "local")
            for obj in found
            if obj["type"] in ("incident", "location", "relationship")
        ]
        objects.put_many(conn, shared)
    with engines[KGZ].begin() as conn:
        setup_node(conn, KGZ, [KAZ], register_peers={KAZ: f"http://127.0.0.1:{port}/taxii2/"})
    env = {"KEY_KGZ_NCTC_AT_KAZ_CTC": keys[KGZ]}
    pulled = (
        select(func.count()).select_from(taxii_objects).where(taxii_objects.c.origin == "kaz-ctc")
    )
    importing = select(func.count()).select_from(batches).where(batches.c.source == "stix")
    received = select(func.count()).select_from(events).where(events.c.source == "stix")

    with serving(homes[KAZ], port=port):
        # Killed once the first page is in, then once the import of events has begun.
        assert _kill_when(homes[KGZ], env, engines[KGZ], pulled)
        assert 0 < _count(engines[KGZ], pulled) < len(shared)
        assert _kill_when(homes[KGZ], env, engines[KGZ], importing)
        assert _count(engines[KGZ], pulled) == len(shared)
        finished = cawarn(homes[KGZ], "sync", "--json", env=env)
        assert finished.returncode == 0, finished.stderr
        again = cawarn(homes[KGZ], "sync", "--json", env=env)
        assert again.returncode == 0, again.stderr
    last = json.loads(again.stdout)[0]
    assert (last["pulled_new"], last["events_new"], last["quarantined"]) == (0, 0, 0), last
    with engines[KGZ].connect() as conn:
        versions = conn.execute(
            select(func.count(), func.count(taxii_objects.c.stix_id.distinct())).where(
                taxii_objects.c.origin == "kaz-ctc"
            )
        ).one()
        current = conn.execute(
            select(func.count(), func.count(events.c.uid.distinct())).where(
                events.c.source == "stix", events.c.is_current
            )
        ).one()
    assert tuple(versions) == (len(shared), len(shared))  # every object, each once
    assert tuple(current) == (incidents, incidents), _count(engines[KGZ], received)
    for engine in engines.values():
        engine.dispose()
