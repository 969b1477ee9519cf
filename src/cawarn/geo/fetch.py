"""Download admin-1 boundaries from the geoBoundaries API into a folder the reader understands.

For each country the API answer of ``{api}/api/current/gbOpen/{ISO3}/ADM1/`` names the GeoJSON
(``simplifiedGeometryGeoJSON``, else ``gjDownloadURL``) and carries the metadata (year, licence,
source, build date). Both land in ``<dest>/<ISO3>/ADM1/`` as
``geoBoundaries-<ISO3>-ADM1_simplified.geojson`` (``geoBoundaries-<ISO3>-ADM1.geojson`` when only
the full file is offered) and ``geoBoundaries-<ISO3>-ADM1-metaData.json``, each written to a
temporary file and renamed, so an interrupted download never leaves a half-written file.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx

from cawarn.domain import InputError

DEFAULT_API_BASE = "https://www.geoboundaries.org"
LEVEL = "ADM1"
Progress = Callable[[int, int], None]

_OFFLINE_HINT = "on a node without internet, import a boundary folder with `cawarn geo import DIR`"


def api_url(api_base: str, country: str) -> str:
    """Return the geoBoundaries API address for one country's current gbOpen ADM1 boundaries."""
    return f"{api_base.rstrip('/')}/api/current/gbOpen/{country}/{LEVEL}/"


def _get(client: httpx.Client, url: str) -> httpx.Response:
    try:
        response = client.get(url, follow_redirects=True)
    except httpx.HTTPError as err:
        raise InputError(
            f"Could not download {url} ({type(err).__name__}: {err}); check the network, "
            f"or {_OFFLINE_HINT}."
        ) from err
    if response.status_code >= 400:
        raise InputError(
            f"Downloading {url} failed with HTTP {response.status_code}; check the country code "
            f"and the API address, or {_OFFLINE_HINT}."
        )
    return response


def _json(response: httpx.Response, url: str, what: str) -> Any:
    try:
        return json.loads(response.content)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(
            f"{url} did not answer with {what} (it is not JSON); {_OFFLINE_HINT}."
        ) from err


def _metadata(answer: Any, url: str) -> dict[str, Any]:
    if isinstance(answer, list) and len(answer) == 1:
        answer = answer[0]
    if not isinstance(answer, dict):
        raise InputError(f"{url} did not answer with one geoBoundaries metadata object.")
    return answer


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def fetch_country(client: httpx.Client, country: str, dest: Path, *, api_base: str) -> Path:
    """Download one country's ADM1 GeoJSON and metadata; return the GeoJSON path."""
    url = api_url(api_base, country)
    meta = _metadata(_json(_get(client, url), url, "geoBoundaries metadata"), url)
    link = meta.get("simplifiedGeometryGeoJSON") or meta.get("gjDownloadURL")
    if not isinstance(link, str) or not link.strip():
        raise InputError(f"{url} names no GeoJSON file (simplifiedGeometryGeoJSON/gjDownloadURL).")
    simplified = bool(meta.get("simplifiedGeometryGeoJSON"))
    link = urljoin(url, link.strip())
    response = _get(client, link)
    geojson = _json(response, link, "GeoJSON")
    if not isinstance(geojson, dict) or geojson.get("type") != "FeatureCollection":
        raise InputError(f"{link} is not a GeoJSON FeatureCollection; {_OFFLINE_HINT}.")
    folder = dest / country / LEVEL
    folder.mkdir(parents=True, exist_ok=True)
    suffix = "_simplified" if simplified else ""
    target = folder / f"geoBoundaries-{country}-{LEVEL}{suffix}.geojson"
    meta_path = folder / f"geoBoundaries-{country}-{LEVEL}-metaData.json"
    _write_atomic(target, response.content)
    meta_text = json.dumps(meta, ensure_ascii=False, indent=2) + "\n"
    _write_atomic(meta_path, meta_text.encode("utf-8"))
    return target


def fetch_boundaries(
    countries: Sequence[str],
    dest: Path,
    *,
    api_base: str = DEFAULT_API_BASE,
    client: httpx.Client | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """Download the current gbOpen ADM1 boundaries of each country into ``dest``.

    Returns the GeoJSON paths written; ``progress(done, total)`` is called before the first
    and after each country.
    """
    codes: list[str] = []
    for country in countries:
        code = country.strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise InputError(f"{country!r} is not an ISO 3166-1 alpha-3 country code (e.g. AFG).")
        if code not in codes:
            codes.append(code)
    own = client is None
    http = client if client is not None else httpx.Client(timeout=120.0, follow_redirects=True)
    written: list[Path] = []
    try:
        if progress:
            progress(0, len(codes))
        for done, code in enumerate(codes, start=1):
            written.append(fetch_country(http, code, dest, api_base=api_base))
            if progress:
                progress(done, len(codes))
    finally:
        if own:
            http.close()
    return written
