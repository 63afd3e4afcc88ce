"""The daemon's wiring: APScheduler runs the services' jobs; one daemon per SQLite file."""

from __future__ import annotations

import fcntl
import os
import signal
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING

import structlog

from banso.admin.logs import job
from banso.engine.clock import TOKYO
from banso.engine.errors import AlreadyRunning
from banso.services.context import Services
from banso.services.daemon import retrying, run_sweep, send_pass

if TYPE_CHECKING:
    from sqlalchemy import Engine

log = structlog.get_logger()


def run_daemon(services: Services, *, sweep_every: float, send_every: float) -> None:
    """Sweep and send on their intervals until SIGTERM/SIGINT; a slow run is never
    overlapped or queued twice (max_instances=1, coalesce)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(timezone=TOKYO)
    # Jobs run on the scheduler's threads, which do not inherit the command's
    # context variables: every job line carries the command and actor too.
    bound = structlog.contextvars.get_contextvars()

    def sweep_job() -> None:
        structlog.contextvars.bind_contextvars(**bound)
        with job("sweep"):
            retrying(lambda: run_sweep(services, services.clock.now()))

    def send_job() -> None:
        structlog.contextvars.bind_contextvars(**bound)
        with job("send"):
            retrying(lambda: send_pass(services, services.clock.now()))

    start = datetime.now(TOKYO)
    for func, every in ((sweep_job, sweep_every), (send_job, send_every)):
        scheduler.add_job(
            func, "interval", seconds=every, next_run_time=start, max_instances=1, coalesce=True
        )

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("daemon.stopping", signal=signal.Signals(signum).name)
        # Let the running job finish before start() returns and the lock is released.
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("daemon.started", sweep_every=sweep_every, send_every=send_every)
    scheduler.start()
    log.info("daemon.stopped")


def single_daemon_lock(engine: Engine) -> IO[str] | None:
    """On SQLite only one daemon may run: hold an exclusive lock beside the database.

    The lock dies with the process (kill -9 included), so a crash never leaves
    a stale lock behind. PostgreSQL needs none: SKIP LOCKED and the idempotency
    keys let several daemons share the work.
    """
    from banso.storage.db import sqlite_path

    path = sqlite_path(engine.url)
    if path is None:
        return None
    lock_path = Path(f"{path}.daemon.lock")
    handle = lock_path.open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise AlreadyRunning(
            f"another banso daemon is already running on {path} (lock {lock_path}); "
            "stop it first, or use PostgreSQL to run several daemons"
        ) from None
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle
