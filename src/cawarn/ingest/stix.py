"""A STIX 2.1 bundle as a source of the ingest pipeline (``cawarn stix import``)."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from cawarn.config import Settings
from cawarn.domain import Event, QuarantinedRow
from cawarn.ingest.records import STIX_SOURCE, version_rank
from cawarn.network.stix.ids import identity_id
from cawarn.sources.stix_bundle import StixInput, StixRow, read_stix_bundle
from cawarn.store.tables import events, organisations


class StixReader:
    """Adapts a read bundle to the pipeline's SourceReader protocol."""

    #: Bump when the mapping from STIX to events changes, so files read before are read again.
    mapping_version = "1"
    source = STIX_SOURCE
    dataset = STIX_SOURCE
    version_label: str | None = None
    # Every bundle is one release: a later import of a changed incident makes a new revision.
    rank = version_rank(1, (1,))

    def __init__(self, data: StixInput, region: set[str]) -> None:
        self.data = data
        self.location = data.location
        self.sha256: str | None = data.sha256
        self.total_bytes: int | None = data.size
        self.bytes_read = 0
        # A row that will be quarantined is placed inside the region so that its own reason is
        # what gets recorded, not "outside the region".
        self._inside = min(region) if region else ""
        self._numbers = {row.values["id"]: row.number for row in data.rows}

    def rows(self) -> Iterator[StixRow]:
        """Every incident (and every object with a problem), in bundle order."""
        yield from self.data.rows
        self.bytes_read = self.data.size

    def country_of(self, values: dict[str, str]) -> str | None:
        """The event's ISO3 country; rows to be quarantined answer a country of the region."""
        mapped = self._mapped(values)
        return mapped.country if isinstance(mapped, Event) else self._inside

    def _mapped(self, values: dict[str, str]) -> Event | str:
        return self.data.mapped[self._numbers[values["id"]]]

    def map_row(self, row: Any) -> Event | QuarantinedRow:
        """The event of an incident, or the reason it cannot be one."""
        mapped = self.data.mapped[row.number]
        if isinstance(mapped, Event):
            return mapped
        return QuarantinedRow(row.number, mapped, self.quarantine_raw(row.values), row.values["id"])

    def source_admin1(self, values: dict[str, str]) -> str:
        """No admin-1 name to compare with: the sender's admin-1 code is its own assignment."""
        return ""

    def source_priogrid(self, values: dict[str, str]) -> int | None:
        """STIX carries no PRIO-GRID cell."""
        return None

    def owner_of(self, values: dict[str, str]) -> str | None:
        """The organisation of the incident's created_by_ref."""
        return self.data.owners.get(self._numbers[values["id"]])

    def quarantine_raw(self, values: dict[str, str]) -> dict[str, Any]:
        """The object (and its location) as received."""
        raw: dict[str, Any] = {"object": json.loads(values["incident"] or "null")}
        if values.get("location"):
            raw["location"] = json.loads(values["location"])
        return raw


def open_stix_bundle(conn: Connection, settings: Settings, path: Path) -> StixReader:
    """Read and validate a bundle against what this node knows (organisations, its own events)."""
    codes = {settings.organisation, *conn.execute(select(organisations.c.code)).scalars()}
    known = {identity_id(code): code for code in codes}
    data = read_stix_bundle(path, organisations=known, held=lambda uids: _held(conn, uids))
    return StixReader(data, set(settings.region))


def _held(conn: Connection, uids: Collection[str]) -> set[str]:
    """Which of ``uids`` name events this node holds under another source than STIX."""
    ordered = sorted(uids)
    held: set[str] = set()
    for start in range(0, len(ordered), 5000):  # within SQLite's limit of bound parameters
        query = (
            select(events.c.uid)
            .where(events.c.uid.in_(ordered[start : start + 5000]))
            .where(events.c.source != STIX_SOURCE)
            .distinct()
        )
        held.update(conn.execute(query).scalars())
    return held
