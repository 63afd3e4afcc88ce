"""The outbox's addressee, indexed; on SQLite the audit head moved by a trigger.

"Is this the first mail to this address" (services.mail.first_time) was a LIKE
'event:%:<address>' over every key, a scan that grew with the outbox. On SQLite
the audit head follows each appended event inside its INSERT (one statement per
event, not an INSERT and an UPDATE).

Revision ID: 0012_speed
Revises: 0011_trust
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_speed"
down_revision = "0011_trust"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("addressee", sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_addressee"), ["addressee"], unique=False)
    # Rows queued before: the address is what follows event:<seq>: in the key
    # (written out here, not imported: a migration states what it did when it was written).
    bind = op.get_bind()
    outbox = sa.table("outbox", sa.column("id", sa.Integer()), sa.column("key", sa.String()),
                      sa.column("addressee", sa.String()))  # fmt: skip
    found = bind.execute(sa.select(outbox.c.id, outbox.c.key).where(outbox.c.key.like("event:%")))
    updates = []
    for row_id, key in found:
        parts = key.split(":", 2)
        if len(parts) == 3 and parts[0] == "event" and parts[1].isdigit():
            updates.append({"row_id": row_id, "address": parts[2]})
    if updates:
        bind.execute(
            outbox.update()
            .where(outbox.c.id == sa.bindparam("row_id"))
            .values(addressee=sa.bindparam("address")),
            updates,
        )


    if bind.dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER audit_head_follows AFTER INSERT ON audit_events "
            "BEGIN UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1; END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_head_follows")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_addressee"))
        batch_op.drop_column("addressee")
