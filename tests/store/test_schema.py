"""The store's schema: migrations match the tables, and no column is meant for personal data."""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from cawarn.store.tables import metadata

#: Words that would mark a column as meant for data about individual people (DESIGN.md, 1).
PERSONAL = re.compile(
    r"(^|_)(name|first_?name|last_?name|surname|person|people|individual|victim|suspect|"
    r"perpetrator|phone|mobile|email|e_?mail|passport|national_id|id_number|birth|dob|age|"
    r"gender|sex|address|face|photo|biometric|ethnicity|religion|headline|article)(_|$)"
)
#: Columns whose names contain such a word but that hold no personal data, with the reason.
ALLOWED = {
    ("admin_units", "name_en"): "the English name of an administrative unit",
    ("admin_units", "name_ru"): "the Russian name of an administrative unit",
    ("admin_units", "source_name"): "the unit's name as the boundary file gives it",
    ("gazetteer", "name"): "the name of a populated place or administrative area (GeoNames)",
    ("gazetteer", "name_ru"): "the Russian name of a populated place or administrative area",
}


def test_no_column_is_meant_for_personal_data() -> None:
    offending = []
    for table in metadata.sorted_tables:
        for column in table.columns:
            if PERSONAL.search(column.name) and (table.name, column.name) not in ALLOWED:
                offending.append(f"{table.name}.{column.name}")
    assert offending == [], f"columns that look meant for personal data: {offending}"


def test_guard_would_catch_a_personal_column() -> None:
    # The guard itself must be able to fail.
    for name in ("victim_name", "phone", "passport_number", "perpetrator", "source_headline"):
        assert PERSONAL.search(name), name


def test_migrations_create_exactly_the_tables(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
