"""What the database's own errors mean to a person: one of Banso's errors.

A busy database (SQLite's write lock held past the busy timeout, a PostgreSQL
lock or statement timeout) is ``Busy``: nothing was written, run it again. A
unique index of migration 0005 that refuses a row is ``InvariantViolated``
naming the programme's rule. A value a column cannot hold is bad input. The
rest is ``StorageUnavailable`` with the driver's first line, never a password.
"""

from __future__ import annotations

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError

from banso.engine.errors import (
    BansoError,
    Busy,
    InvalidValue,
    InvariantViolated,
    StorageUnavailable,
)
from banso.engine.phrase import Phrase
from banso.workflows.validation import hide_passwords

__all__ = ["first_line", "hide_passwords", "is_busy", "storage_fault"]

# Index or constraint name (as PostgreSQL and SQLite report it) → the rule it keeps.
INVARIANTS: dict[str, str] = {
    "uq_engagements_open_org_theme": Phrase(
        "this organisation already has an open engagement for this theme"
    ),
    "uq_meetings_monthly_month": Phrase("there is already a monthly meeting in this month"),
    "uq_organisations_code_folded": Phrase("an organisation with this code already exists"),
    "uq_people_email_folded": Phrase("a person with this e-mail address already exists"),
    "organisations.code": Phrase("an organisation with this code already exists"),
    "people.email": Phrase("a person with this e-mail address already exists"),
    "themes.code": Phrase("a theme with this code already exists"),
    "subcontractors.name": Phrase("a subcontractor with this name already exists"),
    "organisations_code_key": Phrase("an organisation with this code already exists"),
    "people_email_key": Phrase("a person with this e-mail address already exists"),
    "themes_code_key": Phrase("a theme with this code already exists"),
    "subcontractors_name_key": Phrase("a subcontractor with this name already exists"),
}
# For SQLite, which names the columns, not the index, of an expression index.
_SQLITE_EXPRESSIONS: dict[str, str] = {
    "engagements.org_id, engagements.theme_id": "uq_engagements_open_org_theme",
    "meetings.month": "uq_meetings_monthly_month",
}

_BUSY = (
    "database is locked",
    "database is busy",
    "database table is locked",
    "lock timeout",
    "canceling statement due to lock timeout",
    "could not obtain lock",
    "deadlock detected",
    "could not serialize access",
)
_READ_ONLY = ("readonly database", "read-only", "read only")


def first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return hide_passwords(text.splitlines()[0] if text else type(exc).__name__)


def is_busy(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "sqlstate", None)
    if code in (
        "55P03",
        "40P01",
        "40001",
        "57014",
    ):  # lock_not_available, deadlock, serialization, cancel
        return True
    text = str(orig if orig is not None else exc).lower()
    return any(marker in text for marker in _BUSY)


def storage_fault(exc: BaseException) -> BansoError | None:
    """Banso's error for a database error, or None if ``exc`` is not one."""
    if isinstance(exc, BansoError):
        return exc
    if not isinstance(exc, DBAPIError):
        return None
    if is_busy(exc):
        return Busy(first_line(exc))
    if isinstance(exc, IntegrityError):
        return _integrity(exc)
    if isinstance(exc, DataError):
        return InvalidValue("a value", first_line(exc), "one that fits its column")
    text = first_line(exc)
    if isinstance(exc, OperationalError) and any(m in text.lower() for m in _READ_ONLY):
        return StorageUnavailable(
            Phrase("the database is read-only ({text}); check the file's permissions", text=text)
        )
    return StorageUnavailable(Phrase("the database refused the change: {text}", text=text))


def _integrity(exc: IntegrityError) -> BansoError:
    text = str(exc.orig)
    orig = exc.orig
    diag = getattr(orig, "diag", None)
    name = getattr(diag, "constraint_name", None) if diag is not None else None
    if name and name in INVARIANTS:
        return InvariantViolated(INVARIANTS[name])
    for columns, index in _SQLITE_EXPRESSIONS.items():
        if columns in text:
            return InvariantViolated(INVARIANTS[index])
    for key, rule in INVARIANTS.items():
        if key in text:
            return InvariantViolated(rule)
    return InvariantViolated(
        Phrase("the database refused the change ({text})", text=first_line(exc))
    )
