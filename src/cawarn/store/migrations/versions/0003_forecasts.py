"""forecast_runs and forecasts: stored evaluations and live forecasts with their provenance

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "forecast_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("panel_id", sa.Integer(), nullable=True),
        sa.Column("panel_key", sa.String(length=120), nullable=False),
        sa.Column("panel_sha256", sa.String(length=64), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("target", sa.String(length=60), nullable=False),
        sa.Column("train_first", sa.Integer(), nullable=False),
        sa.Column("train_last", sa.Integer(), nullable=False),
        sa.Column("test_start", sa.Integer(), nullable=True),
        sa.Column("test_end", sa.Integer(), nullable=True),
        sa.Column("steps", sa.Integer(), nullable=False),
        sa.Column("n_samples", sa.Integer(), nullable=False),
        sa.Column("seeds", sa.Text(), nullable=False),
        sa.Column("models", sa.Text(), nullable=False),
        sa.Column("scores", sa.Text(), nullable=True),
        sa.Column("report_path", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panels.id"], name=op.f("fk_forecast_runs_panel_id_panels")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_runs")),
    )
    with op.batch_alter_table("forecast_runs", schema=None) as batch_op:
        batch_op.create_index("ix_forecast_runs_kind_level", ["kind", "level"], unique=False)

    op.create_table(
        "forecasts",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=60), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("month_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("p_positive", sa.Float(), nullable=False),
        sa.Column("mean", sa.Float(), nullable=False),
        sa.Column("q05", sa.Float(), nullable=False),
        sa.Column("q10", sa.Float(), nullable=False),
        sa.Column("q25", sa.Float(), nullable=False),
        sa.Column("q50", sa.Float(), nullable=False),
        sa.Column("q75", sa.Float(), nullable=False),
        sa.Column("q90", sa.Float(), nullable=False),
        sa.Column("q95", sa.Float(), nullable=False),
        sa.Column("exceed", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["forecast_runs.id"],
            name=op.f("fk_forecasts_run_id_forecast_runs"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "run_id", "model", "unit", "step", name=op.f("uq_forecasts_run_id_model_unit_step")
        ),
    )
    with op.batch_alter_table("forecasts", schema=None) as batch_op:
        batch_op.create_index("ix_forecasts_unit_month", ["unit", "month_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("forecasts", schema=None) as batch_op:
        batch_op.drop_index("ix_forecasts_unit_month")

    op.drop_table("forecasts")
    with op.batch_alter_table("forecast_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_forecast_runs_kind_level")

    op.drop_table("forecast_runs")
