"""Research and materials work between visits (spec §6(2)③).

Revision ID: 0010_work
Revises: 0009_rules
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_work"
down_revision = "0009_rules"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "work_entries",
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("consultant_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagements.id"]),
        sa.ForeignKeyConstraint(["consultant_id"], ["people.id"]),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("work_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_work_entries_engagement_month", ["engagement_id", "month"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_work_entries_state"), ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("work_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_entries_state"))
        batch_op.drop_index("ix_work_entries_engagement_month")
    op.drop_table("work_entries")
