"""The questions the programme's rules ask of the database.

Use cases gather these as ``facts`` inside the same transaction as the change
they guard, so a quota is counted under the same lock that adds to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from banso.engine.errors import NotFound, StorageUnavailable
from banso.storage.models import (
    Assignment,
    Dispatch,
    Engagement,
    Meeting,
    Organisation,
    Person,
    ProgrammeSetting,
    Subcontractor,
    Theme,
)

COUNTED = ("planned", "confirmed", "held")  # a cancelled dispatch frees its slot
OPEN_DISPATCH = ("planned", "confirmed")


def org_by_code(session: Session, code: str) -> Organisation:
    org = session.scalars(select(Organisation).where(Organisation.code == code)).first()
    if org is None:
        raise NotFound("organisation with code", code, "see `banso org list`")
    return org


def theme_by_code(session: Session, code: str) -> Theme:
    theme = session.scalars(select(Theme).where(Theme.code == code)).first()
    if theme is None:
        raise NotFound("theme with code", code, "see `banso theme list`")
    return theme


def person_by_email(session: Session, email: str) -> Person:
    person = session.scalars(select(Person).where(Person.email == email)).first()
    if person is None:
        raise NotFound("person with e-mail", email, "see `banso person list`")
    return person


def is_standardization(session: Session, theme: Theme) -> bool:
    """A theme counts as standardisation if it or its parent says so."""
    if theme.standardization:
        return True
    parent = session.get(Theme, theme.parent_id) if theme.parent_id else None
    return bool(parent and parent.standardization)


def setting(session: Session, key: str, *, lock: bool = False) -> dict[str, Any]:
    """A programme setting; ``lock`` takes the row for the rest of the transaction."""
    stmt = select(ProgrammeSetting).where(ProgrammeSetting.key == key)
    if lock:
        stmt = stmt.with_for_update()
    row = session.scalars(stmt).first()
    if row is None:
        raise StorageUnavailable(f"programme setting {key!r} is missing; run `banso init`")
    return dict(row.value)


def put_setting(session: Session, key: str, value: dict[str, Any]) -> None:
    row = session.get(ProgrammeSetting, key)
    if row is None:
        session.add(ProgrammeSetting(key=key, value=value))
    else:
        row.value = value


def consultant_facts(
    session: Session, consultant: Person | None, org_id: int | None, theme_id: int | None
) -> dict[str, Any]:
    """What the consultant rules need: role, approval of their company, and who
    already serves this organisation on this theme."""
    sub = (
        session.get(Subcontractor, consultant.subcontractor_id)
        if consultant and consultant.subcontractor_id
        else None
    )
    assigned: Person | None = None
    if org_id is not None and theme_id is not None:
        row = session.scalars(
            select(Assignment).where(Assignment.org_id == org_id, Assignment.theme_id == theme_id)
        ).first()
        assigned = session.get(Person, row.consultant_id) if row else None
    return {
        "consultant_role": consultant.role if consultant else None,
        "consultant_email": consultant.email if consultant else None,
        "consultant_active": bool(consultant and consultant.active),
        "subcontractor": sub.name if sub else None,
        "subcontractor_approved": bool(sub and sub.approved_at),
        "assigned_consultant_id": assigned.id if assigned else None,
        "assigned_consultant": assigned.email if assigned else None,
    }


def assign_if_first(session: Session, org_id: int, theme_id: int, consultant_id: int) -> None:
    """Record the consultant for an organisation × theme the first time one is chosen."""
    exists = session.scalars(
        select(Assignment.id).where(Assignment.org_id == org_id, Assignment.theme_id == theme_id)
    ).first()
    if exists is None:
        session.add(Assignment(org_id=org_id, theme_id=theme_id, consultant_id=consultant_id))
        session.flush()


def dispatch_counts(
    session: Session, *, engagement_id: int, month: str, fiscal_year: int
) -> dict[str, int]:
    """Dispatches that use a slot: this engagement's in ``month``, and the year's."""
    counted = Dispatch.state.in_(COUNTED)
    month_count = session.scalar(
        select(func.count())
        .select_from(Dispatch)
        .where(Dispatch.engagement_id == engagement_id, Dispatch.month == month, counted)
    )
    fy_count, std_count = session.execute(
        select(
            func.count(),
            func.count().filter(Dispatch.standardization.is_(True)),
        ).where(Dispatch.fiscal_year == fiscal_year, counted)
    ).one()
    return {
        "month_count": int(month_count or 0),
        "fy_count": int(fy_count),
        "std_count": int(std_count),
    }


def dispatches_of(session: Session, engagement_id: int, states: Sequence[str]) -> list[int]:
    return list(
        session.scalars(
            select(Dispatch.id)
            .where(Dispatch.engagement_id == engagement_id, Dispatch.state.in_(states))
            .order_by(Dispatch.id)
        )
    )


def open_engagement(session: Session, org_id: int, theme_id: int) -> Engagement | None:
    """An engagement of this organisation on this theme that is still going."""
    return session.scalars(
        select(Engagement)
        .where(
            Engagement.org_id == org_id,
            Engagement.theme_id == theme_id,
            Engagement.state.not_in(("withdrawn", "reported")),
        )
        .order_by(Engagement.id)
    ).first()


def monthly_meetings(session: Session, month: str) -> list[int]:
    return list(
        session.scalars(
            select(Meeting.id).where(
                Meeting.kind == "monthly", Meeting.month == month, Meeting.state != "cancelled"
            )
        )
    )
