"""Places: administrative units and where their boundaries came from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BoundarySource:
    """Provenance of one country's boundary file, shown as attribution."""

    country: str  # ISO3
    level: str  # "ADM1"
    source: str  # e.g. "geoBoundaries (gbOpen)"
    year: str | None
    licence: str | None
    licence_url: str | None
    original_source: str | None  # who made the data geoBoundaries republishes (e.g. OpenStreetMap)
    build_date: str | None = None

    @property
    def attribution(self) -> str:
        """One line to show wherever the boundaries are used."""
        parts = [self.source]
        if self.original_source:
            parts.append(f"data: {self.original_source}")
        if self.year:
            parts.append(self.year)
        if self.licence:
            parts.append(self.licence)
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class AdminUnit:
    """A first-order administrative unit with its stable code and names."""

    code: str  # ISO 3166-2 where one exists, else a stable cawarn code
    country: str  # ISO3
    name_en: str
    name_ru: str
    source_name: str  # the name exactly as the boundary file gives it
