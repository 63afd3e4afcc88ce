"""`banso ARGS`, started ahead of time and fired on cue, for the kill -9 tests.

    python -m tests.integration.daemon_worker --db URL daemon --once

Imports what the command needs, prints ``ready``, waits for a line ``go`` on
stdin, then runs ARGS through the real entry point (``admin.cli.main``) with
the environment it was started with. The interpreter's start-up (most of a
`banso` run's half second) is over before ``go``, so a test that kills the
process a random number of milliseconds after ``go`` lands in the sweep and
the send pass, not in ``import sqlalchemy``.
"""

from __future__ import annotations

import importlib
import sys

# Everything `daemon --once` imports, so that none of it is left for after "go".
WARM = (
    "banso.admin.cli",
    "banso.admin.cmd_ops",
    "banso.admin.bootstrap",
    "banso.admin.scheduler",
    "banso.services.daemon",
    "banso.storage.uow",
    "banso.engine.reminders",
    "banso.notifications.ics",
    "banso.notifications.mime",
    "banso.notifications.render",
    "banso.notifications.sender",
    "banso.notifications.transport",
    "banso.storage.deadlines",
    "banso.storage.outbox",
    "banso.workflows",
    "apscheduler.schedulers.blocking",
)


def main() -> None:
    for name in WARM:
        importlib.import_module(name)
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        sys.exit(3)
    from banso.admin.cli import main as banso

    banso(sys.argv[1:])


if __name__ == "__main__":
    main()
