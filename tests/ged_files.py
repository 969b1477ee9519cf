"""Small GED-layout files for tests, made from the real samples in ../shared/data."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from pathlib import Path

REGION_GW = {"700", "701", "702", "703", "704", "705"}


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a GED CSV."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: Iterable[dict[str, str]]) -> Path:
    """Write rows in the GED CSV layout."""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def region_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Only the rows of the default region."""
    header, rows = read_rows(path)
    return header, [row for row in rows if row["country_id"] in REGION_GW]


def derive(
    source: Path,
    target: Path,
    change: Callable[[dict[str, str]], dict[str, str] | None],
) -> Path:
    """A copy of ``source`` with each row passed through ``change`` (None drops the row)."""
    header, rows = read_rows(source)
    kept = [changed for row in rows if (changed := change(dict(row))) is not None]
    return write_rows(target, header, kept)
