"""``cawarn user``, ``org``, ``apikey`` and ``serve`` as an operator runs them."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.cli.helpers import cawarn, one_sentence_error

PASSWORD = "a long and unguessable passphrase"
SECRET = "0123456789abcdef0123456789abcdef-secret"


def _stdin(home: Path, *args: str, text: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    import os

    full_env = {**os.environ, **(env or {})}
    full_env.pop("CAWARN_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "cawarn", "--home", str(home), *args],
        input=text,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
        check=False,
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An initialised node home run by NODE."""
    home = tmp_path / "node"
    result = cawarn(home, "init", "--organisation", "NODE")
    assert result.returncode == 0, result.stderr
    return home


def test_first_admin_users_and_keys(home: Path) -> None:
    made = _stdin(
        home, "user", "create-admin", "--username", "root.admin", "--password-stdin", text=PASSWORD
    )
    assert made.returncode == 0, made.stderr
    assert "manages every organisation" in made.stdout
    assert "NODE" in cawarn(home, "org", "list").stdout
    org = cawarn(home, "org", "create", "KGZ-NCTC", "--title", "Kyrgyz CT centre")
    assert org.returncode == 0, org.stderr
    user = _stdin(
        home,
        "user",
        "create",
        "--username",
        "kgz.analyst",
        "--org",
        "KGZ-NCTC",
        "--role",
        "analyst",
        "--password-stdin",
        text=PASSWORD + "\n",
    )
    assert user.returncode == 0, user.stderr
    listing = cawarn(home, "user", "list").stdout
    assert "kgz.analyst" in listing and "root.admin" in listing and "analyst" in listing
    # A key is printed once, on stdout alone; only its prefix is listed afterwards.
    created = cawarn(
        home, "apikey", "create", "--user", "kgz.analyst", "--read-only", "--expires", "30d"
    )
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    assert key.startswith("cawarn_") and "read-only" in created.stderr
    prefix = key.split("_")[1]
    keys = cawarn(home, "apikey", "list").stdout
    assert prefix in keys and key not in keys
    assert cawarn(home, "apikey", "revoke", prefix).returncode == 0
    assert "revoked" in cawarn(home, "apikey", "revoke", prefix).stdout  # twice is harmless


def test_account_mistakes_are_one_sentence(home: Path) -> None:
    short = one_sentence_error(
        _stdin(
            home, "user", "create-admin", "--username", "a.admin", "--password-stdin", text="short"
        )
    )
    assert "at least 12" in short
    empty = one_sentence_error(
        _stdin(home, "user", "create-admin", "--username", "a.admin", "--password-stdin", text="")
    )
    assert "--password-stdin read nothing" in empty
    no_tty = one_sentence_error(
        _stdin(home, "user", "create-admin", "--username", "a.admin", text="")
    )
    assert "--password-stdin" in no_tty
    bad_name = one_sentence_error(
        _stdin(
            home,
            "user",
            "create-admin",
            "--username",
            "Bad Name",
            "--password-stdin",
            text=PASSWORD,
        )
    )
    assert "username" in bad_name
    missing_org = one_sentence_error(
        _stdin(
            home,
            "user",
            "create",
            "--username",
            "x.y",
            "--org",
            "NOPE",
            "--role",
            "analyst",
            "--password-stdin",
            text=PASSWORD,
        )
    )
    assert "no organisation 'NOPE'" in missing_org
    assert one_sentence_error(cawarn(home, "apikey", "create", "--user", "ghost")).startswith(
        "Error: There is no user 'ghost'"
    )
    _stdin(home, "user", "create-admin", "--username", "b.admin", "--password-stdin", text=PASSWORD)
    expiry = one_sentence_error(
        cawarn(home, "apikey", "create", "--user", "b.admin", "--expires", "soon")
    )
    assert "90d" in expiry
    unknown = cawarn(home, "apikey", "revoke", "zzzzzzzz")
    assert unknown.returncode == 5 and "no API key" in one_sentence_error(unknown)


def test_serve_refuses_without_a_secret_key(home: Path) -> None:
    result = cawarn(home, "serve", "--port", "1")
    line = one_sentence_error(result)
    assert result.returncode == 3
    assert "CAWARN_SECRET_KEY" in line
    weak = one_sentence_error(cawarn(home, "serve", env={"CAWARN_SECRET_KEY": "changeme"}))
    assert "placeholder" in weak


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_answers_api_clients(home: Path) -> None:
    _stdin(
        home, "user", "create-admin", "--username", "root.admin", "--password-stdin", text=PASSWORD
    )
    key = cawarn(home, "apikey", "create", "--user", "root.admin").stdout.strip()
    port = _free_port()
    import os

    env = {**os.environ, "CAWARN_SECRET_KEY": SECRET}
    server = subprocess.Popen(
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
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        response = None
        while time.monotonic() < deadline:
            try:
                response = httpx.get(
                    f"http://127.0.0.1:{port}/api/v1/me",
                    headers={"Authorization": f"Bearer {key}"},
                    timeout=2,
                )
                break
            except httpx.TransportError:
                assert server.poll() is None, "the server stopped; run it by hand to see why"
                time.sleep(0.1)
        assert response is not None, "the server did not answer within 60 s"
        assert response.status_code == 200
        assert response.json()["user"]["username"] == "root.admin"
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/me", timeout=2).status_code == 401
    finally:
        server.terminate()
        server.wait(timeout=30)


def _workers(pid: int) -> list[int]:
    """The worker processes (started by multiprocessing's spawn) of the server ``pid``."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
            command = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid) and b"spawn_main" in command:
            found.append(int(status.parent.name))
    return found


def test_serve_with_workers_shares_the_demo_session_key(home: Path) -> None:
    """Two worker processes; a session made by one is valid on every one."""
    import os

    _stdin(
        home, "user", "create-admin", "--username", "root.admin", "--password-stdin", text=PASSWORD
    )
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "CAWARN_SECRET_KEY"}
    env["CAWARN_DEMO"] = "true"  # no secret key: the server makes one up for the run
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "cawarn", "--home", str(home), "--quiet", "serve"),
            *("--port", str(port), "--workers", "2"),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/me", timeout=2)
                break
            except httpx.TransportError:
                pass
            assert server.poll() is None, "the server stopped; run it by hand to see why"
            assert time.monotonic() < deadline, "the server did not answer within 60 s"
            time.sleep(0.2)
        # uvicorn starts the workers one after the other; wait until both run.
        while len(_workers(server.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(_workers(server.pid)) == 2
        answers = set()
        # Each worker allows half the login limit (5 of LOGIN_LIMIT_USER's 10 for one user).
        for _ in range(4):
            # A new connection each time, so that either worker may take it.
            login = httpx.post(
                f"{base}/auth/login", json={"username": "root.admin", "password": PASSWORD}
            )
            assert login.status_code == 200, login.text
            cookie = login.headers["set-cookie"].split(";", 1)[0]
            for _ in range(10):
                me = httpx.get(f"{base}/me", headers={"Cookie": cookie}, timeout=5)
                answers.add(me.status_code)
        assert answers == {200}
    finally:
        server.terminate()
        server.wait(timeout=30)
