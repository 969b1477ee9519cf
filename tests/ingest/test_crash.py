"""kill -9 in the middle of an ingest: the store stays as it was and a rerun finishes the job."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.cli.helpers import cawarn
from tests.conftest import BOUNDARIES, GED_SAMPLE
from tests.ged_files import region_rows, write_rows


def _big_file(path: Path, rows: int) -> Path:
    header, sample = region_rows(GED_SAMPLE)
    rng = random.Random(7)
    out = []
    for i in range(rows):
        row = dict(rng.choice(sample))
        row["id"] = str(900_000_000 + i)
        out.append(row)
    return write_rows(path, header, out)


def _counts(db: Path) -> tuple[int, int, int]:
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        result = tuple(
            int(conn.execute(sa.text(q)).scalar_one())
            for q in (
                "select count(*) from events",
                "select count(*) from quarantine",
                "select count(*) from batches where status = 'committed'",
            )
        )
    engine.dispose()
    return result  # type: ignore[return-value]


@pytest.mark.slow
def test_kill_mid_ingest_then_rerun(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert cawarn(home, "init").returncode == 0
    assert cawarn(home, "--quiet", "geo", "import", str(BOUNDARIES)).returncode == 0
    data = _big_file(tmp_path / "ged991.csv", 40_000)
    wal = home / "cawarn.db-wal"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cawarn",
            "--home",
            str(home),
            "--quiet",
            "ingest",
            "ucdp-ged",
            str(data),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Wait until the batch has written a good part of its rows (uncommitted, in the WAL).
    deadline = time.monotonic() + 120
    while (not wal.exists() or wal.stat().st_size < 8_000_000) and proc.poll() is None:
        assert time.monotonic() < deadline, "the ingest never got going"
        time.sleep(0.05)
    assert proc.poll() is None, "the ingest finished before it could be killed; use a larger file"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert _counts(home / "cawarn.db") == (0, 0, 0)
    rerun = cawarn(home, "--quiet", "ingest", "ucdp-ged", str(data))
    assert rerun.returncode == 0, rerun.stderr
    events, quarantined, committed = _counts(home / "cawarn.db")
    assert committed == 1
    assert events + quarantined == 40_000
