"""The survey's preferred period (希望時期) as its first and last month.

Revision ID: 0009_rules
Revises: 0008_scope
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_rules"
down_revision = "0008_scope"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("preferred_from", sa.String(length=7), nullable=True))
        batch_op.add_column(sa.Column("preferred_to", sa.String(length=7), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.drop_column("preferred_to")
        batch_op.drop_column("preferred_from")
