"""event listing: ix_events_listing_start (in the listing's order) replaces ix_events_listing;
ix_events_updated_at for the store's data version

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LISTING_START = [
    "is_current",
    "country",
    "category",
    "date_start",
    "source",
    "source_event_id",
    "date_end",
    "marking",
    "owner_org",
]
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


def upgrade() -> None:
    # Plain op.create_index (not batch mode): SQLite adds an index without copying the table.
    op.drop_index("ix_events_listing", table_name="events")
    op.create_index("ix_events_listing_start", "events", LISTING_START, unique=False)
    op.create_index("ix_events_updated_at", "events", ["updated_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_events_updated_at", table_name="events")
    op.drop_index("ix_events_listing_start", table_name="events")
    op.create_index("ix_events_listing", "events", LISTING, unique=False)
