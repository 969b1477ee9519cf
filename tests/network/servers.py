"""Real servers for the network tests: cawarn nodes and medallion, on loopback, in processes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from cawarn.config import load_settings
from cawarn.store.engine import create_engine_for

SECRET = "network-tests-secret-key-0123456789abcdef"
STARTUP_SECONDS = 60.0


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(proc: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            httpx.get(url, timeout=2, verify=False)  # up is all that matters here
            return
        except httpx.TransportError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"the server for {url} stopped; run it by hand to see why")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {STARTUP_SECONDS:.0f} s")
        time.sleep(0.1)


def cawarn(
    home: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the cawarn command on a node home."""
    env = {**os.environ, "CAWARN_SECRET_KEY": SECRET, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "cawarn", "--home", str(home), "--quiet", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def node_key(home: Path) -> str:
    """The node's public key as ``cawarn node key`` prints it (what operators register)."""
    result = cawarn(home, "node", "key")
    assert result.returncode == 0, result.stderr
    return next(
        line.split(": ", 1)[1]
        for line in result.stdout.splitlines()
        if line.startswith("public_key")
    )


def init_node(home: Path, org: str) -> sa.Engine:
    """A new node home run by the organisation; returns an engine on its store."""
    result = cawarn(home, "init", "--organisation", org)
    assert result.returncode == 0, result.stderr
    return create_engine_for(load_settings(home))


@contextmanager
def serving(
    home: Path,
    env: dict[str, str] | None = None,
    port: int | None = None,
    tls: tuple[Path, Path] | None = None,
) -> Iterator[str]:
    """``cawarn serve`` on a (free) port, over HTTPS with ``tls`` (certificate, key); yields
    the TAXII base URL (…/taxii2/)."""
    port = port or free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cawarn",
            "--home",
            str(home),
            "--quiet",
            "serve",
            "--port",
            str(port),
            *(["--tls-cert", str(tls[0]), "--tls-key", str(tls[1])] if tls else []),
        ],
        env={**os.environ, "CAWARN_SECRET_KEY": SECRET, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"{'https' if tls else 'http'}://127.0.0.1:{port}/taxii2/"
    try:
        _wait_until_up(proc, base)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def medallion_config(
    collection_id: str, objects: list[dict[str, Any]], *, user: str, password: str, page: int
) -> dict[str, Any]:
    """A medallion memory-backend config: one API root with one collection holding the objects."""
    manifest = [
        {
            "id": obj["id"],
            "date_added": f"2026-11-20T00:00:{i // 1000:02d}.{i % 1000:03d}000Z",
            "version": obj["modified"],
            "media_type": "application/stix+json;version=2.1",
        }
        for i, obj in enumerate(objects)
    ]
    return {
        "taxii": {"max_page_size": page},
        "users": {user: password},
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": None,
        },
        "data": {
            "/discovery": {
                "title": "medallion",
                "default": "http://127.0.0.1/api1/",
                "api_roots": ["http://127.0.0.1/api1/"],
            },
            "api1": {
                "information": {
                    "title": "api1",
                    "versions": ["application/taxii+json;version=2.1"],
                    "max_content_length": 100_000_000,
                },
                "status": [],
                "collections": [
                    {
                        "id": collection_id,
                        "title": "shared",
                        "can_read": True,
                        "can_write": True,
                        "media_types": ["application/stix+json;version=2.1"],
                        "objects": objects,
                        "manifest": manifest,
                    }
                ],
            },
        },
    }


@contextmanager
def medallion(folder: Path, config: dict[str, Any]) -> Iterator[str]:
    """medallion (memory backend) on a free port; yields its base URL."""
    data = folder / "medallion-data.json"
    data.write_text(json.dumps(config.pop("data")), encoding="utf-8")
    config["backend"]["filename"] = str(data)
    path = folder / "medallion.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    port = free_port()
    exe = Path(sys.executable).parent / "medallion"
    proc = subprocess.Popen(
        [str(exe), "--host", "127.0.0.1", "--port", str(port), "--log-level", "ERROR", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_up(proc, base + "taxii2/")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
