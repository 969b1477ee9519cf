"""`cawarn ingest ucdp-ged --version` downloads the official release once, from a local server."""

from __future__ import annotations

import http.server
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.helpers import cawarn, one_sentence_error
from tests.conftest import BOUNDARIES, GED_SAMPLE


@pytest.fixture
def ucdp_site(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """A local web server laid out like UCDP's downloads, counting the requests it serves."""
    root = tmp_path / "site"
    (root / "downloads" / "ged").mkdir(parents=True)
    with zipfile.ZipFile(
        root / "downloads" / "ged" / "ged991-csv.zip", "w", zipfile.ZIP_DEFLATED
    ) as zf:
        zf.write(GED_SAMPLE, "GEDEvent_v99_1.csv")
    requests: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(root), **kwargs)  # type: ignore[arg-type]

        def log_message(self, format: str, *args: object) -> None:
            requests.append(self.path)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()


def test_version_downloads_once_then_reads_the_cache(
    tmp_path: Path, ucdp_site: tuple[str, list[str]]
) -> None:
    base, requests = ucdp_site
    home = tmp_path / "home"
    env = {"CAWARN_UCDP_API": base}
    assert cawarn(home, "init").returncode == 0
    assert cawarn(home, "--quiet", "geo", "import", str(BOUNDARIES)).returncode == 0
    first = cawarn(home, "--quiet", "ingest", "ucdp-ged", "--version", "99.1", env=env)
    assert first.returncode == 0, first.stderr
    assert "138 new events" in first.stdout
    assert requests == ["/downloads/ged/ged991-csv.zip"]
    assert (home / "cache" / "ged991-csv.zip").is_file()
    second = cawarn(home, "--quiet", "ingest", "ucdp-ged", "--version", "99.1", env=env)
    assert second.returncode == 0, second.stderr
    assert "138 events are unchanged" in second.stdout
    assert len(requests) == 1  # read from the cache
    missing = cawarn(home, "ingest", "ucdp-ged", "--version", "98.1", env=env)
    line = one_sentence_error(missing)
    assert "404" in line
