"""Prefecture decisions: the expert agreement on engagements, a support plan's organisation.

Revision ID: 0006_decide
Revises: 0005_mail
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_decide"
down_revision = "0005_mail"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("engagements") as batch:
        batch.add_column(sa.Column("proposed_consultant_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("agreed_consultant_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_engagements_proposed_consultant_id", "people", ["proposed_consultant_id"], ["id"]
        )
        batch.create_foreign_key(
            "fk_engagements_agreed_consultant_id", "people", ["agreed_consultant_id"], ["id"]
        )
    with op.batch_alter_table("deliverables") as batch:
        batch.add_column(sa.Column("org_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_deliverables_org_id", "organisations", ["org_id"], ["id"])
    # Hearings scheduled before the agreement step existed keep their consultant.
    op.execute(
        "UPDATE engagements SET agreed_consultant_id = consultant_id "
        "WHERE consultant_id IS NOT NULL"
    )
    # Support plans made before: their organisation, from their engagement.
    op.execute(
        "UPDATE deliverables SET org_id = (SELECT org_id FROM engagements "
        "WHERE engagements.id = deliverables.engagement_id) "
        "WHERE kind = 'support_plan' AND engagement_id IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("deliverables") as batch:
        batch.drop_constraint("fk_deliverables_org_id", type_="foreignkey")
        batch.drop_column("org_id")
    with op.batch_alter_table("engagements") as batch:
        batch.drop_constraint("fk_engagements_agreed_consultant_id", type_="foreignkey")
        batch.drop_constraint("fk_engagements_proposed_consultant_id", type_="foreignkey")
        batch.drop_column("agreed_consultant_id")
        batch.drop_column("proposed_consultant_id")
