"""The tables, as SQLAlchemy 2 typed models.

Every schema change is an Alembic migration in ``storage/migrations``; a test
proves these models and the migrations agree.
"""

# No `from __future__ import annotations` here: SQLAlchemy would evaluate every
# `Mapped[...]` string again (de_stringify_annotation), a good part of the
# mapping's cost in every command; there are no forward references to quote.
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Connection,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    func,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as UTC and read back aware, on every backend.

    SQLite keeps no offset, so without this a value would come back naive.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class WorkflowRecord:
    """Columns every workflow record has; the transition runner writes these."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Organisation(Base):
    """The prefecture, its departments and the municipalities it supports."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))


class Person(Base):
    """Someone Banso knows: prefecture staff, the lead, consultants, municipal contacts."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(16), index=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    fields: Mapped[list[str] | None] = mapped_column(JSON)
    subcontractor_id: Mapped[int | None] = mapped_column(
        ForeignKey("subcontractors.id", name="fk_people_subcontractor_id")
    )
    active: Mapped[bool] = mapped_column(default=True)
    track_record: Mapped[str | None] = mapped_column(Text)
    company: Mapped[str | None] = mapped_column(String(200))
    dept: Mapped[str | None] = mapped_column(String(200))  # 部署, in the address line
    title: Mapped[str | None] = mapped_column(String(100))  # 役職
    phone: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]


# Codes and addresses that differ only in case are the same organisation, the same
# person (mail is case-blind): unique as the database compares them, even in a race.
Index("uq_organisations_code_folded", func.lower(Organisation.code), unique=True)
Index("uq_people_email_folded", func.lower(Person.email), unique=True)


class AuditEventRow(Base):
    """One link of the audit hash chain; ``seq`` is the position in the chain."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_record", "kind", "record_id", "seq"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(254))
    kind: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[int]
    trigger: Mapped[str] = mapped_column(String(64))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    version: Mapped[int]
    payload: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The single row naming the chain's last event.

    Appending locks this row, which orders concurrent writers on PostgreSQL
    (SQLite's write lock does it there) and lets verification notice events
    deleted from the end.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))


# SQLite: the head follows each appended event inside the INSERT itself (one
# statement per event rather than an INSERT and an UPDATE; the write lock that
# BEGIN IMMEDIATE took orders appenders). PostgreSQL moves it in the same round
# trip by a data-modifying WITH (storage.uow), under the head row's lock.
# Migration 0012_speed creates the same trigger.
AUDIT_HEAD_FOLLOWS = (
    "CREATE TRIGGER audit_head_follows AFTER INSERT ON audit_events "
    "BEGIN UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1; END"
)


@event.listens_for(AuditEventRow.__table__, "after_create")
def _audit_head_follows(_table: object, connection: Connection, **_kw: object) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(AUDIT_HEAD_FOLLOWS)


# -- the programme (issue: workflows) -------------------------------------


class Theme(Base):
    """A support theme (master data); sub-themes point at their parent."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    standardization: Mapped[bool] = mapped_column(default=False)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"))


class Subcontractor(Base):
    """A company the contractor subcontracts to; its consultants work only once
    the prefecture's written approval is recorded (spec §10)."""

    __tablename__ = "subcontractors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    scope: Mapped[str | None] = mapped_column(Text)
    approved_at: Mapped[datetime | None]
    approved_by: Mapped[str | None] = mapped_column(String(254))
    approval_ref: Mapped[str | None] = mapped_column(String(200))


class Assignment(Base):
    """The consultant who consistently serves an organisation on a theme (§6(2)③)."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("org_id", "theme_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"))
    consultant_id: Mapped[int] = mapped_column(ForeignKey("people.id"))


class ProgrammeSetting(Base):
    """The programme's adjustable numbers and dates (quotas, contract dates).

    Planning a dispatch locks the ``quota`` row, so that two planners racing
    for the last slot are ordered on PostgreSQL as SQLite's write lock orders them.
    """

    __tablename__ = "programme_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]]


class Engagement(WorkflowRecord, Base):
    """Support for one organisation on one theme: hearing → plan → dispatches → outcome."""

    __tablename__ = "engagements"
    __table_args__ = (
        Index("ix_engagements_org_theme", "org_id", "theme_id"),
        # One open engagement per organisation × theme, also when commands race.
        Index(
            "uq_engagements_open_org_theme",
            "org_id",
            "theme_id",
            unique=True,
            # PostgreSQL has the same predicate, stated in migration 0007 only: a
            # postgresql_where= here makes SQLAlchemy import its PostgreSQL dialect
            # and every driver (asyncpg → asyncio) to check the keyword, in every
            # command on SQLite (~0.1× of start-up). The schema is made by the
            # migrations, never by create_all.
            sqlite_where=text("state NOT IN ('withdrawn', 'reported')"),
        ),
    )

    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"))
    consultant_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    # The expert agreement with the prefecture (§6(2)①): proposed, then agreed.
    proposed_consultant_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    agreed_consultant_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    request: Mapped[str | None] = mapped_column(Text)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_dept: Mapped[str | None] = mapped_column(String(200))  # the survey's 担当部署
    preferred_months: Mapped[list[str] | None] = mapped_column(JSON)
    # The preferred period's first and last month ("YYYY-MM"): the hearing is due by
    # the first one's start.
    preferred_from: Mapped[str | None] = mapped_column(String(7))
    preferred_to: Mapped[str | None] = mapped_column(String(7))
    hearing_at: Mapped[datetime | None]
    hearing_invite: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # url, end, purpose …
    findings: Mapped[str | None] = mapped_column(Text)
    goals: Mapped[str | None] = mapped_column(Text)
    planned_dispatches: Mapped[int | None]
    outcome: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)


class Dispatch(WorkflowRecord, Base):
    """One visit or web meeting of a consultant for an engagement."""

    __tablename__ = "dispatches"
    __table_args__ = (
        Index("ix_dispatches_engagement_month", "engagement_id", "month"),
        Index("ix_dispatches_fiscal_year", "fiscal_year", "state"),
    )

    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id"))
    consultant_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    at: Mapped[datetime]
    mode: Mapped[str] = mapped_column(String(8))
    month: Mapped[str] = mapped_column(String(7))
    fiscal_year: Mapped[int]
    standardization: Mapped[bool] = mapped_column(default=False)
    summary: Mapped[str | None] = mapped_column(Text)
    hours: Mapped[float | None]
    reason: Mapped[str | None] = mapped_column(Text)
    reason_code: Mapped[str | None] = mapped_column(String(16))  # the wording sent outside
    invite: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # url, place, end, purpose …


class Consultation(WorkflowRecord, Base):
    """A question to the consultation desk, received first by the prefecture."""

    __tablename__ = "consultations"

    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    topic: Mapped[str] = mapped_column(Text)
    channel: Mapped[str | None] = mapped_column(String(8))
    consultant_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    answer_channel: Mapped[str | None] = mapped_column(String(8))
    summary: Mapped[str | None] = mapped_column(Text)
    fiscal_year: Mapped[int]
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))


class Deliverable(WorkflowRecord, Base):
    """One of the six kinds of deliverable (spec §9)."""

    __tablename__ = "deliverables"
    __table_args__ = (Index("ix_deliverables_kind_period", "kind", "period"),)

    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    period: Mapped[str | None] = mapped_column(String(16))
    roster_version: Mapped[int | None]
    engagement_id: Mapped[int | None] = mapped_column(ForeignKey("engagements.id"))
    # A support plan's organisation (one document per organisation: engagement_id None).
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    reason: Mapped[str | None] = mapped_column(Text)


class Meeting(WorkflowRecord, Base):
    """Kickoff, the monthly regular meeting, a hearing, or the report meeting."""

    __tablename__ = "meetings"
    __table_args__ = (
        Index("ix_meetings_kind_month", "kind", "month"),
        # Spec §8(3): one monthly regular meeting a month, also when commands race.
        Index(
            "uq_meetings_monthly_month",
            "month",
            unique=True,
            sqlite_where=text("kind = 'monthly' AND state <> 'cancelled'"),  # PostgreSQL: 0007
        ),
    )

    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]
    month: Mapped[str] = mapped_column(String(7))
    engagement_id: Mapped[int | None] = mapped_column(ForeignKey("engagements.id"))
    place: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    minutes: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    reason_code: Mapped[str | None] = mapped_column(String(16))
    invite: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class WorkEntry(WorkflowRecord, Base):
    """Research and materials work between visits (spec §6(2)③): hours, never a dispatch."""

    __tablename__ = "work_entries"
    __table_args__ = (Index("ix_work_entries_engagement_month", "engagement_id", "month"),)

    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id"))
    consultant_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    day: Mapped[date]
    month: Mapped[str] = mapped_column(String(7))
    hours: Mapped[float]
    summary: Mapped[str] = mapped_column(Text)


RECORD_CLASSES: dict[str, type[WorkflowRecord]] = {
    "engagement": Engagement,
    "dispatch": Dispatch,
    "consultation": Consultation,
    "deliverable": Deliverable,
    "meeting": Meeting,
    "work": WorkEntry,
}


class DeliverableFileRow(Base):
    """One generated file of one version of a deliverable (never overwritten)."""

    __tablename__ = "deliverable_files"
    __table_args__ = (
        UniqueConstraint("deliverable_id", "version", "format"),
        Index("ix_deliverable_files_deliverable_version", "deliverable_id", "version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deliverable_id: Mapped[int] = mapped_column(
        ForeignKey("deliverables.id", name="fk_deliverable_files_deliverable_id")
    )
    version: Mapped[int]
    format: Mapped[str] = mapped_column(String(8))
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    location: Mapped[str] = mapped_column(String(1000))
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]


# -- notifications and deadlines ---------------------------------------------


class OutboxRow(Base):
    """A message written in the same transaction as the change that caused it.

    ``next_attempt_at`` is NULL once a message is sent or dead, so the sender's
    index holds only what is still to do. ``addressee``: the one address an event
    mail (key ``event:<seq>:<address>``) is written to, NULL for other mail; indexed,
    so "was this address ever written to" is one index probe, not a scan of the keys.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(48))
    state: Mapped[str] = mapped_column(String(8), index=True)
    to: Mapped[list[str]] = mapped_column(JSON)
    cc: Mapped[list[str]] = mapped_column(JSON)
    subject: Mapped[str] = mapped_column(Text)
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    attachments: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    about_kind: Mapped[str | None] = mapped_column(String(32))
    about_id: Mapped[int | None]
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(100))
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    addressee: Mapped[str | None] = mapped_column(String(200), index=True)


class DeadlineRow(Base):
    """An obligation with its due date, status and next reminder step.

    ``next_fire_at`` is NULL once met or cancelled: the sweep's index holds
    only active deadlines, so its cost grows with the work due, not the data.
    """

    __tablename__ = "deadlines"
    __table_args__ = (Index("ix_deadlines_about", "about_kind", "about_id", "obligation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    obligation: Mapped[str] = mapped_column(String(48))
    title: Mapped[str] = mapped_column(String(300))
    about_kind: Mapped[str | None] = mapped_column(String(32))
    about_id: Mapped[int | None]
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    due_as_written: Mapped[date]
    due: Mapped[date] = mapped_column(index=True)
    explanation: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))
    responsible: Mapped[str] = mapped_column(String(254))
    next_step: Mapped[int] = mapped_column(default=0)
    next_fire_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime]
    met_at: Mapped[datetime | None]


class LoginBinding(Base):
    """An authenticated account bound to the person it acts as: an operating-system
    account (identity mode ``os``) or a database role (``database``)."""

    __tablename__ = "logins"

    login: Mapped[str] = mapped_column(String(128), primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", name="fk_logins_person_id"), index=True
    )
