"""The generated files of each deliverable, one row per file of each version.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deliverable_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deliverable_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=1000), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["deliverable_id"], ["deliverables.id"], name="fk_deliverable_files_deliverable_id"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("deliverable_id", "version", "format"),
    )
    op.create_index(
        "ix_deliverable_files_deliverable_version",
        "deliverable_files",
        ["deliverable_id", "version"],
    )


def downgrade() -> None:
    op.drop_index("ix_deliverable_files_deliverable_version", table_name="deliverable_files")
    op.drop_table("deliverable_files")
