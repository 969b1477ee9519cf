"""event store: batches, events, quarantine, boundaries

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("source_version", sa.String(length=20), nullable=True),
        sa.Column("source_dataset", sa.String(length=20), nullable=True),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("fingerprint", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rows_read", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("rows_outside_region", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("rows_quarantined", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("events_new", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("events_revised", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("events_unchanged", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("events_older", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("duplicate_rows", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("admin1_snapped", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("admin1_unassigned", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "admin1_disagreements", sa.Integer(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column("priogrid_mismatches", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("same_as_batch_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
        sa.UniqueConstraint("uid", name=op.f("uq_batches_uid")),
    )
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.create_index("ix_batches_sha256", ["sha256"], unique=False)

    op.create_table(
        "boundary_sources",
        sa.Column("country", sa.String(length=3), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("year", sa.String(length=20), nullable=True),
        sa.Column("licence", sa.Text(), nullable=True),
        sa.Column("licence_url", sa.Text(), nullable=True),
        sa.Column("original_source", sa.Text(), nullable=True),
        sa.Column("build_date", sa.String(length=40), nullable=True),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("warnings", sa.Text(), nullable=False),
        sa.Column("outline_wkb", sa.LargeBinary(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("country", name=op.f("pk_boundary_sources")),
    )
    op.create_table(
        "admin_units",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("name_ru", sa.Text(), nullable=False),
        sa.Column("source_name", sa.Text(), nullable=False),
        sa.Column("geometry_wkb", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["country"],
            ["boundary_sources.country"],
            name=op.f("fk_admin_units_country_boundary_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_admin_units")),
    )
    with op.batch_alter_table("admin_units", schema=None) as batch_op:
        batch_op.create_index("ix_admin_units_country", ["country"], unique=False)

    op.create_table(
        "events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("source_event_id", sa.String(length=100), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("source_version", sa.String(length=20), nullable=True),
        sa.Column("source_dataset", sa.String(length=20), nullable=True),
        sa.Column("version_rank", sa.String(length=40), nullable=False),
        sa.Column("date_start", sa.Date(), nullable=False),
        sa.Column("date_end", sa.Date(), nullable=False),
        sa.Column("date_precision", sa.String(length=10), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("geo_precision", sa.String(length=30), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=False),
        sa.Column("admin1", sa.String(length=20), nullable=True),
        sa.Column("admin1_method", sa.String(length=10), nullable=True),
        sa.Column("admin1_distance_km", sa.Float(), nullable=True),
        sa.Column("admin1_agrees", sa.Boolean(), nullable=True),
        sa.Column("priogrid_gid", sa.Integer(), nullable=True),
        sa.Column("priogrid_agrees", sa.Boolean(), nullable=True),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("source_fields", sa.Text(), nullable=False),
        sa.Column("actor1", sa.Text(), nullable=True),
        sa.Column("actor2", sa.Text(), nullable=True),
        sa.Column("fatalities_best", sa.Integer(), nullable=True),
        sa.Column("fatalities_low", sa.Integer(), nullable=True),
        sa.Column("fatalities_high", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("source_ref", sa.Text(), nullable=True),
        sa.Column("marking", sa.String(length=20), nullable=False),
        sa.Column("owner_org", sa.String(length=100), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("raw_hash", sa.BigInteger(), nullable=False),
        sa.Column("content_hash", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_events_batch_id_batches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint(
            "source",
            "source_event_id",
            "revision",
            name=op.f("uq_events_source_source_event_id_revision"),
        ),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_batch_id", ["batch_id"], unique=False)
        batch_op.create_index(
            "ix_events_current_country_date", ["is_current", "country", "date_start"], unique=False
        )
        batch_op.create_index("ix_events_uid", ["uid"], unique=False)
        batch_op.create_index(
            "ux_events_current",
            ["source", "source_event_id"],
            unique=True,
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )

    op.create_table(
        "quarantine",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("last_batch_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("source_event_id", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("raw_hash", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_quarantine_batch_id_batches")
        ),
        sa.ForeignKeyConstraint(
            ["last_batch_id"], ["batches.id"], name=op.f("fk_quarantine_last_batch_id_batches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantine")),
        sa.UniqueConstraint(
            "source",
            "raw_hash",
            "row_number",
            "reason",
            name=op.f("uq_quarantine_source_raw_hash_row_number_reason"),
        ),
    )
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.create_index(
            "ix_quarantine_batch_id_row_number", ["batch_id", "row_number"], unique=False
        )
        batch_op.create_index("ix_quarantine_last_batch_id", ["last_batch_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.drop_index("ix_quarantine_last_batch_id")
        batch_op.drop_index("ix_quarantine_batch_id_row_number")

    op.drop_table("quarantine")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(
            "ux_events_current",
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )
        batch_op.drop_index("ix_events_uid")
        batch_op.drop_index("ix_events_current_country_date")
        batch_op.drop_index("ix_events_batch_id")

    op.drop_table("events")
    with op.batch_alter_table("admin_units", schema=None) as batch_op:
        batch_op.drop_index("ix_admin_units_country")

    op.drop_table("admin_units")
    op.drop_table("boundary_sources")
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_index("ix_batches_sha256")

    op.drop_table("batches")
