"""UCDP GED as a source of the ingest pipeline."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from cawarn.config import Settings
from cawarn.domain import Event, InputError, QuarantinedRow
from cawarn.ingest.records import version_rank
from cawarn.sources.synthetic import SOURCE_COLUMN, is_synthetic, map_synthetic_row
from cawarn.sources.ucdp_ged import GedInput, RawRow, official_release_url, open_ged
from cawarn.sources.ucdp_ged_http import cache_name
from cawarn.sources.ucdp_ged_rows import PERSONAL_COLUMNS, map_row, row_iso3

SOURCE = "ucdp-ged"
#: The host official_release_url names; replaced by the node's ``ucdp_api`` setting.
OFFICIAL_HOST = "https://ucdp.uu.se"


class GedReader:
    """Adapts an opened GED input to the pipeline's SourceReader protocol."""

    #: Bump when map_row's rules change, so files read before are read again.
    mapping_version = "1"

    def __init__(self, ged: GedInput, region: set[str], *, synthetic: str | None = None) -> None:
        """Read ``ged``; ``synthetic`` is the source of a scenario file (``synthetic:<id>``)."""
        if synthetic is None and is_synthetic(ged.columns):
            raise InputError(
                f"{ged.location} is a synthetic scenario (it has a {SOURCE_COLUMN} column); "
                "load it with 'cawarn ingest scenario DIR' so it stays marked as simulated."
            )
        self.ged = ged
        self.region = region
        self.synthetic = synthetic
        self.source = synthetic or SOURCE
        self.location = ged.location
        self.sha256 = ged.sha256
        self.version_label: str | None = None if synthetic else ged.version.label
        self.dataset: str = "synthetic" if synthetic else ged.version.kind
        kind_rank, number = ged.version.rank
        self.rank = version_rank(kind_rank, number)

    @property
    def total_bytes(self) -> int | None:
        """Bytes to read in all, if known."""
        return self.ged.total_bytes

    @property
    def bytes_read(self) -> int:
        """Bytes read so far."""
        return self.ged.bytes_read

    def rows(self) -> Iterator[RawRow]:
        """Every record of the input, in order."""
        return self.ged.rows()

    def country_of(self, values: dict[str, str]) -> str | None:
        """The row's ISO3 country, cheaply, before any validation."""
        return row_iso3(values)

    def map_row(self, row: Any) -> Event | QuarantinedRow:
        """Map and validate one row."""
        if self.synthetic:
            return map_synthetic_row(row, self.ged.version, self.synthetic)
        return map_row(row, self.ged.version)

    def source_admin1(self, values: dict[str, str]) -> str:
        """The source's own admin-1 name."""
        return values.get("adm_1", "")

    def source_priogrid(self, values: dict[str, str]) -> int | None:
        """The source's own PRIO-GRID cell, if it gives a valid one."""
        text = values.get("priogrid_gid", "").strip()
        try:
            return int(float(text)) if text else None
        except ValueError:
            return None

    def owner_of(self, values: dict[str, str]) -> str | None:
        """GED events belong to the node that loads them."""
        return None

    def quarantine_raw(self, values: dict[str, str]) -> dict[str, Any]:
        """The row as kept in quarantine: verbatim, less the free text that may name people."""
        return {
            key: (
                "[withheld: may name private persons]"
                if key in PERSONAL_COLUMNS and value
                else value
            )
            for key, value in values.items()
        }


def open_ucdp_ged(
    settings: Settings,
    source: str | None,
    *,
    version: str | None,
    client: httpx.Client | None = None,
) -> GedInput:
    """Open SOURCE, or the official release of ``version`` when no SOURCE is given.

    An official release never changes once published, so it is downloaded once into the node's
    cache and read from there afterwards; any other URL is fetched anew each time.
    """
    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    if source is None:
        if version is None:
            raise InputError(
                "Give a SOURCE (a file, folder or URL) or --version to download an official "
                "release, e.g. 'cawarn ingest ucdp-ged --version 25.1'."
            )
        url = official_release_url(version).replace(OFFICIAL_HOST, settings.ucdp_api.rstrip("/"), 1)
        cached = settings.cache_dir / cache_name(url)
        source = str(cached) if cached.is_file() else url
    return open_ged(
        source,
        version=version,
        token=settings.ucdp_token,
        cache_dir=settings.cache_dir,
        client=client,
    )


def open_scenario(settings: Settings, folder: Path) -> tuple[GedInput, str]:
    """Open a scenario folder's events; returns the input and its ``synthetic:<id>`` source."""
    meta_path = folder / "scenario.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        scenario_id = str(meta["id"])
    except FileNotFoundError:
        raise InputError(
            f"{folder} is not a scenario folder (it has no scenario.json); make one with "
            "'cawarn scenario generate --out DIR'."
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise InputError(f"{meta_path} cannot be read as a scenario description ({err}).") from None
    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    # The release number only orders revisions within one source; a scenario has one release.
    ged = open_ged(str(folder / "events.csv"), version="1.1", cache_dir=settings.cache_dir)
    return ged, f"synthetic:{scenario_id}"
