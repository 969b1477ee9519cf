"""What the pipeline needs from a source, and what one batch reports."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from cawarn.domain import Event, QuarantinedRow


class RawInput(Protocol):
    """One input row as read: its record number and its fields, all as text."""

    @property
    def number(self) -> int: ...

    @property
    def values(self) -> dict[str, str]: ...


class SourceReader(Protocol):
    """What the pipeline needs from a source format (see cawarn.ingest.ucdp for GED)."""

    @property
    def source(self) -> str: ...

    @property
    def location(self) -> str: ...

    @property
    def sha256(self) -> str | None: ...

    @property
    def version_label(self) -> str | None: ...

    @property
    def dataset(self) -> str: ...

    @property
    def rank(self) -> str: ...

    @property
    def total_bytes(self) -> int | None: ...

    @property
    def mapping_version(self) -> str:
        """Changes whenever the source's mapping rules change, so old batches are not reused."""
        ...

    def rows(self) -> Iterator[RawInput]: ...

    @property
    def bytes_read(self) -> int: ...

    def country_of(self, values: dict[str, str]) -> str | None: ...

    def map_row(self, row: RawInput) -> Event | QuarantinedRow: ...

    def source_admin1(self, values: dict[str, str]) -> str: ...

    def source_priogrid(self, values: dict[str, str]) -> int | None: ...

    def quarantine_raw(self, values: dict[str, str]) -> dict[str, Any]: ...

    def owner_of(self, values: dict[str, str]) -> str | None:
        """The organisation that owns the row's event; None for the node's own organisation."""
        ...


class ProgressSink(Protocol):
    """Where long work reports how far it is (a Rich progress bar in the CLI)."""

    def start(self, total: int | None) -> None: ...

    def update(self, completed: int) -> None: ...


@dataclass
class IngestReport:
    """What one batch did, for the user and the batches table."""

    batch_id: int = 0
    batch_uid: str = ""
    source: str = ""
    location: str = ""
    source_version: str | None = None
    source_dataset: str | None = None
    sha256: str | None = None
    rows_read: int = 0
    rows_outside_region: int = 0
    rows_quarantined: int = 0
    events_new: int = 0
    events_revised: int = 0
    events_unchanged: int = 0
    events_older: int = 0
    duplicate_rows: int = 0
    admin1_snapped: int = 0
    admin1_unassigned: int = 0
    admin1_disagreements: int = 0
    priogrid_mismatches: int = 0
    quarantine_reasons: Counter[str] = field(default_factory=Counter)
    same_as_batch_id: int | None = None  # the file was read unchanged before, by this batch
    countries_without_boundaries: list[str] = field(default_factory=list)
    seconds: float = 0.0

    COUNTS = (
        "rows_read",
        "rows_outside_region",
        "rows_quarantined",
        "events_new",
        "events_revised",
        "events_unchanged",
        "events_older",
        "duplicate_rows",
        "admin1_snapped",
        "admin1_unassigned",
        "admin1_disagreements",
        "priogrid_mismatches",
    )

    def counts(self) -> dict[str, int]:
        """The counters stored with the batch."""
        return {name: int(getattr(self, name)) for name in self.COUNTS}
