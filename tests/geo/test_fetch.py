"""Downloading boundaries from a geoBoundaries-like API served over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from cawarn.domain import InputError
from cawarn.geo.boundaries import read_boundary_folder
from cawarn.geo.fetch import fetch_boundaries
from tests.geo.conftest import BOUNDARY_DIR


def _api_answer(country: str, base: str) -> dict[str, str]:
    """An API answer in the geoBoundaries layout, built from the release metaData file."""
    folder = BOUNDARY_DIR / country / "ADM1"
    meta = json.loads((folder / f"geoBoundaries-{country}-ADM1-metaData.json").read_text("utf-8"))
    sources = [meta["boundarySource-1"], meta["boundarySource-2"]]
    return {
        "boundaryID": meta["boundaryID"],
        "boundaryISO": country,
        "boundaryType": "ADM1",
        "boundaryYearRepresented": meta["boundaryYear"],
        "boundarySource": ", ".join(s for s in sources if s),
        "boundaryLicense": meta["boundaryLicense"],
        "licenseDetail": meta["licenseDetail"],
        "licenseSource": meta["licenseSource"],
        "sourceDataUpdateDate": meta["sourceDataUpdateDate"],
        "buildDate": meta["buildUpdateDate"],
        "gjDownloadURL": f"{base}/missing/{country}.geojson",
        # geoBoundaries links to GitHub, which redirects to the raw file.
        "simplifiedGeometryGeoJSON": f"{base}/redirect/{country}",
    }


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""

    def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        base = f"http://127.0.0.1:{self.server.server_port}"  # type: ignore[attr-defined]
        parts = self.path.strip("/").split("/")
        if parts[:3] == ["api", "current", "gbOpen"] and len(parts) == 5:
            country = parts[3]
            if country == "BAD":  # names a file that is not GeoJSON
                answer = {"simplifiedGeometryGeoJSON": f"{base}/html"}
                self._send(HTTPStatus.OK, json.dumps(answer).encode())
            elif (BOUNDARY_DIR / country / "ADM1").is_dir():
                self._send(HTTPStatus.OK, json.dumps(_api_answer(country, base)).encode())
            else:
                self._send(HTTPStatus.NOT_FOUND, b'{"error": "not found"}')
        elif parts[0] == "redirect":
            country = parts[1]
            self.send_response(HTTPStatus.FOUND)
            name = f"geoBoundaries-{country}-ADM1_simplified.geojson"
            self.send_header("Location", f"{base}/files/{country}/ADM1/{name}")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif parts[0] == "files":
            path = BOUNDARY_DIR.joinpath(*parts[1:])
            self._send(HTTPStatus.OK, path.read_bytes(), "application/geo+json")
        elif parts[0] == "html":
            self._send(HTTPStatus.OK, b"<html>rate limited</html>", "text/html")
        else:
            self._send(HTTPStatus.NOT_FOUND, b"{}")


@pytest.fixture
def api() -> Iterator[str]:
    """A geoBoundaries-like API on a free local port; yields its base address."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_fetch_then_read_back(api: str, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    written = fetch_boundaries(
        ["afg", "TJK", "IRN", "AFG"],
        tmp_path,
        api_base=api,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert [p.relative_to(tmp_path).as_posix() for p in written] == [
        f"{c}/ADM1/geoBoundaries-{c}-ADM1_simplified.geojson" for c in ("AFG", "TJK", "IRN")
    ]
    for country in ("AFG", "TJK", "IRN"):
        folder = tmp_path / country / "ADM1"
        assert sorted(p.name for p in folder.iterdir()) == [
            f"geoBoundaries-{country}-ADM1-metaData.json",
            f"geoBoundaries-{country}-ADM1_simplified.geojson",
        ]
        original = BOUNDARY_DIR / country / "ADM1" / written[0].name.replace("AFG", country)
        assert (folder / original.name).read_bytes() == original.read_bytes()
    fetched = read_boundary_folder(tmp_path, ["AFG", "TJK", "IRN"])
    shipped = read_boundary_folder(BOUNDARY_DIR, ["AFG", "TJK", "IRN"])
    for got, want in zip(fetched, shipped, strict=True):
        assert [u for u, _ in got.units] == [u for u, _ in want.units]
        assert got.source == want.source
        assert got.warnings == want.warnings
    assert len(fetched[2].units) == 31
    assert fetched[0].source.licence_url == "https://commons.wikimedia.org/wiki/File"


def test_a_caller_client_is_used_and_left_open(api: str, tmp_path: Path) -> None:
    with httpx.Client(timeout=10) as client:
        fetch_boundaries(["KGZ"], tmp_path, api_base=api, client=client)
        assert not client.is_closed
    (kgz,) = read_boundary_folder(tmp_path, ["KGZ"])
    assert len(kgz.units) == 7 and kgz.source.year == "2017"


def test_unknown_country_names_the_url_and_the_offline_import(api: str, tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        fetch_boundaries(["ZZZ"], tmp_path, api_base=api)
    message = str(err.value)
    assert f"{api}/api/current/gbOpen/ZZZ/ADM1/" in message
    assert "HTTP 404" in message and "cawarn geo import DIR" in message


def test_unreachable_server(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(InputError) as err:
        fetch_boundaries(["AFG"], tmp_path, api_base=f"http://127.0.0.1:{port}")
    message = str(err.value)
    assert f"Could not download http://127.0.0.1:{port}/api/current/gbOpen/AFG/ADM1/" in message
    assert "cawarn geo import DIR" in message
    assert not (tmp_path / "AFG").exists()


def test_a_failed_download_leaves_earlier_files_intact(api: str, tmp_path: Path) -> None:
    (written,) = fetch_boundaries(["TJK"], tmp_path, api_base=api)
    before = written.read_bytes()
    target = tmp_path / "BAD" / "ADM1"
    with pytest.raises(InputError, match="did not answer with GeoJSON"):
        fetch_boundaries(["TJK", "BAD"], tmp_path, api_base=api)
    assert written.read_bytes() == before
    assert not target.exists()
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".part")]


def test_refuses_country_codes_that_are_not_iso3(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not an ISO 3166-1 alpha-3"):
        fetch_boundaries(["AF"], tmp_path, api_base="http://127.0.0.1:9")


def test_cli_geo_fetch_loads_the_units_with_their_attribution(api: str, tmp_path: Path) -> None:
    import json

    from tests.cli.helpers import cawarn

    home = tmp_path / "home"
    assert cawarn(home, "init").returncode == 0
    env = {"CAWARN_GEOBOUNDARIES_API": api}
    fetched = cawarn(
        home, "--quiet", "geo", "fetch", "--country", "TJK", "--country", "KGZ", env=env
    )
    assert fetched.returncode == 0, fetched.stderr
    assert "TJK: 5 admin-1 units" in fetched.stdout
    units = json.loads(cawarn(home, "geo", "units", "--json").stdout)
    assert {u["country"] for u in units} == {"TJK", "KGZ"} and len(units) == 12
    sughd = next(u for u in units if u["code"] == "TJ-SU")
    assert sughd["name_ru"] == "Согдийская область"
    status = json.loads(cawarn(home, "status", "--json").stdout)
    assert {b["country"]: b["licence"] for b in status["boundaries"]}["TJK"].startswith("Open Data")
