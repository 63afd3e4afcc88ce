"""How fast the outbox sender delivers: ``python -m bench.bench_send``.

Starts aiosmtpd on 127.0.0.1, queues 1,000 rendered reminders in an in-memory
outbox, delivers them in one batch over one reused connection and prints mails
per second (target: 200/s or more). Also prints how long rendering one
reminder takes, the cost a daemon sweep pays per deadline.

The server runs in a process of its own (SmtpProcess), as a mail server does:
in this process its thread would contend for the GIL with the sender (the
in-process SmtpServer stays for whoever wants to look at the messages). Log
lines below warning are dropped, as printing them would measure the terminal.
"""

from __future__ import annotations

import logging
import random
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import structlog
from aiosmtpd.controller import Controller

from banso.engine.outbox import (
    DEAD,
    FAILED,
    QUEUED,
    SENDING,
    SENT,
    OutgoingMessage,
    QueuedMessage,
    message_id_for,
)
from banso.notifications.render import MailRenderer
from banso.notifications.sender import deliver
from banso.notifications.transport import Transport, open_transport
from bench.common import Row, peak_mb, row

NOW = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo
LEAD = "yamada@contractor.example.jp"
CONTACT = "tanaka@city.kurashiki.example.jp"
EHLO_NAME = "banso-bench"  # saves a reverse DNS look-up (socket.getfqdn) per connection

MESSAGES = 1000


# -- an in-memory outbox ---------------------------------------------------------------


class MemoryOutbox:
    """engine.outbox.OutboxStore in memory, with SqlOutboxStore's rules: claim
    takes due queued / failed / lease-expired sending rows and leases them;
    mark_failed counts the attempt. Nothing but the sender and the SMTP
    conversation is measured."""

    def __init__(self) -> None:
        self.rows: dict[int, QueuedMessage] = {}

    def enqueue(self, messages: Sequence[OutgoingMessage], now: datetime) -> int:
        known = {q.message.key for q in self.rows.values()}
        added = 0
        for m in messages:
            if m.key in known:
                continue
            row_id = len(self.rows) + 1
            self.rows[row_id] = QueuedMessage(
                id=row_id,
                message=m,
                state=QUEUED,
                attempts=0,
                message_id=message_id_for(m.key),
                next_attempt_at=now,
                created_at=now,
            )
            known.add(m.key)
            added += 1
        return added

    def claim(self, now: datetime, limit: int, lease: timedelta) -> list[QueuedMessage]:
        due = sorted(
            (
                q
                for q in self.rows.values()
                if q.state in (QUEUED, FAILED, SENDING)
                and q.next_attempt_at is not None
                and q.next_attempt_at <= now
            ),
            key=lambda q: (q.next_attempt_at or now, q.id),
        )[:limit]
        claimed = [replace(q, state=SENDING, next_attempt_at=now + lease) for q in due]
        for q in claimed:
            self.rows[q.id] = q
        return claimed

    def mark_sent(self, message_id: int, at: datetime) -> None:
        q = self.rows[message_id]
        self.rows[message_id] = replace(q, state=SENT, sent_at=at, next_attempt_at=None)

    def mark_failed(
        self, message_id: int, error: str, at: datetime, retry_at: datetime | None
    ) -> None:
        q = self.rows[message_id]
        if q.state == SENT:
            return
        self.rows[message_id] = replace(
            q,
            state=DEAD if retry_at is None else FAILED,
            attempts=q.attempts + 1,
            last_error=error,
            next_attempt_at=retry_at,
        )


# -- an SMTP server on loopback ------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    peer: Any  # (host, port) of the client connection: one per connection
    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes


class KeepingHandler:
    """An aiosmtpd handler that accepts every recipient and keeps every message."""

    def __init__(self) -> None:
        self.received: list[Received] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(
            Received(
                peer=session.peer,
                mail_from=envelope.mail_from,
                rcpt_tos=tuple(envelope.rcpt_tos),
                content=bytes(envelope.original_content or envelope.content),
            )
        )
        return "250 2.0.0 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpServer:
    """aiosmtpd on 127.0.0.1, in a thread of this process."""

    def __init__(self) -> None:
        self.port = free_port()
        self.handler = KeepingHandler()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, server_hostname=EHLO_NAME
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def transport(self) -> Transport:
        return open_transport(
            f"smtp://127.0.0.1:{self.port}",
            user=None,
            password=None,
            timeout=5,
            local_hostname=EHLO_NAME,
        )


class SmtpProcess:
    """aiosmtpd in a process of its own, as a real mail server is: in this process
    its thread would share the GIL with the sender, and every SMTP round trip
    (MAIL, RCPT, DATA, the body) would wait for a thread switch. It counts what it
    receives, and the connections, and says so when its stdin closes."""

    SCRIPT = """
import sys, threading
from aiosmtpd.controller import Controller
class Counting:
    def __init__(self):
        self.messages, self.peers = 0, set()
    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        self.peers.add(session.peer)
        return "250 2.0.0 OK"
handler = Counting()
controller = Controller(handler, hostname="127.0.0.1", port=int(sys.argv[1]),
                        server_hostname=sys.argv[2])
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
print(handler.messages, len(handler.peers), flush=True)
"""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen[str] | None = None
        self.messages = self.connections = 0

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", self.SCRIPT, str(self.port), EHLO_NAME],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        if self.proc.stdout.readline().strip() != "ready":
            raise RuntimeError("the SMTP server did not start")

    def stop(self) -> None:
        if self.proc is None:
            return
        out, _ = self.proc.communicate("", timeout=30)
        self.messages, self.connections = (int(x) for x in out.split())
        self.proc = None

    def transport(self) -> Transport:
        return open_transport(
            f"smtp://127.0.0.1:{self.port}",
            user=None,
            password=None,
            timeout=5,
            local_hostname=EHLO_NAME,
        )


# -- the message -----------------------------------------------------------------------------

RENDERER = MailRenderer()


CONTEXT: dict[str, Any] = {
    "recipient": {
        "name": "田中 花子",
        "org_name": "倉敷市",
        "dept": "企画財政局 デジタル推進室",
        "internal": False,
        "first": False,
    },
    "lead": {
        "name": "山田 太郎",
        "email": LEAD,
        "company": "株式会社サンプル",
        "role": "プロジェクト責任者",
        "address": "東京都千代田区1-2-3",
        "phone": "086-000-0000",
    },
    "programme": {
        "title": "令和8年度 県・市町村DX推進伴走支援事業",
        "tag": "【DX伴走支援】",
        "commissioner": "岡山県総務部デジタル推進課",
    },
    "title": "支援計画書の作成（倉敷市・生成AI）",
    "due": date(2026, 10, 13),
    "explanation": "起算日（令和8年9月29日）から10営業日以内",
    "days": 2,
}  # as services.mail gives it to the template (the template tests' example)


def reminder(key: str, to: str = CONTACT) -> OutgoingMessage:
    """A deadline reminder rendered with the real template, as the sweep makes them."""
    return RENDERER.compose(key=key, kind="deadline_reminder", to=(to,), context=CONTEXT)


# -- the benchmark ---------------------------------------------------------------------------


TARGET = 200.0  # mails per second


@dataclass(frozen=True)
class Sent:
    messages: int
    sent: int
    received: int
    connections: int
    elapsed: float
    render_us: float

    @property
    def rate(self) -> float:
        return self.sent / self.elapsed


def run(count: int = MESSAGES) -> Sent:
    """Render ``count`` reminders, then deliver them in one batch to aiosmtpd."""
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    reminder("warm-up")  # compiles the template once, as a long-running daemon would have
    start = time.perf_counter()
    messages = [reminder(f"deadline:{i}:0") for i in range(count)]
    render_us = (time.perf_counter() - start) / count * 1e6

    store = MemoryOutbox()
    store.enqueue(messages, NOW)
    server = SmtpProcess()
    server.start()
    try:
        start = time.perf_counter()
        report = deliver(
            store,
            server.transport,
            now=NOW,
            sender=LEAD,
            limit=count,
            rng=random.Random(0),
        )
        elapsed = time.perf_counter() - start
    finally:
        server.stop()
    return Sent(count, report.sent, server.messages, server.connections, elapsed, render_us)


def results(quick: bool = False) -> list[Row]:
    """One row: mails per second to a local SMTP server (``quick``: 100 mails)."""
    done = run(100 if quick else MESSAGES)
    delivered = done.sent == done.messages == done.received
    return [
        row(
            f"outbox to aiosmtpd, {done.messages:,} mails",
            f"{done.rate:.0f} mails/s ({done.sent}/{done.messages} received over "
            f"{done.connections} connection(s); rendering {done.render_us:.0f} µs each)",
            f"≥ {TARGET:.0f} mails/s",
            TARGET / done.rate,
            delivered and done.rate >= TARGET,
            peak_mb(),
        )
    ]


def main() -> int:
    done = run()
    print(f"rendered {done.messages} reminders: {done.render_us:.0f} µs per message")
    print(
        f"delivered {done.sent}/{done.messages} in {done.elapsed:.2f} s over "
        f"{done.connections} connection(s): {done.rate:.0f} mails/s (target ≥ 200/s)"
    )
    ok = done.sent == done.messages and done.received == done.messages
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
