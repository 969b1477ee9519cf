"""event indexes: the filtered listing (country, category, dates) and the overview (recent days)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LISTING = [
    "is_current",
    "country",
    "category",
    "date_end",
    "date_start",
    "source",
    "source_event_id",
    "marking",
    "owner_org",
]
RECENT = [
    "is_current",
    "date_start",
    "category",
    "country",
    "marking",
    "owner_org",
    "fatalities_best",
]


def upgrade() -> None:
    # Plain op.create_index (not batch mode): SQLite adds an index without copying the table.
    op.create_index("ix_events_listing", "events", LISTING, unique=False)
    op.create_index("ix_events_recent", "events", RECENT, unique=False)


def downgrade() -> None:
    op.drop_index("ix_events_recent", table_name="events")
    op.drop_index("ix_events_listing", table_name="events")
