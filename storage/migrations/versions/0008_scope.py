"""Who is acting and what they may see: logins bound to people, and on PostgreSQL
row-level security that scopes a consultant's database role to their own records.

Revision ID: 0008_scope
Revises: 0007_faults
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from banso.storage.security import drop_row_security, enable_row_security

revision = "0008_scope"
down_revision = "0007_faults"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "logins",
        sa.Column("login", sa.String(length=128), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name="fk_logins_person_id"),
        sa.PrimaryKeyConstraint("login"),
    )
    op.create_index("ix_logins_person_id", "logins", ["person_id"])
    if op.get_bind().dialect.name == "postgresql":
        enable_row_security(op.execute)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        drop_row_security(op.execute)
    op.drop_index("ix_logins_person_id", table_name="logins")
    op.drop_table("logins")
