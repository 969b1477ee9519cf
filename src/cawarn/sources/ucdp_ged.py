"""Reading UCDP GED: a CSV file, the official zip, UCDP API pages, or any of them by URL.

:func:`open_ged` opens a source, checks it is UCDP GED data, tells its version and yields its
records as :class:`RawRow` (strings keyed by column name, as the CSV holds them) without loading the
file into memory. File-level problems raise :class:`~cawarn.domain.InputError` with one sentence;
problems of a single record (such as a wrong number of fields) travel with the row, for
:func:`cawarn.sources.ucdp_ged_rows.map_row` to quarantine.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Protocol

import httpx

from cawarn.domain import InputError
from cawarn.sources import ucdp_ged_http as http
from cawarn.sources.ucdp_ged_pages import PageSource, api_page_urls, is_api_url, page_files
from cawarn.sources.ucdp_ged_schema import REQUIRED_COLUMNS, RawRow, check_columns
from cawarn.sources.ucdp_ged_version import GedVersion, official_release_url, resolve_version

__all__ = [
    "REQUIRED_COLUMNS",
    "GedInput",
    "GedVersion",
    "RawRow",
    "official_release_url",
    "open_ged",
]

_FIELD_LIMIT = 1 << 22  # GED free-text fields are long; an unclosed quote must still fail soon
_BUFFER = 1 << 20


class _Binary(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...


class _Counting(io.RawIOBase):
    """A binary reader that counts the bytes read through it, for progress bars."""

    def __init__(self, inner: _Binary, limit: int | None = None) -> None:
        self.inner = inner
        self.count = 0
        self.limit = limit
        self.last = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        size = len(buffer)
        if self.limit is not None:
            size = min(size, self.limit - self.count)
        data = self.inner.read(size) if size > 0 else b""
        n = len(data)
        buffer[:n] = data
        self.count += n
        if n:
            self.last = data[-1:]
        return n

    def close(self) -> None:
        self.inner.close()
        super().close()


class _ZipMember:
    """The CSV member of a zip, closing the archive with it."""

    def __init__(self, path: Path, member: zipfile.ZipInfo) -> None:
        self.archive = zipfile.ZipFile(path)
        self.inner = self.archive.open(member)

    def read(self, size: int = -1, /) -> bytes:
        return self.inner.read(size)

    def close(self) -> None:
        self.inner.close()
        self.archive.close()


_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError)


class _CsvSource:
    """Records of a CSV stream (a plain file or a zip member)."""

    def __init__(
        self,
        location: str,
        opener: Callable[[], _Binary],
        size: int | None,
        verify: Callable[[], None] | None = None,
    ) -> None:
        self.location = location
        self.opener = opener
        self.verify = verify  # a zip's CRC check: garbage from a corrupt zip is no text problem
        self.total_bytes = size
        self.counter: _Counting | None = None
        self.columns = self._header()

    def _reader(
        self, limit: int | None = None, errors: str = "strict"
    ) -> tuple[_Counting, Iterator[list[str]], io.TextIOWrapper]:
        counter = _Counting(self.opener(), limit)
        buffered = io.BufferedReader(counter, _BUFFER)
        text = io.TextIOWrapper(buffered, encoding="utf-8-sig", errors=errors, newline="")
        csv.field_size_limit(max(csv.field_size_limit(), _FIELD_LIMIT))
        return counter, csv.reader(text), text

    def _header(self) -> list[str]:
        _, reader, text = self._reader()
        with text:
            try:
                header = next((r for r in reader if r), None)
            except UnicodeDecodeError:
                raise self._undecodable() from None
            except csv.Error as err:
                raise InputError(f"{self.location} cannot be read as CSV ({err})") from None
            except _ZIP_ERRORS:
                raise InputError(f"{self.location} is a corrupt or truncated zip file") from None
        if header is None:
            raise InputError(f"{self.location} is empty: it has no header line and no records")
        if header[0].lstrip().startswith("<"):
            raise InputError(
                f"{self.location} is an HTML or XML page, not a UCDP GED CSV"
                " (a web server may have sent an error page)"
            )
        columns = [c.strip() for c in header]
        check_columns(columns, self.location)
        return columns

    def rows(self) -> Iterator[RawRow]:
        """Yield the data records; the header was checked on opening."""
        counter, reader, text = self._reader()
        self.counter = counter
        header = self.columns
        width = len(header)
        number = 0
        with text:
            try:
                for record in reader:
                    if record:
                        break  # the header, checked when the source was opened
                for record in reader:
                    if len(record) == width:
                        number += 1
                        yield RawRow(number, dict(zip(header, record, strict=False)))
                    elif record:  # csv gives [] for a blank line, which is no record
                        number += 1
                        yield _misshapen(number, header, record)
            except UnicodeDecodeError:
                raise self._undecodable() from None
            except csv.Error as err:
                raise InputError(
                    f"{self.location}: record {number + 1} cannot be read as CSV ({err});"
                    " is a quote left open?"
                ) from None
            except _ZIP_ERRORS:
                raise InputError(
                    f"{self.location} is a corrupt or truncated zip file"
                    f" (it breaks off after record {number})"
                ) from None

    def _undecodable(self) -> InputError:
        """Find the first byte that is not UTF-8 and the record holding it."""
        if self.verify is not None:
            self.verify()
        decoder = codecs.getincrementaldecoder("utf-8")()
        offset = 0
        found = False
        with contextlib.closing(self.opener()) as raw:
            while chunk := raw.read(_BUFFER):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as err:
                    offset += err.start - len(decoder.getstate()[0])
                    found = True
                    break
                offset += len(chunk)
        if not found:  # a multi-byte sequence cut off by the end of the file
            offset -= len(decoder.getstate()[0])
        record = self._record_at(offset)
        where = f"record {record}" if record > 0 else "the header line"
        return InputError(
            f"{self.location} is not UTF-8 text: {where} (byte {offset}) cannot be"
            " decoded; re-save the file as UTF-8 (the official UCDP files are UTF-8)"
        )

    def _record_at(self, offset: int) -> int:
        """Data record number (1-based; 0 for the header) of the record holding byte ``offset``."""
        counter, reader, text = self._reader(limit=offset, errors="replace")
        with text:
            records = sum(1 for r in reader if r)
        ends_record = counter.last in (b"\n", b"\r")
        return max(records - 1 + (1 if ends_record else 0), 0)


def _misshapen(number: int, header: list[str], record: list[str]) -> RawRow:
    values = dict(zip(header, record, strict=False))
    for i, extra in enumerate(record[len(header) :], start=1):
        values[f"_extra_{i}"] = extra
    problem = f"record has {len(record)} fields but the header has {len(header)}"
    return RawRow(number, values, problem)


class GedInput:
    """An opened UCDP GED source: its location, version, checksum, size and records."""

    def __init__(
        self,
        location: str,
        version: GedVersion,
        source: _CsvSource | PageSource,
        sha256: str | None,
        local_path: Path | None,
        close: Callable[[], None] | None = None,
    ) -> None:
        self.location = location
        self.version = version
        self.sha256 = sha256
        self.local_path = local_path
        self._source = source
        self._close = close

    @property
    def columns(self) -> list[str]:
        """The column names of the source, in its order."""
        return list(self._source.columns)

    @property
    def total_bytes(self) -> int | None:
        """Bytes :meth:`rows` will read in all (uncompressed for a zip); None if unknown."""
        return self._source.total_bytes

    @property
    def bytes_read(self) -> int:
        """Bytes consumed so far by :meth:`rows` (read ahead by up to one buffer)."""
        if isinstance(self._source, PageSource):
            return self._source.bytes_read
        counter = self._source.counter
        return counter.count if counter is not None else 0

    @property
    def expected_rows(self) -> int | None:
        """Row count the source announces (the API's TotalCount); None for files."""
        return self._source.expected_rows if isinstance(self._source, PageSource) else None

    def rows(self) -> Iterator[RawRow]:
        """Yield every record in order; may raise InputError if the file breaks off mid-way."""
        return self._source.rows()

    def close(self) -> None:
        """Release the network client this input opened, if any."""
        if self._close is not None:
            self._close()
            self._close = None

    def __enter__(self) -> GedInput:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_BUFFER):
            digest.update(chunk)
    return digest.hexdigest()


def _open_zip(path: Path, location: str) -> tuple[_CsvSource, str]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [
                m
                for m in archive.infolist()
                if m.filename.lower().endswith(".csv")
                and not m.is_dir()
                and not m.filename.startswith("__MACOSX/")
                and not m.filename.rsplit("/", 1)[-1].startswith(".")
            ]
    except (*_ZIP_ERRORS, OSError):
        raise InputError(f"{location} is a corrupt or truncated zip file") from None
    if not members:
        raise InputError(f"{location} is a zip file with no CSV file in it")
    member = max(members, key=lambda m: m.file_size)  # the official zip holds one CSV

    def opener() -> _Binary:
        return _ZipMember(path, member)

    def verify() -> None:
        try:
            with zipfile.ZipFile(path) as archive, archive.open(member) as inner:
                while inner.read(_BUFFER):
                    pass
        except (*_ZIP_ERRORS, OSError):
            raise InputError(f"{location} is a corrupt or truncated zip file") from None

    return _CsvSource(location, opener, member.file_size, verify), member.filename


def _is_html(head: bytes) -> bool:
    start = head.removeprefix(codecs.BOM_UTF8).lstrip().lower()
    return start.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body"))


def _open_local(
    path: Path, location: str, version: str | None, sha256: str | None, names: list[str]
) -> GedInput:
    if path.is_dir():
        pages = page_files(path, location)
        resolved = resolve_version(version, [*names, *pages.version_hints()], location)
        return GedInput(location, resolved, pages, None, path)
    if not path.is_file():
        raise InputError(f"file not found: {location}")
    with path.open("rb") as f:
        head = f.read(256)
    if not head:
        raise InputError(f"{location} is empty: it has no header line and no records")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{location} is UTF-16 text; re-save the file as UTF-8")
    if _is_html(head):
        raise InputError(
            f"{location} is an HTML page, not a UCDP GED file (a web server may have sent an"
            " error page instead of the data)"
        )
    digest = sha256 or _sha256(path)
    if head.startswith(b"PK") or path.suffix.lower() == ".zip":
        source, member = _open_zip(path, location)
        resolved = resolve_version(version, [*names, member], location)
        return GedInput(location, resolved, source, digest, path)
    if head.removeprefix(codecs.BOM_UTF8).lstrip()[:1] in (b"{", b"["):
        pages = page_files(path, location)
        resolved = resolve_version(version, [*names, *pages.version_hints()], location)
        return GedInput(location, resolved, pages, digest, path)

    def opener() -> _Binary:
        return path.open("rb")

    source = _CsvSource(location, opener, path.stat().st_size)
    return GedInput(location, resolve_version(version, names, location), source, digest, path)


def open_ged(
    source: str,
    *,
    version: str | None = None,
    token: str | None = None,
    cache_dir: Path,
    client: httpx.Client | None = None,
) -> GedInput:
    """Open a UCDP GED source: a path or an http(s) URL to a CSV, the official zip, or API pages.

    Args:
        source: a file or directory path, a download URL, or a UCDP API URL.
        version: the release ("23.1", "23.0.10"); inferred from the name when not given.
        token: the UCDP API access token, sent as ``x-ucdp-access-token`` to API URLs only.
        cache_dir: where downloads are stored (written atomically).
        client: an HTTP client to use instead of a new one (tests point it at a local server).

    Returns:
        The opened input; use it as a context manager so a network client it opened is closed.
    """
    if not source.lower().startswith(("http://", "https://")):
        path = Path(source).expanduser()
        return _open_local(path, source, version, None, [path.name])
    own = client is None
    http_client = client if client is not None else http.new_client()
    try:
        if is_api_url(source):
            resolved = resolve_version(version, [source], source)
            pages = api_page_urls(source, http_client, token)
            return GedInput(source, resolved, pages, None, None, http_client.close if own else None)
        path, sha256, content_type = http.download(source, cache_dir, http_client)
    except BaseException:
        if own:
            http_client.close()
        raise
    if own:
        http_client.close()
    if "text/html" in content_type.lower():
        raise InputError(f"{source} returned an HTML page, not a UCDP GED file; check the address")
    return _open_local(path, source, version, sha256, [source, path.name])
