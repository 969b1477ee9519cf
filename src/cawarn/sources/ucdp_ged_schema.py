"""The shape of UCDP GED data: the columns cawarn needs and one raw record."""

from __future__ import annotations

from typing import NamedTuple

from cawarn.domain import InputError

#: Columns without which a file is not UCDP GED data for cawarn.
REQUIRED_COLUMNS = (
    "id",
    "type_of_violence",
    "side_a",
    "side_b",
    "where_prec",
    "latitude",
    "longitude",
    "country",
    "country_id",
    "date_prec",
    "date_start",
    "date_end",
    "best",
    "high",
    "low",
)


class RawRow(NamedTuple):
    """One data record: 1-based record number (header excluded) and its values as strings."""

    number: int
    values: dict[str, str]
    problem: str | None = None  # set when the record itself is malformed (e.g. field count)


def check_columns(columns: list[str], location: str) -> None:
    """Refuse a header that lacks the UCDP GED columns, naming them."""
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if not missing:
        return
    if len(columns) == 1 and any(sep in columns[0] for sep in (";", "\t")):
        raise InputError(
            f"{location} separates fields with ';' or tabs (a spreadsheet export?);"
            " UCDP GED CSV files use commas: export it again as comma-separated UTF-8 CSV"
        )
    if columns and columns[0].strip().isdigit():
        raise InputError(f"{location} has no header line: the first line must name the columns")
    raise InputError(f"{location} is not a UCDP GED CSV: it lacks the columns {', '.join(missing)}")
