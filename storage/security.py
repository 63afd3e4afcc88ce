"""Row-level security on PostgreSQL: the same scoping as the commands, underneath them.

Each person connects as their own database role, bound to them in ``logins``.
A role bound to a lead or prefecture person sees every row; a consultant's role
sees only the engagements and consultations assigned to them, and only those
records' audit events, even with raw SQL. A role bound to nobody (or to a
municipal contact) sees none of these rows. The owner of the tables (who runs
``banso init`` and the daemon) is not subject to the policies, as PostgreSQL
does not apply them to a table's owner.

Who may change the bindings and the people is enforced here too, so that a
consultant's role cannot bind itself to the lead or make itself a lead.

Later migrations add, in the same terms (each written out in its migration):

* ``work_entries`` (0010): a consultant's own work, and its audit events;
* ``dispatches`` (0011): her own and those of her engagements. The quotas count
  every dispatch of the year whoever plans, so on PostgreSQL the counts read the
  view ``dispatch_slots`` (``COUNTED_THROUGH``): id, engagement, month, fiscal
  year, standardisation and state, with its owner's rights — no person, place,
  invitation or summary;
* ``deadlines`` (0011): those she is responsible for and those about a record she
  sees (her engagements, dispatches, consultations and work, her organisations'
  deliverables) — her own transitions meet and open them;
* ``outbox`` (0011): the mail about a record she sees (her transitions queue it);
  everything else is the staff's (``banso outbox`` is the staff's command);
* ``programme_settings`` (0011): read by every bound person (planning locks the
  quota row), changed only by the staff; a role bound to nobody reads none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class _Views(DeclarativeBase):
    """Views the migrations create; never part of the models' tables."""


class DispatchSlot(_Views):
    """``dispatch_slots``: what the quotas count of every dispatch, visible to every role."""

    __tablename__ = "dispatch_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int]
    month: Mapped[str]
    fiscal_year: Mapped[int]
    standardization: Mapped[bool]
    state: Mapped[str]


# kind → the view its counts read on PostgreSQL (filters on other columns read the table).
COUNTED_THROUGH: dict[str, Any] = {"dispatch": DispatchSlot}

_FUNCTIONS = """
CREATE OR REPLACE FUNCTION banso_person_id() RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT l.person_id FROM logins l JOIN people p ON p.id = l.person_id
    WHERE l.login = current_user AND p.active
$$;
CREATE OR REPLACE FUNCTION banso_sees_all() RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM logins l JOIN people p ON p.id = l.person_id
        WHERE l.login = current_user AND p.active AND p.role IN ('lead', 'prefecture')
    )
$$;
"""

# table → the rows a consultant's role may see and change besides the staff's "all".
_SCOPED = {
    "engagements": "consultant_id = banso_person_id()",
    "consultations": "consultant_id = banso_person_id()",
}

_AUDIT_SEEN = """
    banso_sees_all()
    OR (kind = 'engagement' AND record_id IN (SELECT id FROM engagements))
    OR (kind = 'consultation' AND record_id IN (SELECT id FROM consultations))
    OR (kind = 'dispatch' AND record_id IN (
        SELECT id FROM dispatches WHERE consultant_id = banso_person_id()))
"""

# Tables everybody bound may read but only the staff may change.
_STAFF_WRITES = ("people", "logins")


def policies() -> list[str]:
    """The statements that turn row-level security on (idempotent per table)."""
    statements = [_FUNCTIONS]
    for table, own in _SCOPED.items():
        statements += [
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"CREATE POLICY banso_scope ON {table} FOR ALL "
            f"USING (banso_sees_all() OR {own}) WITH CHECK (banso_sees_all() OR {own})",
        ]
    statements += [
        "ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY",
        f"CREATE POLICY banso_scope ON audit_events FOR SELECT USING ({_AUDIT_SEEN})",
        # Whoever acts appends; the chain's HMAC, not the policy, guards the content.
        "CREATE POLICY banso_append ON audit_events FOR INSERT WITH CHECK (true)",
    ]
    for table in _STAFF_WRITES:
        statements += [
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"CREATE POLICY banso_read ON {table} FOR SELECT USING (true)",
            f"CREATE POLICY banso_insert ON {table} FOR INSERT WITH CHECK (banso_sees_all())",
            f"CREATE POLICY banso_update ON {table} FOR UPDATE "
            "USING (banso_sees_all()) WITH CHECK (banso_sees_all())",
            f"CREATE POLICY banso_delete ON {table} FOR DELETE USING (banso_sees_all())",
        ]
    return statements


def enable_row_security(execute: Callable[[str], object]) -> None:
    for statement in policies():
        execute(statement)


def drop_row_security(execute: Callable[[str], object]) -> None:
    for table in (*_SCOPED, "audit_events", *_STAFF_WRITES):
        execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        for name in ("banso_scope", "banso_append", "banso_read", "banso_insert",
                     "banso_update", "banso_delete"):  # fmt: skip
            execute(f"DROP POLICY IF EXISTS {name} ON {table}")
    execute("DROP FUNCTION IF EXISTS banso_sees_all()")
    execute("DROP FUNCTION IF EXISTS banso_person_id()")
