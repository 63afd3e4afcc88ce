"""Mail that stands on its own: invitation details, cancellation wordings, the
survey's 担当部署, a consultation's contact, and people's department, title, phone.

Revision ID: 0005_mail
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_mail"
down_revision = "0004"
branch_labels = None
depends_on = None

COLUMNS = {
    "people": (
        ("dept", sa.String(length=200)),
        ("title", sa.String(length=100)),
        ("phone", sa.String(length=40)),
    ),
    "engagements": (
        ("contact_dept", sa.String(length=200)),
        ("hearing_invite", sa.JSON()),
    ),
    "dispatches": (("reason_code", sa.String(length=16)), ("invite", sa.JSON())),
    "meetings": (("reason_code", sa.String(length=16)), ("invite", sa.JSON())),
    "consultations": (
        ("contact_name", sa.String(length=200)),
        ("contact_email", sa.String(length=254)),
        ("contact_phone", sa.String(length=40)),
    ),
}


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for name, type_ in columns:
                batch.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for name, _ in reversed(columns):
                batch.drop_column(name)
