"""UCDP API pages as GED records: one saved page, a directory of pages, or the API itself.

A page is ``{"TotalCount", "TotalPages", "PreviousPageUrl", "NextPageUrl", "Result": [...]}``.
The API gives typed JSON values; each is turned into the text the CSV would hold (None -> "",
True -> "true", numbers as written, ISO dates "2021-05-28T00:00:00" -> "2021-05-28 00:00:00.000"),
so a row reads the same whichever way it came. Floats keep JSON's shortest form ("32.74804" where
the CSV may write "32.748040").
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from cawarn.domain import InputError
from cawarn.sources import ucdp_ged_http as http
from cawarn.sources.ucdp_ged_schema import RawRow, check_columns

_NOT_A_PAGE = (
    "is not a UCDP API page: expected a JSON object with TotalCount, TotalPages,"
    " NextPageUrl and Result"
)
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")

Page = tuple[str, dict[str, Any], int]  # where it came from, the page, its size in bytes


def is_api_url(url: str) -> bool:
    """Whether a URL addresses the UCDP API rather than a file download."""
    return "/api/" in urlsplit(url).path


def _text(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _date_text(value: str) -> str:
    """'2021-05-28T00:00:00' as the CSV writes it: '2021-05-28 00:00:00.000'."""
    if _ISO_DATETIME.match(value):
        return f"{value[:10]} {value[11:]}.000"
    return value


def check_page(page: Any, where: str) -> dict[str, Any]:
    """Refuse JSON that is not a UCDP API page."""
    if not isinstance(page, dict) or not isinstance(page.get("Result"), list):
        raise InputError(f"{where} {_NOT_A_PAGE}")
    if not all(isinstance(item, dict) for item in page["Result"]):
        raise InputError(f"{where} {_NOT_A_PAGE} (Result must hold JSON objects)")
    return page


class PageSource:
    """GED records from a sequence of UCDP API pages."""

    def __init__(
        self,
        location: str,
        first: Page,
        pages: Callable[[Page], Iterator[Page]],
        total_bytes: int | None,
        check_count: bool,
    ) -> None:
        self.location = location
        self._first = first
        self._pages = pages
        self.total_bytes = total_bytes
        self.bytes_read = 0
        self._check_count = check_count
        total = first[1].get("TotalCount")
        self.expected_rows: int | None = total if isinstance(total, int) else None
        result = first[1]["Result"]
        self.columns: list[str] = list(result[0]) if result else []
        if self.columns:
            check_columns(self.columns, first[0])

    def version_hints(self) -> list[str]:
        """URLs the first page names (its own query lives in Next/PreviousPageUrl)."""
        page = self._first[1]
        return [str(page.get(k) or "") for k in ("NextPageUrl", "PreviousPageUrl")]

    def rows(self) -> Iterator[RawRow]:
        """Yield the records of every page in order, numbered across pages."""
        self.bytes_read = 0
        number = 0
        columns = self.columns
        expected = set(columns)
        for where, page, size in self._pages(self._first):
            for item in page["Result"]:
                if not columns:
                    columns = list(item)
                    expected = set(columns)
                    check_columns(columns, where)
                values = {k: _text(v) for k, v in item.items()}
                for key in ("date_start", "date_end"):
                    if key in values:
                        values[key] = _date_text(values[key])
                number += 1
                if item.keys() == expected:
                    yield RawRow(number, values)
                else:
                    missing = sorted(expected - item.keys())
                    problem = f"record lacks the fields {', '.join(missing)}" if missing else None
                    yield RawRow(number, values, problem or "record has fields the others lack")
            self.bytes_read += size
        if self._check_count and self.expected_rows is not None and number != self.expected_rows:
            raise InputError(
                f"{self.location} announced {self.expected_rows} events but its pages held"
                f" {number}; run the import again"
            )


def _load_file(path: Path) -> Page:
    data = path.read_bytes()
    try:
        page = json.loads(data)
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text; re-save it as UTF-8") from None
    except json.JSONDecodeError as err:
        raise InputError(f"{path} is not valid JSON ({err}); {_NOT_A_PAGE[3:]}") from None
    return str(path), check_page(page, str(path)), len(data)


def _natural(path: Path) -> list[int | str]:
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", path.name)]


def page_files(path: Path, location: str) -> PageSource:
    """Pages saved as one JSON file, or as the .json files of a directory in natural order."""
    if path.is_dir():
        files = sorted((p for p in path.glob("*.json") if p.is_file()), key=_natural)
        if not files:
            raise InputError(f"{location} is a directory with no .json UCDP API page files in it")
    else:
        files = [path]

    def pages(first: Page) -> Iterator[Page]:
        yield first
        for file in files[1:]:
            yield _load_file(file)

    total = sum(f.stat().st_size for f in files)
    return PageSource(location, _load_file(files[0]), pages, total, check_count=False)


def api_page_urls(url: str, client: httpx.Client, token: str | None) -> PageSource:
    """Pages of a UCDP API query, following NextPageUrl; the first is fetched now."""

    host = urlsplit(url).netloc

    def fetch(page_url: str) -> Page:
        # the token goes only to the host it was given for, wherever NextPageUrl points
        same_host = urlsplit(page_url).netloc == host
        page, size = http.get_page(page_url, client, token if same_host else None)
        return page_url, check_page(page, page_url), size

    def pages(first: Page) -> Iterator[Page]:
        current: Page | None = first
        seen: set[str] = set()
        while current is not None:
            seen.add(current[0])
            yield current
            following = current[1].get("NextPageUrl")
            if not following:
                return
            if not isinstance(following, str) or following in seen:
                raise InputError(
                    f"{url}: the API's NextPageUrl {following!r} leads back or nowhere"
                )
            current = fetch(following)

    return PageSource(url, fetch(url), pages, None, check_count=True)
