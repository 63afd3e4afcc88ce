"""Deadlines (obligations): what must happen by when, and who answers for it.

A deadline is opened and met by transitions (the effects below, declared in
workflow definitions), never by hand. Its effective due date comes from the
date as written through the holiday rule, with a one-line explanation. The
reminder steps and the sweep that sends them are in :mod:`engine.reminders`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from banso.engine.workflow import Effect

OPEN = "open"
MET = "met"
MISSED = "missed"  # past due and still not met: overdue notices continue
CANCELLED = "cancelled"
STATUSES = (OPEN, MET, MISSED, CANCELLED)
ACTIVE = (OPEN, MISSED)


@dataclass(frozen=True)
class Deadline:
    """A deadline as stored."""

    id: int
    obligation: str  # what must happen, e.g. "monthly_report", "hearing"
    title: str  # for people, Japanese, e.g. 月次業務報告書（令和8年4月分）の提出
    about_kind: str | None  # the record it is about (None: the programme)
    about_id: int | None
    org_id: int | None  # the party the deadline concerns (for who may see it)
    due_as_written: date
    due: date  # effective, after the holiday rule and the contract-end clamp
    explanation: str
    status: str
    responsible: str  # e-mail of the person who answers for it
    next_step: int  # index of the next reminder step (engine.reminders)
    next_fire_at: datetime | None  # when that step fires; None once met/cancelled


# -- effects that workflow transitions declare --------------------------------


@dataclass(frozen=True)
class OpenDeadline(Effect):
    """Open ``obligation`` due ``business_days`` after ``base``.

    ``base`` is "now" (the transition's time) or the name of a datetime field
    of the record (e.g. a dispatch's "at"). ``responsible`` names a field
    holding a person id (e.g. "consultant_id"); None leaves it to the default owner
    the application gives deadlines.
    """

    obligation: str
    title: str
    business_days: int
    base: str = "now"
    responsible: str | None = None


@dataclass(frozen=True)
class MeetDeadline(Effect):
    """The transition fulfils the record's open ``obligation``."""

    obligation: str


@dataclass(frozen=True)
class ReopenDeadline(Effect):
    """The fulfilment was undone (a deliverable sent back): open it again."""

    obligation: str


@dataclass(frozen=True)
class CancelDeadline(Effect):
    """The record will never fulfil ``obligation`` (withdrawn, cancelled)."""

    obligation: str


class DeadlineStore(Protocol):
    """What the sweep needs of storage; one call per batch, in one transaction."""

    def due(self, now: datetime, limit: int) -> list[Deadline]:
        """Active deadlines whose next step is due (``next_fire_at <= now``),
        oldest first, claimed so that another daemon skips them."""
        ...

    def advance(self, updates: list[tuple[int, int, datetime | None, str]]) -> None:
        """For each (id, next_step, next_fire_at, status): store it."""
        ...
