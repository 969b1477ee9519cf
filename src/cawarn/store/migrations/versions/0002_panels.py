"""panels: unit-month panels built or imported, with their provenance

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "panels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=True),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_month_id", sa.Integer(), nullable=False),
        sa.Column("last_month_id", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("columns", sa.Text(), nullable=False),
        sa.Column("sources", sa.Text(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("events_used", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("events_max_batch_id", sa.Integer(), nullable=True),
        sa.Column("events_digest", sa.String(length=32), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("input_sha256", sa.String(length=64), nullable=True),
        sa.Column("feature_version", sa.String(length=20), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_panels_batch_id_batches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panels")),
    )
    with op.batch_alter_table("panels", schema=None) as batch_op:
        batch_op.create_index("ix_panels_level_label", ["level", "label"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("panels", schema=None) as batch_op:
        batch_op.drop_index("ix_panels_level_label")

    op.drop_table("panels")
