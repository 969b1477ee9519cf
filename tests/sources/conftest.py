"""Fixtures for the source readers: the shared UCDP files and a real local HTTP server."""

from __future__ import annotations

import csv
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA = REPO_ROOT.parent / "shared" / "data"
SAMPLE = DATA / "ucdp-ged-sample" / "ged231_sample_1000.csv"
CANDIDATE = DATA / "ucdp-candidate" / "GEDEvent_v23_0_10.csv"
COUNTRY_MONTH = DATA / "ucdp-country-month"

_INT_COLUMNS = {
    "id", "year", "type_of_violence", "conflict_new_id", "dyad_new_id", "side_a_new_id",
    "side_b_new_id", "number_of_sources", "where_prec", "priogrid_gid", "country_id",
    "event_clarity", "date_prec", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown",
    "best", "high", "low",
}  # fmt: skip


def sample_header_and_rows(path: Path = SAMPLE) -> tuple[list[str], list[list[str]]]:
    """The header and records of a shared CSV, read with the csv module."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        return header, list(reader)


def api_value(column: str, text: str) -> Any:
    """A CSV value as the UCDP API types it."""
    if text == "":
        return None
    if column == "active_year":
        return text == "true"
    if column in _INT_COLUMNS:
        return int(text)
    if column in ("latitude", "longitude"):
        return float(text)
    if column in ("date_start", "date_end"):
        return text[:10] + "T" + text[11:19]
    return text


def api_rows(header: list[str], rows: list[list[str]]) -> list[dict[str, Any]]:
    """Sample records as the UCDP API returns them."""
    return [{c: api_value(c, v) for c, v in zip(header, row, strict=True)} for row in rows]


def api_page(result: list[dict[str, Any]], total: int, pages: int, prev: str, nxt: str) -> bytes:
    """One UCDP API page as bytes."""
    page = {
        "TotalCount": total,
        "TotalPages": pages,
        "PreviousPageUrl": prev,
        "NextPageUrl": nxt,
        "Result": result,
    }
    return json.dumps(page).encode()


@dataclass
class Server:
    """A local HTTP server answering from a route table; records request headers."""

    base: str
    routes: dict[str, tuple[int, str, bytes]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture
def server() -> Iterator[Server]:
    """A real http.server on 127.0.0.1 in a thread."""
    state = Server(base="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            status, ctype, body = state.routes.get(self.path, (404, "text/plain", b"not found"))
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
