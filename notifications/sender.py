"""The outbox sender: claims a batch, sends it over one connection, marks each.

Attempts: ``QueuedMessage.attempts`` counts the failed attempts so far, and
``OutboxStore.mark_failed`` adds one (as ``storage.outbox.SqlOutboxStore``
does); a claim does not count. So the attempt being made now is number
``attempts + 1``: it sets the backoff (``retry_delay``), and once it reaches
``max_attempts`` the message is dead.

Delivery is at-least-once: a crash between sending and marking leaves the
message ``sending`` until its lease runs out; it is then sent again with the
same Message-ID.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from banso.engine.errors import InvalidValue
from banso.engine.lazylog import get_logger
from banso.engine.outbox import DEAD, OutboxStore, QueuedMessage, retry_delay
from banso.notifications.mime import build
from banso.notifications.transport import DeliveryError, Transport

log = get_logger()


@dataclass
class DeliveryReport:
    """What one pass did. ``dead`` holds the messages given up on in this pass
    (state dead, attempts and last error as stored), so the lead can be told once."""

    sent: int = 0
    retried: int = 0
    dead: list[QueuedMessage] = field(default_factory=list)


# How soon a pass that found the server unreachable tries again.
SERVER_DOWN_RETRY = timedelta(minutes=5)


class _Pass:
    """One delivery pass: the store, the clock reading and the counts."""

    def __init__(
        self,
        store: OutboxStore,
        *,
        now: datetime,
        max_attempts: int,
        rng: random.Random | None,
    ) -> None:
        self.store = store
        self.now = now
        self.max_attempts = max_attempts
        self.rng = rng
        self.report = DeliveryReport()

    def sent(self, q: QueuedMessage) -> None:
        self.store.mark_sent(q.id, self.now)
        self.report.sent += 1
        log.info(
            "mail.sent",
            id=q.id,
            kind=q.message.kind,
            message_id=q.message_id,
            to=list(q.message.to),
            cc=len(q.message.cc),
            attempt=q.attempts + 1,
        )

    def failed(
        self, q: QueuedMessage, error: str, *, permanent: bool, server_down: bool = False
    ) -> None:
        attempt = q.attempts + 1
        # A server that cannot be reached is not the message's fault: it is
        # retried every few minutes however long the outage, never given up on.
        if permanent or (attempt >= self.max_attempts and not server_down):
            self.store.mark_failed(q.id, error, self.now, None)
            self.report.dead.append(
                replace(q, state=DEAD, attempts=attempt, last_error=error, next_attempt_at=None)
            )
            log.warning(
                "mail.dead",
                id=q.id,
                kind=q.message.kind,
                message_id=q.message_id,
                attempts=attempt,
                permanent=permanent,
                error=error,
            )
            return
        if server_down:
            # One time for the whole backlog, no jitter: when the server is back
            # the messages go out together, in the order they came due.
            retry_at = self.now + SERVER_DOWN_RETRY
        else:
            retry_at = self.now + retry_delay(attempt, rng=self.rng)
        self.store.mark_failed(q.id, error, self.now, retry_at)
        self.report.retried += 1
        log.info(
            "mail.retry",
            id=q.id,
            kind=q.message.kind,
            message_id=q.message_id,
            attempts=attempt,
            retry_at=retry_at.isoformat(),
            error=error,
        )


def deliver(
    store: OutboxStore,
    transport_factory: Callable[[], Transport],
    *,
    now: datetime,
    sender: str,
    display_name: str = "",
    message_id_domain: str | None = None,
    limit: int = 200,
    lease: timedelta = timedelta(minutes=5),
    max_attempts: int = 8,
    rng: random.Random | None = None,
) -> DeliveryReport:
    """Send what is due at ``now``: one claimed batch over one connection.

    A temporary failure is retried after ``retry_delay``; a permanent one (5xx)
    or the ``max_attempts``-th failure makes the message dead. If no connection
    can be opened, every claimed message is marked failed, none is lost; if the
    connection drops mid-batch, that message fails and a new connection is
    opened for the rest.
    """
    if max_attempts < 1:
        raise InvalidValue("mail max_attempts", max_attempts, "1 or more")
    # Built before claiming: a malformed mail URL is an error for the operator,
    # raised here while no message is held.
    transport: Transport | None = transport_factory()
    batch = store.claim(now, limit, lease)
    run = _Pass(store, now=now, max_attempts=max_attempts, rng=rng)
    if not batch:
        return run.report
    log.info("mail.batch", claimed=len(batch))
    connection: Transport | None = None  # the entered transport, None while not connected
    try:
        for index, q in enumerate(batch):
            if connection is None:
                try:
                    candidate = transport or transport_factory()
                    transport = None  # a transport is entered once; a reconnect builds anew
                    connection = candidate.__enter__()
                except DeliveryError as exc:
                    log.warning("mail.connect_failed", error=str(exc), pending=len(batch) - index)
                    for rest in batch[index:]:
                        run.failed(rest, str(exc), permanent=False, server_down=True)
                    break
            try:
                msg = build(
                    q,
                    sender=sender,
                    date=now,
                    display_name=display_name,
                    message_id_domain=message_id_domain,
                )
            except InvalidValue as exc:
                # A stored message with a bad header value can never be sent.
                run.failed(q, str(exc), permanent=True)
                continue
            try:
                connection.send(msg)
            except DeliveryError as exc:
                run.failed(q, str(exc), permanent=exc.permanent)
                if exc.connection_lost:
                    connection.__exit__(None, None, None)
                    connection = None
                continue
            except Exception as exc:
                # A bug must not hold up the rest of the batch; the message is
                # retried and, if it keeps failing, ends dead and the lead hears of it.
                log.exception("mail.error", id=q.id, kind=q.message.kind)
                run.failed(q, f"{type(exc).__name__}: {exc}", permanent=False)
                continue
            run.sent(q)
    finally:
        if connection is not None:
            connection.__exit__(None, None, None)
    log.info(
        "mail.batch_done",
        sent=run.report.sent,
        retried=run.report.retried,
        dead=len(run.report.dead),
    )
    return run.report
