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

# Written out here, not imported: a migration states what it did when it was written.
_WORK_POLICIES = (
    "ALTER TABLE work_entries ENABLE ROW LEVEL SECURITY",
    "CREATE POLICY banso_scope ON work_entries FOR ALL "
    "USING (banso_sees_all() OR consultant_id = banso_person_id()) "
    "WITH CHECK (banso_sees_all() OR consultant_id = banso_person_id())",
    # Permissive policies add up: a consultant's role also sees its work's audit events.
    "CREATE POLICY banso_scope_work ON audit_events FOR SELECT "
    "USING (kind = 'work' AND record_id IN (SELECT id FROM work_entries))",
)
_WORK_POLICIES_DROPPED = (
    "DROP POLICY IF EXISTS banso_scope_work ON audit_events",
    "DROP POLICY IF EXISTS banso_scope ON work_entries",
)


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
    if op.get_bind().dialect.name == "postgresql":
        for statement in _WORK_POLICIES:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in _WORK_POLICIES_DROPPED:
            op.execute(statement)
    with op.batch_alter_table("work_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_entries_state"))
        batch_op.drop_index("ix_work_entries_engagement_month")
    op.drop_table("work_entries")
