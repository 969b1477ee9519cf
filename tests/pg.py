"""A PostgreSQL server for the storage tests: the machine's, or a throwaway cluster.

The tests use ``CAWARN_TEST_POSTGRES_URL`` (default: the server on 127.0.0.1:5432). Where none
answers and the Debian/PostgreSQL binaries are installed, a temporary cluster is started for the
session. Under CI (``CI=true``) a missing PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def answers(url: str) -> bool:
    """Whether a PostgreSQL server accepts a connection at ``url``."""
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


def _binaries() -> Path | None:
    for candidate in [
        shutil.which("initdb"),
        *sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb")),
    ]:
        if candidate and Path(candidate).exists():
            return Path(candidate).parent
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class TempCluster:
    """A throwaway PostgreSQL cluster in a temporary folder, stopped at the end."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.dir = Path(tempfile.mkdtemp(prefix="cawarn-pg-"))
        self.port = _free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if user:
            shutil.chown(self.dir, "postgres")
        data = self.dir / "data"
        subprocess.run(
            [*user, str(self.bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                *user,
                str(self.bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(self.dir / "log"),
                "-o",
                f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1",
                "-w",
                "start",
            ],
            check=True,
            capture_output=True,
        )
        deadline = time.monotonic() + 30
        while not answers(self.url):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the temporary PostgreSQL cluster in {self.dir} did not start")
            time.sleep(0.2)

    def stop(self) -> None:
        user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(
            [
                *user,
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.dir / "data"),
                "-m",
                "fast",
                "stop",
            ],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


def find_or_start() -> tuple[str | None, TempCluster | None, str]:
    """A usable server URL, the cluster started for it (if any), and what happened."""
    url = os.environ.get("CAWARN_TEST_POSTGRES_URL", DEFAULT_URL)
    if answers(url):
        return url, None, f"using {url}"
    bindir = _binaries()
    if bindir is None:
        return None, None, f"no PostgreSQL answers at {url} and no initdb is installed"
    cluster = TempCluster(bindir)
    try:
        cluster.start()
    except (OSError, subprocess.CalledProcessError, RuntimeError) as err:
        cluster.stop()
        return None, None, f"no PostgreSQL answers at {url} and a temporary cluster failed: {err}"
    return cluster.url, cluster, f"started a temporary cluster at {cluster.url}"
