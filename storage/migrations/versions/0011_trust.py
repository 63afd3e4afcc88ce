"""Row-level security on PostgreSQL for dispatches, deadlines, the outbox and the
programme settings (storage/security.py describes who sees what).

Revision ID: 0011_trust
Revises: 0010_work
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0011_trust"
down_revision = "0010_work"
branch_labels = None
depends_on = None

# Written out here, not imported: a migration states what it did when it was written.
# A record a consultant's role may see: of her engagements (already scoped by their
# own policy), dispatches, consultations and work, and her organisations' deliverables.
_ABOUT_SEEN = """(
    (about_kind = 'engagement' AND about_id IN (SELECT id FROM engagements))
    OR (about_kind = 'dispatch' AND about_id IN (SELECT id FROM dispatches))
    OR (about_kind = 'consultation' AND about_id IN (SELECT id FROM consultations))
    OR (about_kind = 'work' AND about_id IN (SELECT id FROM work_entries))
    OR (about_kind = 'deliverable' AND about_id IN (
        SELECT id FROM deliverables WHERE org_id IN (SELECT org_id FROM engagements)))
)"""
_DISPATCH_SEEN = (
    "banso_sees_all() OR consultant_id = banso_person_id() "
    "OR engagement_id IN (SELECT id FROM engagements)"
)
_DEADLINE_SEEN = f"banso_sees_all() OR lower(responsible) = banso_email() OR {_ABOUT_SEEN}"
_OUTBOX_SEEN = f"banso_sees_all() OR {_ABOUT_SEEN}"

_POLICIES = (
    """CREATE OR REPLACE FUNCTION banso_email() RETURNS text
    LANGUAGE sql STABLE AS $$
        SELECT lower(p.email) FROM logins l JOIN people p ON p.id = l.person_id
        WHERE l.login = current_user AND p.active
    $$""",
    # Dispatches: a consultant's own, and those of her engagements.
    "ALTER TABLE dispatches ENABLE ROW LEVEL SECURITY",
    f"CREATE POLICY banso_scope ON dispatches FOR ALL "
    f"USING ({_DISPATCH_SEEN}) WITH CHECK ({_DISPATCH_SEEN})",
    # The quotas count every dispatch of the year, whoever plans: the counts read this
    # view, which runs with its owner's rights and shows no person, place or summary.
    "CREATE VIEW dispatch_slots AS SELECT id, engagement_id, month, fiscal_year, "
    "standardization, state FROM dispatches",
    "GRANT SELECT ON dispatch_slots TO PUBLIC",
    # Deadlines: hers to meet, or about what she may see (the effects of her own
    # transitions meet and open them, so those must stay visible to her role).
    "ALTER TABLE deadlines ENABLE ROW LEVEL SECURITY",
    f"CREATE POLICY banso_scope ON deadlines FOR ALL "
    f"USING ({_DEADLINE_SEEN}) WITH CHECK ({_DEADLINE_SEEN})",
    # The outbox: the staff's; a consultant's role sees the mail about her records
    # (her transitions queue it) and queues only that.
    "ALTER TABLE outbox ENABLE ROW LEVEL SECURITY",
    f"CREATE POLICY banso_scope ON outbox FOR ALL "
    f"USING ({_OUTBOX_SEEN}) WITH CHECK ({_OUTBOX_SEEN})",
    # Settings: every bound person reads the contract and quotas (planning a dispatch
    # locks the quota row, which PostgreSQL checks as an UPDATE); only the staff change them.
    "ALTER TABLE programme_settings ENABLE ROW LEVEL SECURITY",
    "CREATE POLICY banso_read ON programme_settings FOR SELECT "
    "USING (banso_person_id() IS NOT NULL)",
    "CREATE POLICY banso_update ON programme_settings FOR UPDATE "
    "USING (banso_person_id() IS NOT NULL) WITH CHECK (banso_sees_all())",
    "CREATE POLICY banso_insert ON programme_settings FOR INSERT WITH CHECK (banso_sees_all())",
    "CREATE POLICY banso_delete ON programme_settings FOR DELETE USING (banso_sees_all())",
)
_DROPPED = (
    "DROP POLICY IF EXISTS banso_delete ON programme_settings",
    "DROP POLICY IF EXISTS banso_insert ON programme_settings",
    "DROP POLICY IF EXISTS banso_update ON programme_settings",
    "DROP POLICY IF EXISTS banso_read ON programme_settings",
    "ALTER TABLE programme_settings DISABLE ROW LEVEL SECURITY",
    "DROP POLICY IF EXISTS banso_scope ON outbox",
    "ALTER TABLE outbox DISABLE ROW LEVEL SECURITY",
    "DROP POLICY IF EXISTS banso_scope ON deadlines",
    "ALTER TABLE deadlines DISABLE ROW LEVEL SECURITY",
    "DROP VIEW IF EXISTS dispatch_slots",
    "DROP POLICY IF EXISTS banso_scope ON dispatches",
    "ALTER TABLE dispatches DISABLE ROW LEVEL SECURITY",
    "DROP FUNCTION IF EXISTS banso_email()",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in _POLICIES:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in _DROPPED:
            op.execute(statement)
