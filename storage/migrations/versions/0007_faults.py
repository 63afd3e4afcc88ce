"""The programme's invariants as unique indexes, so that they hold when
commands race on PostgreSQL: one open engagement per organisation × theme,
one monthly meeting a month (cancelled ones aside), organisation codes and
people's e-mail addresses unique whatever their case.

Revision ID: 0007_faults
Revises: 0006_decide
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_faults"
down_revision = "0006_decide"
branch_labels = None
depends_on = None

OPEN = sa.text("state NOT IN ('withdrawn', 'reported')")
MONTHLY = sa.text("kind = 'monthly' AND state <> 'cancelled'")


def upgrade() -> None:
    op.create_index(
        "uq_engagements_open_org_theme",
        "engagements",
        ["org_id", "theme_id"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    op.create_index(
        "uq_meetings_monthly_month",
        "meetings",
        ["month"],
        unique=True,
        sqlite_where=MONTHLY,
        postgresql_where=MONTHLY,
    )
    op.create_index(
        "uq_organisations_code_folded", "organisations", [sa.text("lower(code)")], unique=True
    )
    op.create_index("uq_people_email_folded", "people", [sa.text("lower(email)")], unique=True)


def downgrade() -> None:
    op.drop_index("uq_people_email_folded", table_name="people")
    op.drop_index("uq_organisations_code_folded", table_name="organisations")
    op.drop_index("uq_meetings_monthly_month", table_name="meetings")
    op.drop_index("uq_engagements_open_org_theme", table_name="engagements")
