"""Deadlines in SQL: opened, met, reopened and cancelled by transitions (in
their unit of work), and the sweep's side (``due`` / ``advance``).

Invariant kept by every writer here: ``next_fire_at`` is NULL unless the
deadline is active (open or missed). The sweep selects by that column alone,
through its index, so its cost grows with what is due, not with what is held.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    Table,
    and_,
    bindparam,
    exists,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session

from banso.engine.calendar import DueDate
from banso.engine.deadlines import ACTIVE, CANCELLED, MET, OPEN, STATUSES, Deadline
from banso.engine.errors import InvalidValue, NotFound
from banso.storage.core import run
from banso.storage.db import rowcount
from banso.storage.models import DeadlineRow

# Columns only, not ORM objects: the sweep reads a thousand rows at a time and
# needs no identity map; building entities would be most of its Python cost.
_COLUMNS = (
    DeadlineRow.id,
    DeadlineRow.obligation,
    DeadlineRow.title,
    DeadlineRow.about_kind,
    DeadlineRow.about_id,
    DeadlineRow.org_id,
    DeadlineRow.due_as_written,
    DeadlineRow.due,
    DeadlineRow.explanation,
    DeadlineRow.status,
    DeadlineRow.responsible,
    DeadlineRow.next_step,
    DeadlineRow.next_fire_at,
)
_INACTIVE = (MET, CANCELLED)  # no reminders: next_fire_at must be NULL


def _deadline(row: Row[Any]) -> Deadline:
    return Deadline(*row)


def _about_params(
    about_kind: str | None, about_id: int | None, obligation: str
) -> tuple[tuple[bool, bool], dict[str, Any]]:
    """Which parts are missing (the statement's shape) and the values of the others."""
    params: dict[str, Any] = {"w_obligation": obligation}
    if about_kind is not None:
        params["w_about_kind"] = about_kind
    if about_id is not None:
        params["w_about_id"] = about_id
    return (about_kind is None, about_id is None), params


def _about_bound(no_kind: bool, no_id: bool) -> ColumnElement[bool]:
    # `= NULL` matches nothing in SQL, so a missing part is compared with IS NULL.
    return and_(
        DeadlineRow.about_kind.is_(None) if no_kind else DeadlineRow.about_kind == bindparam(
            "w_about_kind"),
        DeadlineRow.about_id.is_(None) if no_id else DeadlineRow.about_id == bindparam(
            "w_about_id"),
        DeadlineRow.obligation == bindparam("w_obligation"),
    )  # fmt: skip


_TABLE: Table = DeadlineRow.__table__  # type: ignore[assignment]
_OPENED = ("obligation", "title", "about_kind", "about_id", "org_id", "due_as_written", "due",
           "explanation", "status", "responsible", "next_step", "next_fire_at", "created_at",
           "met_at")  # fmt: skip
# What a transition does to its record's deadlines, built once per shape (a
# statement object memoises its cache key: no compilation or key per call).
_STATEMENTS: dict[tuple[Any, ...], Any] = {}


def _statement(name: str, shape: tuple[bool, bool]) -> Any:
    stmt = _STATEMENTS.get((name, shape))
    if stmt is not None:
        return stmt
    about = _about_bound(*shape)
    if name == "exists":
        stmt = select(DeadlineRow.id).where(about).limit(1)
    elif name == "find":
        stmt = select(*_COLUMNS).where(about).order_by(DeadlineRow.id.desc()).limit(1)
    elif name == "open_once":
        # INSERT … SELECT … WHERE NOT EXISTS: the check and the insert in one statement.
        values = select(*(bindparam(c, type_=_TABLE.c[c].type) for c in _OPENED)).where(
            ~exists(select(literal(1)).select_from(_TABLE).where(about))
        )
        stmt = insert(_TABLE).from_select(_OPENED, values).returning(DeadlineRow.id)
    elif name == "meet":
        stmt = (
            update(_TABLE)
            .where(about, DeadlineRow.status.in_(ACTIVE))
            .values(status=MET, met_at=bindparam("met_at"), next_fire_at=None)
        )
    elif name == "cancel":
        stmt = (
            update(_TABLE)
            .where(about, DeadlineRow.status.in_(ACTIVE))
            .values(status=CANCELLED, next_fire_at=None)
        )
    else:
        raise LookupError(name)
    _STATEMENTS[(name, shape)] = stmt
    return stmt


_OPEN = insert(_TABLE).values({c: bindparam(c) for c in _OPENED}).returning(DeadlineRow.id)


def _about(about_kind: str | None, about_id: int | None, obligation: str) -> ColumnElement[bool]:
    # `= NULL` matches nothing in SQL, so a missing part is compared with IS NULL.
    kind = (
        DeadlineRow.about_kind.is_(None)
        if about_kind is None
        else DeadlineRow.about_kind == about_kind
    )
    ident = DeadlineRow.about_id.is_(None) if about_id is None else DeadlineRow.about_id == about_id
    return and_(kind, ident, DeadlineRow.obligation == obligation)


def due_query(now: datetime, limit: int) -> Select[Any]:
    """The sweep's selection (public so that tests and the benchmark can EXPLAIN it)."""
    return (
        select(*_COLUMNS)
        .where(DeadlineRow.next_fire_at <= now)
        .order_by(DeadlineRow.next_fire_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


class SqlDeadlines:
    """Deadlines as transitions and `banso calendar` see them, in the caller's
    unit of work (a deadline opens or closes with the change that caused it);
    with the sweep's ``due``/``advance`` (SqlDeadlineStore) on the same session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _run(self, stmt: Any, params: dict[str, Any]) -> Any:
        # Core on the session's connection: these tables hold no ORM objects.
        return run(self.session, stmt, params)

    def _update(self, criteria: ColumnElement[bool], **values: Any) -> int:
        result = self.session.execute(
            update(DeadlineRow)
            .where(criteria)
            .values(**values)
            # No DeadlineRow objects are held in the session: nothing to synchronise.
            .execution_options(synchronize_session=False)
        )
        return rowcount(result)

    def open(
        self,
        *,
        obligation: str,
        title: str,
        about_kind: str | None,
        about_id: int | None,
        org_id: int | None,
        due: DueDate,
        responsible: str,
        first_step: int = 0,
        first_fire_at: datetime | None,
        now: datetime,
    ) -> int:
        """A new open deadline whose first reminder is ``first_step`` at
        ``first_fire_at`` (None: no reminder will ever fire); returns its id."""
        params = self._opened(
            obligation=obligation, title=title, about_kind=about_kind, about_id=about_id,
            org_id=org_id, due=due, responsible=responsible, first_step=first_step,
            first_fire_at=first_fire_at, now=now,
        )  # fmt: skip
        return int(self._run(_OPEN, params).scalar_one())

    def open_once(
        self,
        *,
        obligation: str,
        title: str,
        about_kind: str | None,
        about_id: int | None,
        org_id: int | None,
        due: DueDate,
        responsible: str,
        first_step: int = 0,
        first_fire_at: datetime | None,
        now: datetime,
    ) -> int | None:
        """``open`` unless this obligation was ever opened for this record (in any
        status): its id, or None."""
        shape, where = _about_params(about_kind, about_id, obligation)
        params = self._opened(
            obligation=obligation, title=title, about_kind=about_kind, about_id=about_id,
            org_id=org_id, due=due, responsible=responsible, first_step=first_step,
            first_fire_at=first_fire_at, now=now,
        )  # fmt: skip
        params.update(where)
        found = self._run(_statement("open_once", shape), params).scalar()
        return None if found is None else int(found)

    @staticmethod
    def _opened(
        *,
        obligation: str,
        title: str,
        about_kind: str | None,
        about_id: int | None,
        org_id: int | None,
        due: DueDate,
        responsible: str,
        first_step: int,
        first_fire_at: datetime | None,
        now: datetime,
    ) -> dict[str, Any]:
        return {
            "obligation": obligation,
            "title": title,
            "about_kind": about_kind,
            "about_id": about_id,
            "org_id": org_id,
            "due_as_written": due.as_written,
            "due": due.effective,
            "explanation": due.explanation,
            "status": OPEN,
            "responsible": responsible,
            "next_step": first_step,
            "next_fire_at": first_fire_at,
            "created_at": now,
            "met_at": None,
        }

    def meet(
        self, about_kind: str | None, about_id: int | None, obligation: str, now: datetime
    ) -> int:
        """The transition fulfilled it: active → met, no more reminders; rows changed."""
        shape, params = _about_params(about_kind, about_id, obligation)
        return rowcount(self._run(_statement("meet", shape), {**params, "met_at": now}))

    def reopen(
        self,
        about_kind: str | None,
        about_id: int | None,
        obligation: str,
        *,
        first_step: int = 0,
        first_fire_at: datetime | None,
    ) -> int:
        """The fulfilment was undone: met → open, reminding from ``first_step``.

        Back to open even when the due date has passed: the caller's first step
        is then an overdue one, and the sweep marks the deadline missed when it
        sends it, exactly as for a deadline that was never met.
        """
        return self._update(
            and_(_about(about_kind, about_id, obligation), DeadlineRow.status == MET),
            status=OPEN,
            met_at=None,
            next_step=first_step,
            next_fire_at=first_fire_at,
        )

    def move(
        self,
        about_kind: str | None,
        about_id: int | None,
        obligation: str,
        due: DueDate,
        *,
        first_step: int = 0,
        first_fire_at: datetime | None,
    ) -> int:
        """An active deadline falls due on another day; reminders start again."""
        return self._update(
            and_(_about(about_kind, about_id, obligation), DeadlineRow.status.in_(ACTIVE)),
            due_as_written=due.as_written,
            due=due.effective,
            explanation=due.explanation,
            status=OPEN,
            next_step=first_step,
            next_fire_at=first_fire_at,
        )

    def cancel(self, about_kind: str | None, about_id: int | None, obligation: str) -> int:
        """The record will never fulfil it: active → cancelled; rows changed."""
        shape, params = _about_params(about_kind, about_id, obligation)
        return rowcount(self._run(_statement("cancel", shape), params))

    def exists(self, about_kind: str | None, about_id: int | None, obligation: str) -> bool:
        """Whether this obligation was ever opened for this record, in any status."""
        shape, params = _about_params(about_kind, about_id, obligation)
        return self._run(_statement("exists", shape), params).first() is not None

    def find(
        self, about_kind: str | None, about_id: int | None, obligation: str
    ) -> Deadline | None:
        """The record's deadline for ``obligation`` (the latest, should there be several)."""
        shape, params = _about_params(about_kind, about_id, obligation)
        row = self._run(_statement("find", shape), params).first()
        return _deadline(row) if row is not None else None

    def owned_by(
        self, owners: Sequence[str], statuses: Sequence[str], due_until: date
    ) -> list[Deadline]:
        """Deadlines one of ``owners`` answers for, due by ``due_until``, by due date."""
        stmt = (
            select(*_COLUMNS)
            .where(
                DeadlineRow.responsible.in_(owners),
                DeadlineRow.status.in_(statuses),
                DeadlineRow.due <= due_until,
            )
            .order_by(DeadlineRow.due, DeadlineRow.id)
        )
        return [_deadline(row) for row in self.session.execute(stmt)]

    def due(self, now: datetime, limit: int) -> list[Deadline]:
        return SqlDeadlineStore(self.session).due(now, limit)

    def advance(self, updates: Sequence[tuple[int, int, datetime | None, str]]) -> None:
        SqlDeadlineStore(self.session).advance(updates)

    def list(self, from_date: date, to_date: date, status: str | None = None) -> list[Deadline]:
        """Deadlines whose effective due date is in [from_date, to_date], by due date."""
        if status is not None and status not in STATUSES:
            raise InvalidValue("deadline status", status, " / ".join(STATUSES))
        stmt = (
            select(*_COLUMNS)
            .where(DeadlineRow.due >= from_date, DeadlineRow.due <= to_date)
            .order_by(DeadlineRow.due, DeadlineRow.id)
        )
        if status is not None:
            stmt = stmt.where(DeadlineRow.status == status)
        return [_deadline(row) for row in self.session.execute(stmt)]

    def get(self, deadline_id: int) -> Deadline:
        row = self.session.execute(select(*_COLUMNS).where(DeadlineRow.id == deadline_id)).first()
        if row is None:
            raise NotFound("deadline", deadline_id, "see `banso calendar`")
        return _deadline(row)


class SqlDeadlineStore:
    """engine.deadlines.DeadlineStore on the sweep's unit of work: the caller
    commits ``due`` + outbox enqueue + ``advance`` together, so the claim
    (row locks on PostgreSQL) lasts exactly as long as the batch."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def due(self, now: datetime, limit: int) -> list[Deadline]:
        """Deadlines whose next step is due, oldest first, locked for this sweep.

        The WHERE is the indexed column alone (ix_deadlines_next_fire_at): only
        active deadlines have a fire time, and a row that broke that rule is
        still handed over so that the sweep can clear it. PostgreSQL skips rows
        another daemon's sweep holds; SQLite is serialised by BEGIN IMMEDIATE.
        """
        return [_deadline(row) for row in self.session.execute(due_query(now, limit))]

    def advance(self, updates: Sequence[tuple[int, int, datetime | None, str]]) -> None:
        """Store each (id, next_step, next_fire_at, status), as one executemany UPDATE."""
        if not updates:
            return
        params = [
            {
                "id": ident,
                "next_step": step,
                # Keep the invariant even if a caller forgets it: a met or
                # cancelled deadline must leave the sweep's index.
                "next_fire_at": None if status in _INACTIVE else fire_at,
                "status": status,
            }
            for ident, step, fire_at, status in updates
        ]
        # ORM "bulk UPDATE by primary key": a list of dicts keyed by the primary
        # key becomes a single executemany `UPDATE … WHERE id = ?`.
        self.session.execute(update(DeadlineRow), params)
