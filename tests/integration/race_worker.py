"""One racer: reads a toy record, waits at a barrier, then fires ``note`` on it.

    python -m tests.integration.race_worker URL RECORD_ID ACTOR BARRIER_DIR

1. reads the record's version in its own (read-only) unit of work;
2. writes the version it read to ``BARRIER_DIR/ready-ACTOR``, then waits
   until ``BARRIER_DIR/go`` exists;
3. fires ``note`` with ``expected_version=`` what it read and commits.

Exit 0 when its change was committed; otherwise prints ``banso: <message>`` on
stderr and exits with the error's code (1 for a conflict), like the ``banso``
command does. Prints nothing else. Imports only engine, storage and the toy.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from banso.engine.clock import SystemClock
from banso.engine.errors import BansoError
from banso.engine.runner import TransitionRunner
from banso.engine.workflow import Actor
from banso.storage.db import make_engine
from tests.support import toy

BARRIER_TIMEOUT = 30.0


def wait_for(path: Path, timeout: float = BARRIER_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {path} after {timeout} s")
        time.sleep(0.0005)


def race(url: str, record_id: int, actor: Actor, barrier: Path) -> None:
    engine = make_engine(url, must_exist=True)
    try:
        runner = TransitionRunner([toy.TOY], SystemClock())  # real "now", microseconds and all
        seen = toy.read(engine, record_id).version
        ready = barrier / f".ready-{actor.email}"
        ready.write_text(str(seen), encoding="utf-8")
        ready.rename(barrier / f"ready-{actor.email}")  # whole, never half-written
        wait_for(barrier / "go")
        toy.fire(
            engine,
            runner,
            record_id,
            "note",
            actor=actor,
            changes={"note": actor.email},
            expected_version=seen,
        )
    finally:
        engine.dispose()


def main(argv: list[str]) -> int:
    url, record_id, email, barrier = argv
    try:
        race(url, int(record_id), Actor(email=email, role="consultant"), Path(barrier))
    except BansoError as exc:
        print(f"banso: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
