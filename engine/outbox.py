"""The transactional outbox: messages are rows written with the change that
caused them, and delivered later by a sender that claims, sends and marks.

Delivery is at-least-once: a crash between sending and marking leaves the
row claimed; once its lease runs out it is claimed again and re-sent with the
same Message-ID (derived from the idempotency key), so a receiving mail
system can recognise the duplicate.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from banso.engine.workflow import Effect

QUEUED = "queued"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"  # failed at least once, will be retried at next_attempt_at
DEAD = "dead"  # gave up after max_attempts; only an explicit retry requeues it
STATES = (QUEUED, SENDING, SENT, FAILED, DEAD)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "text/calendar; method=REQUEST"
    data: bytes


@dataclass(frozen=True)
class OutgoingMessage:
    """A rendered mail, ready to be queued. ``key`` is unique forever."""

    key: str
    kind: str
    to: tuple[str, ...]
    subject: str
    text: str
    cc: tuple[str, ...] = ()
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    about_kind: str | None = None
    about_id: int | None = None


@dataclass(frozen=True)
class QueuedMessage:
    """A message as the outbox holds it."""

    id: int
    message: OutgoingMessage
    state: str
    attempts: int
    message_id: str
    next_attempt_at: datetime | None
    last_error: str | None = None
    sent_at: datetime | None = None
    created_at: datetime | None = field(default=None)


def message_id_for(key: str, domain: str = "banso.invalid") -> str:
    """A Message-ID that depends only on the idempotency key: a re-send after a
    crash carries the same one."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def retry_delay(
    attempts: int,
    *,
    base: timedelta = timedelta(seconds=30),
    cap: timedelta = timedelta(hours=1),
    rng: random.Random | None = None,
) -> timedelta:
    """Exponential backoff with jitter: about base·2^(attempts-1), never above cap.

    Jitter (50–100 % of the step) keeps several daemons that failed together
    from retrying in lockstep.
    """
    step = min(cap.total_seconds(), base.total_seconds() * 2 ** max(0, attempts - 1))
    r = rng or random
    return timedelta(seconds=step * (0.5 + 0.5 * r.random()))


@dataclass(frozen=True)
class Notify(Effect):
    """A transition tells people: one message per recipient, from ``template``.

    ``to``/``cc`` name roles relative to the record (e.g. "contact",
    "consultant"), which the application resolves; ``invitation`` attaches an
    iCalendar REQUEST or CANCEL for the record's event.
    """

    template: str
    to: tuple[str, ...]
    cc: tuple[str, ...] = ()
    invitation: str | None = None  # "request" | "cancel" | None


class Outbox(Protocol):
    """Where use cases put messages, inside their own unit of work."""

    def enqueue(self, messages: Sequence[OutgoingMessage], now: datetime) -> int:
        """Queue messages whose key is new; returns how many were new."""
        ...


class OutboxStore(Protocol):
    """What the sender needs; each call is its own short transaction."""

    def claim(self, now: datetime, limit: int, lease: timedelta) -> list[QueuedMessage]:
        """Take up to ``limit`` messages due now (queued, failed past their time,
        or sending with an expired lease) and mark them sending until now+lease."""
        ...

    def mark_sent(self, message_id: int, at: datetime) -> None: ...

    def mark_failed(
        self, message_id: int, error: str, at: datetime, retry_at: datetime | None
    ) -> None:
        """Record a failure; ``retry_at`` None means the message is dead."""
        ...
