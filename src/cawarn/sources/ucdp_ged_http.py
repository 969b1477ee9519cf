"""Downloads from UCDP over HTTP: whole files into a cache directory, and API pages one by one.

Every failure becomes one :class:`~cawarn.domain.InputError` sentence naming the URL; a node that
cannot reach UCDP is told to download the file elsewhere and pass its local path (air-gapped first).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

from cawarn.domain import InputError

TOKEN_HEADER = "x-ucdp-access-token"  # noqa: S105 - a header name, not a secret
_CHUNK = 1 << 20
_OFFLINE_HINT = (
    "download the file on a machine with internet access and pass its local path instead"
)


def new_client() -> httpx.Client:
    """An HTTP client with timeouts suited to large downloads."""
    return httpx.Client(timeout=httpx.Timeout(30.0, read=120.0), follow_redirects=True)


@contextlib.contextmanager
def _http_errors(url: str) -> Iterator[None]:
    """Turn httpx failures into one sentence naming the URL."""
    try:
        yield
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as err:
        raise InputError(f"{url} is not a URL cawarn can download ({err})") from None
    except (httpx.ConnectError, httpx.ConnectTimeout) as err:
        host = urlsplit(url).hostname or url
        raise InputError(f"cannot reach {host} ({err}); {_OFFLINE_HINT}") from None
    except httpx.TimeoutException:
        raise InputError(f"{url} did not answer in time; try again, or {_OFFLINE_HINT}") from None
    except httpx.TransportError as err:
        raise InputError(
            f"the transfer from {url} broke off ({err}); try again, or {_OFFLINE_HINT}"
        ) from None


def _check_status(response: httpx.Response, url: str) -> None:
    if response.status_code < 400:
        return
    hint = ""
    if response.status_code in (401, 403):
        hint = "; the UCDP API needs an access token: pass --token"
    elif response.status_code == 404:
        hint = "; check the version and the address"
    reason = response.reason_phrase or "error"
    raise InputError(f"HTTP {response.status_code} {reason} from {url}{hint}")


def cache_name(url: str) -> str:
    """A safe file name in the cache for a URL (its last path segment)."""
    last = unquote(urlsplit(url).path).rstrip("/").rsplit("/", 1)[-1]
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", last).lstrip(".")
    return safe or "ucdp-download"


def download(url: str, cache_dir: Path, client: httpx.Client) -> tuple[Path, str, str]:
    """Stream a URL into ``cache_dir`` atomically; return (path, sha256, content type)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / cache_name(url)
    fd, tmp_name = tempfile.mkstemp(dir=cache_dir, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(tmp_name)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out, _http_errors(url):
            with client.stream("GET", url, follow_redirects=True) as response:
                _check_status(response, url)
                content_type = response.headers.get("content-type", "")
                expected = response.headers.get("content-length")
                encoded = response.headers.get("content-encoding", "identity") != "identity"
                size = 0
                for chunk in response.iter_bytes(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
            if (
                expected is not None
                and not encoded
                and expected.isdigit()
                and size != int(expected)
            ):
                raise InputError(
                    f"the transfer from {url} broke off after {size} of {expected} bytes;"
                    f" try again, or {_OFFLINE_HINT}"
                )
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return target, digest.hexdigest(), content_type


def get_page(url: str, client: httpx.Client, token: str | None) -> tuple[Any, int]:
    """Fetch one UCDP API page; return the decoded JSON and its size in bytes."""
    headers = {TOKEN_HEADER: token} if token else {}
    with _http_errors(url):
        response = client.get(url, headers=headers, follow_redirects=True)
    _check_status(response, url)
    body = response.content
    try:
        return json.loads(body), len(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        start = body[:200].lstrip().lower()
        if start.startswith((b"<!doctype html", b"<html")):
            raise InputError(
                f"{url} returned an HTML page, not a UCDP API page; check the address"
            ) from None
        raise InputError(f"{url} did not return JSON; it is not a UCDP API page") from None
