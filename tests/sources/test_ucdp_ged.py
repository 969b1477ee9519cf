"""Opening UCDP GED sources: CSV, BOM, zip, API pages (files and a live local server), URLs."""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import zipfile
from pathlib import Path

import httpx
import pytest

from cawarn.domain import InputError
from cawarn.sources.ucdp_ged import open_ged

from .conftest import (
    CANDIDATE,
    SAMPLE,
    Server,
    api_page,
    api_rows,
    sample_header_and_rows,
)


def _csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    import csv

    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def test_sample_csv_streams_every_record_with_its_values(tmp_path: Path) -> None:
    header, expected = sample_header_and_rows()
    with open_ged(str(SAMPLE), cache_dir=tmp_path) as ged:
        assert ged.version.label == "23.1" and ged.version.kind == "ged"
        assert ged.sha256 == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
        assert ged.total_bytes == SAMPLE.stat().st_size
        assert ged.columns == header and len(header) == 49
        rows = list(ged.rows())
        assert ged.bytes_read == ged.total_bytes
    assert [r.number for r in rows] == list(range(1, 1001))
    assert all(r.problem is None for r in rows)
    assert [list(r.values.values()) for r in rows] == expected
    # text fields keep their quotes, semicolons and line breaks
    assert any("\n" in v for r in rows for v in r.values.values())
    assert rows[0].values["source_article"].startswith('"Support Kurds in Syria')


def test_candidate_csv_is_a_candidate_release(tmp_path: Path) -> None:
    with open_ged(str(CANDIDATE), cache_dir=tmp_path) as ged:
        assert (ged.version.kind, ged.version.label) == ("candidate", "23.0.10")
        assert sum(1 for _ in ged.rows()) == 2391


def test_record_numbers_count_records_not_lines(tmp_path: Path) -> None:
    header, rows = sample_header_and_rows()
    picked = [rows[0], rows[1], rows[2]]
    picked[0][header.index("where_description")] = "line one\nline two\r\nline three"
    path = tmp_path / "ged231_multiline.csv"
    path.write_bytes(_csv_bytes(header, picked) + b"\r\n")  # a trailing blank line is no record
    with open_ged(str(path), cache_dir=tmp_path) as ged:
        got = list(ged.rows())
    assert [r.number for r in got] == [1, 2, 3]
    assert got[0].values["where_description"] == "line one\nline two\r\nline three"
    assert got[1].values["id"] == rows[1][0]


def test_bom_is_not_part_of_the_first_column(tmp_path: Path) -> None:
    path = tmp_path / "ged231_bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + SAMPLE.read_bytes())
    with open_ged(str(path), cache_dir=tmp_path) as ged:
        assert ged.columns[0] == "id"
        rows = list(ged.rows())
    assert len(rows) == 1000 and rows[0].values["id"] == "300380"


def _zip_sample(path: Path, member: str = "GEDEvent_v23_1.csv") -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", "UCDP GED")
        archive.write(SAMPLE, member)


def test_official_zip_picks_the_csv_member(tmp_path: Path) -> None:
    path = tmp_path / "ged231-csv.zip"
    _zip_sample(path)
    with open_ged(str(path), cache_dir=tmp_path) as ged:
        assert ged.version.label == "23.1"
        assert ged.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert ged.total_bytes == SAMPLE.stat().st_size  # uncompressed, for the progress bar
        rows = list(ged.rows())
        assert ged.bytes_read == ged.total_bytes
    assert len(rows) == 1000


def test_zip_version_from_its_member_name(tmp_path: Path) -> None:
    path = tmp_path / "download.zip"
    _zip_sample(path, "GEDEvent_v23_1.csv")
    with open_ged(str(path), cache_dir=tmp_path) as ged:
        assert ged.version.label == "23.1"


def _pages(
    base: str, size: int, rows: list[list[str]], header: list[str]
) -> list[tuple[str, bytes]]:
    typed = api_rows(header, rows)
    count = (len(typed) + size - 1) // size
    paths = [f"/api/gedevents/23.1?pagesize={size}&page={i}" for i in range(count)]
    out = []
    for i, path in enumerate(paths):
        prev = base + paths[i - 1] if i else ""
        nxt = base + paths[i + 1] if i + 1 < count else ""
        out.append((path, api_page(typed[i * size : (i + 1) * size], len(typed), count, prev, nxt)))
    return out


def test_api_page_file_values_read_as_the_csv_holds_them(tmp_path: Path) -> None:
    header, rows = sample_header_and_rows()
    (_, body), *_ = _pages("https://ucdpapi.pcr.uu.se", 50, rows[:120], header)
    path = tmp_path / "page.json"
    path.write_bytes(body)
    with open_ged(str(path), cache_dir=tmp_path) as ged:  # version from NextPageUrl
        assert ged.version.label == "23.1"
        assert ged.expected_rows == 120
        got = list(ged.rows())
    assert len(got) == 50
    for raw, row in zip(got, rows[:50], strict=True):
        csv_values = dict(zip(header, row, strict=True))
        for column in ("id", "side_a", "source_article", "active_year", "gwnob", "best"):
            assert raw.values[column] == csv_values[column]
        assert raw.values["date_start"] == csv_values["date_start"]
        assert float(raw.values["latitude"]) == float(csv_values["latitude"])


def test_directory_of_pages_in_natural_order(tmp_path: Path) -> None:
    header, rows = sample_header_and_rows()
    pages = _pages("https://ucdp.uu.se", 40, rows[:100], header)
    folder = tmp_path / "pages"
    folder.mkdir()
    for name, (_, body) in zip(["page_1.json", "page_2.json", "page_10.json"], pages, strict=True):
        (folder / name).write_bytes(body)
    with open_ged(str(folder), cache_dir=tmp_path) as ged:
        got = list(ged.rows())
        assert ged.total_bytes == sum(len(b) for _, b in pages) == ged.bytes_read
    assert [r.number for r in got] == list(range(1, 101))
    assert [r.values["id"] for r in got] == [row[0] for row in rows[:100]]


def test_api_url_follows_next_page_and_sends_the_token(tmp_path: Path, server: Server) -> None:
    header, rows = sample_header_and_rows()
    for path, body in _pages(server.base, 300, rows, header):
        server.routes[path] = (200, "application/json", body)
    url = server.url("/api/gedevents/23.1?pagesize=300&page=0")
    with (
        httpx.Client() as client,
        open_ged(url, token="secret-token", cache_dir=tmp_path, client=client) as ged,
    ):
        assert ged.version.label == "23.1"
        assert ged.sha256 is None and ged.total_bytes is None
        got = list(ged.rows())
    assert len(got) == 1000 and [r.number for r in got] == list(range(1, 1001))
    assert [r.values["id"] for r in got] == [row[0] for row in rows]
    assert len(server.requests) == 4
    assert all(h.get("x-ucdp-access-token") == "secret-token" for _, h in server.requests)


def test_api_pages_short_of_total_count_fail(tmp_path: Path, server: Server) -> None:
    header, rows = sample_header_and_rows()
    typed = api_rows(header, rows[:10])
    server.routes["/api/gedevents/23.1?pagesize=10"] = (
        200,
        "application/json",
        api_page(typed, 25, 3, "", ""),
    )
    url = server.url("/api/gedevents/23.1?pagesize=10")
    with (
        httpx.Client() as client,
        open_ged(url, cache_dir=tmp_path, client=client) as ged,
        pytest.raises(InputError, match="announced 25 events but its pages held 10"),
    ):
        list(ged.rows())


def test_download_of_a_csv_url_is_cached_atomically(tmp_path: Path, server: Server) -> None:
    body = CANDIDATE.read_bytes()
    server.routes["/downloads/candidateged/GEDEvent_v23_0_10.csv"] = (200, "text/csv", body)
    url = server.url("/downloads/candidateged/GEDEvent_v23_0_10.csv")
    cache = tmp_path / "cache"
    with httpx.Client() as client, open_ged(url, cache_dir=cache, client=client) as ged:
        assert ged.location == url and ged.version.label == "23.0.10"
        assert ged.sha256 == hashlib.sha256(body).hexdigest()
        assert sum(1 for _ in ged.rows()) == 2391
    assert [p.name for p in cache.iterdir()] == ["GEDEvent_v23_0_10.csv"]


def test_download_of_the_zip_url(tmp_path: Path, server: Server) -> None:
    zipped = tmp_path / "ged231-csv.zip"
    _zip_sample(zipped)
    server.routes["/downloads/ged/ged231-csv.zip"] = (200, "application/zip", zipped.read_bytes())
    url = server.url("/downloads/ged/ged231-csv.zip")
    with httpx.Client() as client, open_ged(url, cache_dir=tmp_path / "c", client=client) as ged:
        assert ged.version.label == "23.1"
        assert sum(1 for _ in ged.rows()) == 1000


# ---- file-level errors: one sentence each ----------------------------------------------------


def _fails(source: str, tmp_path: Path, pattern: str, **kwargs: object) -> str:
    with (
        pytest.raises(InputError, match=pattern) as info,
        open_ged(source, cache_dir=tmp_path / "cache", **kwargs) as ged,  # type: ignore[arg-type]
    ):
        list(ged.rows())
    message = str(info.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_file_not_found(tmp_path: Path) -> None:
    _fails(str(tmp_path / "ged231.csv"), tmp_path, r"^file not found: .*ged231\.csv$")


@pytest.mark.parametrize("content", [b"", codecs.BOM_UTF8, b"\r\n\r\n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "ged231.csv"
    path.write_bytes(content)
    _fails(str(path), tmp_path, "is empty: it has no header line")


def test_header_only_file_has_no_rows(tmp_path: Path) -> None:
    header, _ = sample_header_and_rows()
    path = tmp_path / "ged231.csv"
    path.write_bytes(_csv_bytes(header, []))
    with open_ged(str(path), cache_dir=tmp_path) as ged:
        assert list(ged.rows()) == []


def test_not_a_ged_csv_names_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "ged231.csv"
    path.write_text("event_id,event_date,latitude,longitude\n1,2021-01-01,1,2\n")
    message = _fails(str(path), tmp_path, "is not a UCDP GED CSV: it lacks the columns")
    assert "id, type_of_violence, side_a" in message and "latitude" not in message


def test_semicolon_separated_file(tmp_path: Path) -> None:
    header, rows = sample_header_and_rows()
    path = tmp_path / "ged231.csv"
    path.write_text(";".join(header) + "\n" + ";".join(rows[0][:5]) + "\n")
    _fails(str(path), tmp_path, "separates fields with ';' or tabs")


def test_file_without_header_line(tmp_path: Path) -> None:
    header, rows = sample_header_and_rows()
    path = tmp_path / "ged231.csv"
    path.write_bytes(_csv_bytes(header, rows[:3]).split(b"\r\n", 1)[1])
    _fails(str(path), tmp_path, "has no header line: the first line must name the columns")


def test_html_file(tmp_path: Path) -> None:
    path = tmp_path / "ged231.csv"
    path.write_text("<!DOCTYPE html><html><body>502 Bad Gateway</body></html>")
    _fails(str(path), tmp_path, "is an HTML page, not a UCDP GED file")


def test_html_from_url(tmp_path: Path, server: Server) -> None:
    server.routes["/downloads/ged/ged231-csv.zip"] = (200, "text/html; charset=utf-8", b"<p>x</p>")
    with httpx.Client() as client:
        _fails(
            server.url("/downloads/ged/ged231-csv.zip"),
            tmp_path,
            "returned an HTML page, not a UCDP GED file",
            client=client,
        )


def test_utf16_file(tmp_path: Path) -> None:
    path = tmp_path / "ged231.csv"
    path.write_bytes("id,best\n".encode("utf-16"))
    _fails(str(path), tmp_path, "is UTF-16 text; re-save the file as UTF-8")


def test_undecodable_byte_names_record_and_byte(tmp_path: Path) -> None:
    header, rows = sample_header_and_rows()
    rows = rows[:5]
    rows[2][header.index("where_description")] = "Kunduz"
    data = _csv_bytes(header, rows)
    data = data.replace(b"Kunduz", b"K\xfcnduz")  # Latin-1, as a spreadsheet might save it
    path = tmp_path / "ged231.csv"
    path.write_bytes(data)
    offset = data.index(b"\xfc")
    _fails(
        str(path),
        tmp_path,
        rf"is not UTF-8 text: record 3 \(byte {offset}\) cannot be decoded;"
        " re-save the file as UTF-8",
    )


def test_undecodable_byte_deep_in_a_large_file(tmp_path: Path) -> None:
    header, rows = sample_header_and_rows()
    rows = [list(r) for r in rows * 3]  # about 1.9 MB, beyond the first read buffer
    rows[2500][header.index("side_b")] = "Caf\xe9"
    data = _csv_bytes(header, rows).replace("Caf\xe9".encode(), b"Caf\xe9")
    path = tmp_path / "ged231.csv"
    path.write_bytes(data)
    offset = data.index(b"Caf\xe9") + 3
    with (
        open_ged(str(path), cache_dir=tmp_path) as ged,
        pytest.raises(InputError, match=rf"record 2501 \(byte {offset}\)"),
    ):
        for _ in ged.rows():
            pass


def test_undecodable_header(tmp_path: Path) -> None:
    path = tmp_path / "ged231.csv"
    path.write_bytes(b"id,caf\xe9\n1,2\n")
    _fails(str(path), tmp_path, r"is not UTF-8 text: the header line \(byte 6\) cannot be decoded")


def test_truncated_zip(tmp_path: Path) -> None:
    full = tmp_path / "full.zip"
    _zip_sample(full)
    path = tmp_path / "ged231-csv.zip"
    path.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    _fails(str(path), tmp_path, "is a corrupt or truncated zip file")


def test_corrupt_zip_member_data(tmp_path: Path) -> None:
    path = tmp_path / "ged231-csv.zip"
    _zip_sample(path)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)
    path.write_bytes(bytes(data))
    _fails(str(path), tmp_path, "is a corrupt or truncated zip file")


def test_zip_without_csv(tmp_path: Path) -> None:
    path = tmp_path / "ged231-csv.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("ged231.pdf", b"%PDF-1.4")
    _fails(str(path), tmp_path, "is a zip file with no CSV file in it")


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        ('{"results": []}', "is not a UCDP API page: expected a JSON object with TotalCount"),
        ("[1, 2, 3]", "is not a UCDP API page"),
        ('{"Result": [1, 2]}', r"Result must hold JSON objects"),
        ('{"Result": [', "is not valid JSON"),
    ],
)
def test_json_that_is_not_an_api_page(tmp_path: Path, content: str, pattern: str) -> None:
    path = tmp_path / "ged231_page.json"
    path.write_text(content)
    _fails(str(path), tmp_path, pattern)


def test_directory_without_pages(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    _fails(str(folder), tmp_path, "is a directory with no .json UCDP API page files")


@pytest.mark.parametrize(
    ("status", "pattern"),
    [
        (404, r"^HTTP 404 Not Found from http://127\.0\.0\.1:\d+/downloads/ged/ged231-csv\.zip"),
        (500, r"^HTTP 500 Internal Server Error from http://"),
    ],
)
def test_http_errors(tmp_path: Path, server: Server, status: int, pattern: str) -> None:
    server.routes["/downloads/ged/ged231-csv.zip"] = (status, "text/plain", b"no")
    with httpx.Client() as client:
        _fails(server.url("/downloads/ged/ged231-csv.zip"), tmp_path, pattern, client=client)
    assert not list((tmp_path / "cache").iterdir())  # no partial file left behind


def test_api_refusing_the_token_suggests_one(tmp_path: Path, server: Server) -> None:
    server.routes["/api/gedevents/23.1?pagesize=1"] = (401, "application/json", b"{}")
    with httpx.Client() as client:
        _fails(
            server.url("/api/gedevents/23.1?pagesize=1"),
            tmp_path,
            "HTTP 401 Unauthorized from .*; the UCDP API needs an access token: pass --token",
            client=client,
        )


def test_api_returning_html(tmp_path: Path, server: Server) -> None:
    server.routes["/api/gedevents/23.1?pagesize=1"] = (200, "text/html", b"<!DOCTYPE html><p>")
    with httpx.Client() as client:
        _fails(
            server.url("/api/gedevents/23.1?pagesize=1"),
            tmp_path,
            "returned an HTML page, not a UCDP API page",
            client=client,
        )


def test_network_unreachable_suggests_a_local_file(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/downloads/ged/ged231-csv.zip"
    message = _fails(url, tmp_path, r"^cannot reach 127\.0\.0\.1 ")
    assert message.endswith(
        "download the file on a machine with internet access and pass its local path instead"
    )


def test_wrong_field_count_is_a_row_problem(tmp_path: Path) -> None:
    header, rows = sample_header_and_rows()
    rows = [rows[0], rows[1][:-2], [*rows[2], "extra"], rows[3]]
    path = tmp_path / "ged231.csv"
    path.write_bytes(_csv_bytes(header, rows))
    with open_ged(str(path), cache_dir=tmp_path) as ged:
        got = list(ged.rows())
    assert [r.number for r in got] == [1, 2, 3, 4]
    assert [r.problem for r in got] == [
        None,
        "record has 47 fields but the header has 49",
        "record has 50 fields but the header has 49",
        None,
    ]
    assert got[2].values["_extra_1"] == "extra"


def test_page_row_missing_fields_is_a_row_problem(tmp_path: Path) -> None:
    header, rows = sample_header_and_rows()
    typed = api_rows(header, rows[:2])
    del typed[1]["best"]
    path = tmp_path / "ged231_page.json"
    path.write_text(json.dumps({"TotalCount": 2, "NextPageUrl": "", "Result": typed}))
    with open_ged(str(path), cache_dir=tmp_path) as ged:
        got = list(ged.rows())
    assert [r.problem for r in got] == [None, "record lacks the fields best"]
