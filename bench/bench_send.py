"""How fast the outbox sender delivers: ``python -m bench.bench_send``.

Starts aiosmtpd on 127.0.0.1, queues 1,000 rendered reminders in an in-memory
outbox, delivers them in one batch over one reused connection and prints mails
per second (target: 200/s or more). Also prints how long rendering one
reminder takes, the cost a daemon sweep pays per deadline.

The server runs in this process (its own thread), so the figure includes its
work too; log lines below warning are dropped, as printing them would measure
the terminal instead.
"""

from __future__ import annotations

import logging
import random
import sys
import time

import structlog

from banso.notifications.sender import deliver
from tests.integration.test_smtp_delivery import (
    LEAD,
    NOW,
    FakeOutboxStore,
    SmtpServer,
    reminder,
)

MESSAGES = 1000


def main() -> int:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    reminder("warm-up")  # compiles the template once, as a long-running daemon would have
    start = time.perf_counter()
    messages = [reminder(f"deadline:{i}:0") for i in range(MESSAGES)]
    render_us = (time.perf_counter() - start) / MESSAGES * 1e6

    store = FakeOutboxStore()
    store.enqueue(messages, NOW)
    server = SmtpServer()
    server.start()
    try:
        start = time.perf_counter()
        report = deliver(
            store,
            server.transport,
            now=NOW,
            sender=LEAD,
            limit=MESSAGES,
            rng=random.Random(0),
        )
        elapsed = time.perf_counter() - start
    finally:
        server.stop()

    received = server.handler.received
    connections = len({r.peer for r in received})
    print(f"rendered {MESSAGES} reminders: {render_us:.0f} µs per message")
    print(
        f"delivered {report.sent}/{MESSAGES} in {elapsed:.2f} s over {connections} "
        f"connection(s): {report.sent / elapsed:.0f} mails/s (target ≥ 200/s)"
    )
    ok = report.sent == MESSAGES and len(received) == MESSAGES
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
