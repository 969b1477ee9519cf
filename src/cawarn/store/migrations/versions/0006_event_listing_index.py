"""event listing index: current events by country, category and dates, covering the listing

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

COLUMNS = [
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


def upgrade() -> None:
    # Plain op.create_index (not batch mode): SQLite adds an index without copying the table.
    op.create_index("ix_events_listing", "events", COLUMNS, unique=False)


def downgrade() -> None:
    op.drop_index("ix_events_listing", table_name="events")
