"""The GeoNames gazetteer: reading dumps, storing the region's places, searching EN and RU."""

from __future__ import annotations

import datetime as dt
import threading
import zipfile
from collections.abc import Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa

from cawarn.domain import InputError
from cawarn.geo.gazetteer import (
    country_codes,
    download,
    import_places,
    imported,
    read_places,
    search,
)

SAMPLE = Path(__file__).parent / "data" / "geonames_sample.txt"
REGION = ["KAZ", "KGZ", "TJK", "TKM", "UZB", "AFG"]
NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def loaded(engine: sa.Engine) -> sa.Engine:
    """The store with the sample file imported."""
    with engine.begin() as conn:
        import_places(conn, read_places(SAMPLE), region=REGION, location="sample", now=NOW)
    return engine


def _names(engine: sa.Engine, query: str, region: list[str] = REGION) -> list[str]:
    with engine.connect() as conn:
        return [match.name for match in search(conn, query, region=region)]


def test_a_row_is_read_with_its_russian_name() -> None:
    places = {place.name: place for place in read_places(SAMPLE)}
    khorugh = places["Khorugh"]
    assert (khorugh.geonameid, khorugh.feature_code, khorugh.country_iso2) == (
        1221194,
        "PPLA",
        "TJ",
    )
    assert khorugh.name_ru == "Хорог"
    assert {"khorog", "хорог", "khorugh"} <= khorugh.terms


def test_import_keeps_places_and_admin_areas_of_the_region(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        result = import_places(conn, read_places(SAMPLE), region=REGION, location="sample", now=NOW)
    assert result.places == {"AFG": 2, "KAZ": 2, "KGZ": 5, "TJK": 3, "TKM": 1, "UZB": 2}
    assert (result.other_classes, result.outside_region) == (1, 1)  # Lenin Peak, Kashgar
    with engine.connect() as conn:
        assert [row["country"] for row in imported(conn)] == sorted(result.places)


def test_reimport_replaces_rather_than_doubles(loaded: sa.Engine) -> None:
    with loaded.begin() as conn:
        import_places(conn, read_places(SAMPLE), region=REGION, location="again", now=NOW)
        count = conn.execute(sa.text("SELECT count(*) FROM gazetteer")).scalar_one()
    assert count == 15
    assert _names(loaded, "Osh") == ["Osh", "Osh Region"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("bish", ["Bishkek"]),
        ("BISHKEK", ["Bishkek"]),
        ("Бишкек", ["Bishkek"]),
        ("бишк", ["Bishkek"]),
        ("Фрунзе", ["Bishkek"]),
        ("Хорог", ["Khorugh"]),
        ("khorog", ["Khorugh"]),
        ("Ош", ["Osh", "Osh Region"]),  # the city before the region it names
        ("ошская", ["Osh Region"]),
        ("Алма", ["Almaty"]),
        ("Кашгар", []),  # outside the region
        ("Пик Ленина", []),  # a mountain, not a place
        ("%", []),
        ("Osh\x00", []),  # PostgreSQL refuses NUL in a query: no match rather than an error
        ("  ", []),
    ],
)
def test_search_by_prefix_in_english_or_russian(
    loaded: sa.Engine, query: str, expected: list[str]
) -> None:
    assert _names(loaded, query) == expected


def test_search_ranks_places_by_population(loaded: sa.Engine) -> None:
    assert _names(loaded, "k") == ["Kabul", "Kunduz", "Khujand", "Khorugh"]


def test_an_exact_name_comes_before_longer_ones(loaded: sa.Engine) -> None:
    # "Osh Region" is an admin area; an exact match on it still ranks first.
    assert _names(loaded, "osh region") == ["Osh Region"]
    assert _names(loaded, "Batken") == ["Batken"]


def test_search_is_limited_to_the_region_given(loaded: sa.Engine) -> None:
    assert _names(loaded, "Kabul", region=["KGZ"]) == []
    assert _names(loaded, "Kabul", region=["AFG"]) == ["Kabul"]


def test_a_zip_is_read_like_the_text(tmp_path: Path) -> None:
    archive = tmp_path / "KG.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(SAMPLE, "KG.txt")
        zf.writestr("readme.txt", "not a dump\n")
    assert [p.geonameid for p in read_places(archive)] == [p.geonameid for p in read_places(SAMPLE)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("1\tBishkek\n", r"has 2 tab-separated columns, not the 19"),
        ("x" + "\tx" * 18 + "\n", "line 1 is not a GeoNames row"),
    ],
)
def test_a_file_that_is_not_a_dump_is_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "KG.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        list(read_places(path))


def test_missing_and_broken_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="There is no file"):
        list(read_places(tmp_path / "KG.txt"))
    broken = tmp_path / "KG.zip"
    broken.write_bytes(b"not a zip")
    with pytest.raises(InputError, match="not a readable zip"):
        list(read_places(broken))


def test_a_file_of_another_region_is_refused(engine: sa.Engine) -> None:
    with engine.begin() as conn, pytest.raises(InputError, match="no populated place"):
        import_places(conn, read_places(SAMPLE), region=["IRN"], location="sample")


def test_country_codes_accept_both_iso_forms() -> None:
    assert country_codes(["kg", "KGZ", "TJK", "AF"]) == ["KG", "TJ", "AF"]
    with pytest.raises(InputError, match="'XX' is not a country the gazetteer knows"):
        country_codes(["XX"])


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""

    def do_GET(self) -> None:
        name = self.path.rsplit("/", 1)[-1]
        archive: bytes = self.server.archive  # type: ignore[attr-defined]
        if name == "KG.zip":
            status, body = HTTPStatus.OK, archive
        elif name == "TJ.zip":
            status, body = HTTPStatus.OK, b"<html>maintenance</html>"
        else:
            status, body = HTTPStatus.NOT_FOUND, b"not found"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def geonames_server(tmp_path: Path) -> Iterator[str]:
    """A GeoNames-like download site on 127.0.0.1 serving KG.zip."""
    archive = tmp_path / "served.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(SAMPLE, "KG.txt")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.archive = archive.read_bytes()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/export/dump"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def test_download_writes_the_country_files(geonames_server: str, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    written = download(
        ["KGZ"], tmp_path / "dl", base=geonames_server, progress=lambda *a: calls.append(a)
    )
    assert [p.name for p in written] == ["KG.zip"]
    assert len(list(read_places(written[0]))) == 17
    assert calls == [(0, 1), (1, 1)]
    assert not list((tmp_path / "dl").glob("*.part"))


@pytest.mark.parametrize(
    ("country", "message"),
    [
        ("UZ", r"UZ.zip failed with HTTP 404; check the country code"),
        ("TJ", r"TJ.zip did not answer with a zip file; on a node without internet"),
    ],
)
def test_download_failures_say_what_to_do(
    geonames_server: str, tmp_path: Path, country: str, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        download([country], tmp_path / "dl", base=geonames_server)
    assert list((tmp_path / "dl").iterdir()) == []


def test_download_without_a_network_says_how_to_import(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"Could not download .*cawarn geo gazetteer import FILE"):
        download(["KG"], tmp_path, base="http://127.0.0.1:9/export/dump")
