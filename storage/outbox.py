"""The outbox in SQL: queueing inside the caller's transaction, and the
sender's claim / mark cycle, each step its own short transaction.

Claiming is safe with several senders: on PostgreSQL the claim locks its rows
with ``FOR UPDATE SKIP LOCKED`` (a second sender takes the next ones instead of
waiting); on SQLite every writer already holds the database's write lock from
``BEGIN IMMEDIATE`` (storage.db), so claims are serialised anyway.

A claim moves a row to ``sending`` with ``next_attempt_at`` = now + lease. If
the sender dies between sending and marking, the lease runs out and the row is
claimed again: the message may be sent twice, always with the same Message-ID.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    Column,
    Engine,
    Insert,
    Table,
    TextClause,
    bindparam,
    func,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from banso.engine.errors import InvalidValue, NotFound
from banso.engine.outbox import (
    DEAD,
    FAILED,
    QUEUED,
    SENDING,
    SENT,
    STATES,
    Attachment,
    OutgoingMessage,
    QueuedMessage,
    message_id_for,
)
from banso.engine.phrase import Phrase
from banso.storage.core import run
from banso.storage.db import READONLY, rowcount
from banso.storage.models import OutboxRow

OUTBOX = cast(Table, OutboxRow.__table__)

# `sending` is claimable too: its next_attempt_at is the end of the lease, so
# only a message whose sender vanished (crash between send and mark) matches.
CLAIMABLE = (QUEUED, FAILED, SENDING)
RETRYABLE = (DEAD, FAILED, QUEUED)
MAX_ERROR = 1000  # characters of last_error kept: enough to diagnose, bounded in size


def insert_new(session: Session, table: Table, key: Column[Any]) -> Insert:
    """INSERT … ON CONFLICT (key) DO NOTHING, built by the session's dialect
    (the generic ``insert`` has no ON CONFLICT)."""
    name = session.get_bind().dialect.name
    # The dialect's module is loaded here, not at import: PostgreSQL's pulls in
    # asyncio and every driver's dialect, a cost a SQLite command should not pay.
    if name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table).on_conflict_do_nothing(index_elements=[key])
    if name == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(table).on_conflict_do_nothing(index_elements=[key])
    raise NotImplementedError(f"no ON CONFLICT support for {name}")


def encode_attachments(attachments: Sequence[Attachment]) -> list[dict[str, str]]:
    return [
        {
            "filename": a.filename,
            "content_type": a.content_type,
            "data": base64.b64encode(a.data).decode("ascii"),
        }
        for a in attachments
    ]


def decode_attachments(stored: Sequence[Mapping[str, str]]) -> tuple[Attachment, ...]:
    return tuple(
        Attachment(
            filename=a["filename"],
            content_type=a["content_type"],
            data=base64.b64decode(a["data"]),
        )
        for a in stored
    )


def to_queued(row: OutboxRow) -> QueuedMessage:
    return QueuedMessage(
        id=row.id,
        message=OutgoingMessage(
            key=row.key,
            kind=row.kind,
            to=tuple(row.to),
            cc=tuple(row.cc),
            subject=row.subject,
            text=row.text_body,
            html=row.html_body,
            attachments=decode_attachments(row.attachments),
            about_kind=row.about_kind,
            about_id=row.about_id,
        ),
        state=row.state,
        attempts=row.attempts,
        message_id=row.message_id,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        sent_at=row.sent_at,
        created_at=row.created_at,
    )


class SqlOutbox:
    """engine.outbox.Outbox: queues messages in the caller's unit of work, so a
    message commits with the change that caused it, or not at all."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def enqueue(self, messages: Sequence[OutgoingMessage], now: datetime) -> int:
        """Queue the messages whose key is new; returns how many were new.

        A known key is skipped by ``ON CONFLICT (key) DO NOTHING`` rather than
        caught as an IntegrityError: a failed INSERT would abort the caller's
        whole PostgreSQL transaction.
        """
        if not messages:
            return 0
        params = [
            {
                "key": m.key,
                "kind": m.kind,
                "state": QUEUED,
                "to": list(m.to),
                "cc": list(m.cc),
                "subject": m.subject,
                "text_body": m.text,
                "html_body": m.html,
                "attachments": encode_attachments(m.attachments),
                "about_kind": m.about_kind,
                "about_id": m.about_id,
                "attempts": 0,
                "next_attempt_at": now,
                "last_error": None,
                "message_id": message_id_for(m.key),
                "sent_at": None,
                "created_at": now,
                "addressee": event_addressee(m.key),
            }
            for m in messages
        ]
        # Core, on the Table: one DB-API executemany of a short statement
        # (psycopg pipelines it, sqlite3 loops in C), whose summed rowcount is
        # the number of rows inserted on both drivers. The ORM's bulk INSERT
        # would not report it, and RETURNING makes SQLAlchemy build one huge
        # multi-VALUES statement, which psycopg spends ~0.15 s parsing per 1,000 rows.
        # SQLAlchemy keeps the rowcount of an INSERT only when asked to.
        return rowcount(run(self.session, _ENQUEUE, params))

    def written_to(self, address: str) -> bool:
        """Whether an event mail to ``address`` is queued already (sent or not)."""
        return run(self.session, _WRITTEN_TO, {"address": address}).first() is not None

    def queued_keys(self, prefix: str, suffix: str = "") -> set[str]:
        """Keys already queued that start with ``prefix`` and end with ``suffix``."""
        pattern = f"{_escape_like(prefix)}%{_escape_like(suffix)}"
        # LIKE narrows the rows with the index; SQLite's LIKE ignores ASCII case,
        # so the exact test is made here.
        rows = run(self.session, _KEYS_LIKE, {"pattern": pattern}).scalars()
        return {k for k in rows if k.startswith(prefix) and k.endswith(suffix)}


def _enqueue_statement() -> TextClause:
    """INSERT … ON CONFLICT (key) DO NOTHING as text with typed parameters: the same
    SQL on SQLite and PostgreSQL, and, unlike the dialects' ``insert`` constructs
    (which have no cache key), compiled once rather than on every transition."""
    columns = [c for c in OUTBOX.c if c.name != "id"]
    names = ", ".join(f'"{c.name}"' for c in columns)
    values = ", ".join(f":{c.name}" for c in columns)
    return (
        text(f'INSERT INTO outbox ({names}) VALUES ({values}) ON CONFLICT ("key") DO NOTHING')
        .bindparams(*(bindparam(c.name, type_=c.type) for c in columns))
        .execution_options(preserve_rowcount=True)
    )


_ENQUEUE = _enqueue_statement()
_WRITTEN_TO = select(OUTBOX.c.id).where(OUTBOX.c.addressee == bindparam("address")).limit(1)
_KEYS_LIKE = select(OUTBOX.c.key).where(OUTBOX.c.key.like(bindparam("pattern"), escape="\\"))


def event_addressee(key: str) -> str | None:
    """The address of an event mail's key ``event:<seq>:<address>`` (services.effects),
    None for any other key. The sequence number has no colon, so the rest is the address."""
    parts = key.split(":", 2)
    return parts[2] if len(parts) == 3 and parts[0] == "event" and parts[1].isdigit() else None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class SqlOutboxStore:
    """engine.outbox.OutboxStore for the sender and `banso outbox`; every call
    is its own short transaction on ``engine``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # Listings never take SQLite's write lock, so they do not wait for a sweep.
        self.reader = engine.execution_options(**READONLY)

    def _session(self, *, readonly: bool = False) -> Session:
        return Session(self.reader if readonly else self.engine, expire_on_commit=False)

    def claim(self, now: datetime, limit: int, lease: timedelta) -> list[QueuedMessage]:
        until = now + lease
        with self._session() as session, session.begin():
            rows = list(
                session.scalars(
                    select(OutboxRow)
                    .where(OutboxRow.next_attempt_at <= now, OutboxRow.state.in_(CLAIMABLE))
                    # Oldest due first; equal times (a backlog held back by a
                    # server that was down) in the order they were queued.
                    .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
                    .limit(limit)
                    # PostgreSQL: rows another sender holds are skipped, not
                    # waited for. SQLite renders nothing here (BEGIN IMMEDIATE
                    # has already serialised us).
                    .with_for_update(skip_locked=True)
                )
            )
            if not rows:
                return []
            session.execute(
                update(OutboxRow)
                .where(OutboxRow.id.in_([row.id for row in rows]))
                .values(state=SENDING, next_attempt_at=until)
                .execution_options(synchronize_session=False)
            )
            return [replace(to_queued(row), state=SENDING, next_attempt_at=until) for row in rows]

    def mark_sent(self, message_id: int, at: datetime) -> None:
        with self._session() as session, session.begin():
            result = session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == message_id)
                .values(state=SENT, sent_at=at, next_attempt_at=None)
                .execution_options(synchronize_session=False)
            )
            if not rowcount(result):
                raise NotFound("outbox message", message_id)

    def mark_failed(
        self, message_id: int, error: str, at: datetime, retry_at: datetime | None
    ) -> None:
        """Count a failed attempt: ``failed`` until ``retry_at``, or ``dead`` if None.

        ``at`` is accepted for the protocol and logs; the row keeps no failure time.
        A message another sender has meanwhile marked sent stays sent.
        """
        state = DEAD if retry_at is None else FAILED
        if len(error) > MAX_ERROR:
            error = error[: MAX_ERROR - 1] + "…"
        with self._session() as session, session.begin():
            result = session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == message_id, OutboxRow.state != SENT)
                .values(
                    state=state,
                    attempts=OutboxRow.attempts + 1,
                    last_error=error,
                    next_attempt_at=retry_at,
                )
                .execution_options(synchronize_session=False)
            )
            if not rowcount(result) and session.get(OutboxRow, message_id) is None:
                raise NotFound("outbox message", message_id)

    def list(self, state: str | None = None, limit: int = 100) -> list[QueuedMessage]:
        """Messages, newest first, optionally of one state."""
        if state is not None and state not in STATES:
            raise InvalidValue("outbox state", state, " / ".join(STATES))
        stmt = select(OutboxRow).order_by(OutboxRow.id.desc()).limit(limit)
        if state is not None:
            stmt = stmt.where(OutboxRow.state == state)
        with self._session(readonly=True) as session:
            return [to_queued(row) for row in session.scalars(stmt)]

    def get(self, message_id: int) -> QueuedMessage:
        with self._session(readonly=True) as session:
            row = session.get(OutboxRow, message_id)
            if row is None:
                raise NotFound("outbox message", message_id, "see `banso outbox list`")
            return to_queued(row)

    def retry(self, message_id: int, now: datetime) -> QueuedMessage:
        """Queue a dead or failed message again, due now, with a fresh attempt budget.

        A sent message is refused (it would go out twice); so is one being sent
        right now (its sender may still mark it; it is retried by itself if not).
        """
        with self._session() as session, session.begin():
            row = session.scalars(
                select(OutboxRow).where(OutboxRow.id == message_id).with_for_update()
            ).first()
            if row is None:
                raise NotFound("outbox message", message_id, "see `banso outbox list`")
            if row.state not in RETRYABLE:
                raise InvalidValue(
                    Phrase("outbox message {id}", id=message_id),
                    row.state,
                    "a dead or failed message",
                )
            row.state = QUEUED
            row.attempts = 0
            row.next_attempt_at = now
            queued = to_queued(row)
        return queued

    def counts(self) -> dict[str, int]:
        """How many messages are in each state (every state listed, 0 included)."""
        with self._session(readonly=True) as session:
            found = session.execute(
                select(OutboxRow.state, func.count()).group_by(OutboxRow.state)
            ).all()
        counts = dict.fromkeys(STATES, 0)
        counts.update({state: int(n) for state, n in found})
        return counts
