"""Synthetic scenario rows: the UCDP GED layout plus two marking columns.

A scenario (``cawarn scenario generate``) writes its events in the GED CSV layout so that the real
ingest path reads them, and adds two columns after the 49 official ones:

- ``cawarn_source``: ``synthetic:<scenario id>`` on every row, so a simulated event can never be
  taken for a real one; the store keeps it as the event's source;
- ``cawarn_category``: the event's category, since GED's ``type_of_violence`` has no value for
  protest (a scenario leaves it empty on protest rows).

Everything else is validated exactly as for real GED rows.
"""

from __future__ import annotations

import dataclasses

from cawarn.domain import Category, Event, QuarantinedRow
from cawarn.sources.ucdp_ged_rows import map_row, without_personal_fields
from cawarn.sources.ucdp_ged_schema import RawRow
from cawarn.sources.ucdp_ged_version import GedVersion

SOURCE_COLUMN = "cawarn_source"
CATEGORY_COLUMN = "cawarn_category"
#: GED's type_of_violence for each category, used only to run the common checks.
_TYPE_FOR = {Category.ATTACK_ON_CIVILIANS: "3"}


def is_synthetic(columns: list[str]) -> bool:
    """Whether a file's header marks it as a synthetic scenario."""
    return SOURCE_COLUMN in columns


def map_synthetic_row(row: RawRow, version: GedVersion, source: str) -> Event | QuarantinedRow:
    """Map one scenario row; its marks must name this scenario and a known category."""
    values = row.values
    marked = values.get(SOURCE_COLUMN, "")
    event_id = values.get("id", "").strip() or None
    if marked != source:
        reason = f"the row is marked {SOURCE_COLUMN} {marked!r}, not {source!r} like its file"
        return QuarantinedRow(row.number, reason, without_personal_fields(values), event_id)
    try:
        category = Category(values.get(CATEGORY_COLUMN, ""))
    except ValueError:
        known = ", ".join(c.value for c in Category)
        reason = f"{CATEGORY_COLUMN} {values.get(CATEGORY_COLUMN, '')!r} is not one of {known}"
        return QuarantinedRow(row.number, reason, without_personal_fields(values), event_id)
    checked = values
    if not values.get("type_of_violence", "").strip():
        checked = {**values, "type_of_violence": _TYPE_FOR.get(category, "1")}
    result = map_row(RawRow(row.number, checked, row.problem), version)
    if isinstance(result, QuarantinedRow):
        return dataclasses.replace(result, raw=without_personal_fields(values))
    where = " ".join(values.get("where_description", "").split())
    label = category.value.replace("_", " ").capitalize()
    return dataclasses.replace(
        result,
        source=source,
        category=category,
        source_ref=f"{source}, event {result.source_event_id} (simulated, not a real event)",
        source_version=None,
        source_dataset="synthetic",
        source_fields=without_personal_fields(values),
        summary=f"{label} (simulated): {where}" if where else f"{label} (simulated)",
    )
