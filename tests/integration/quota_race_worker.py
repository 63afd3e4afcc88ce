"""One racer for the last dispatch slot: the real `banso` entry point, after a barrier.

    python -m tests.integration.quota_race_worker BARRIER_DIR NAME BANSO_ARGS...

1. imports everything `banso dispatch plan` needs (so that neither racer is
   still loading modules when the other one already counts);
2. creates ``BARRIER_DIR/ready-NAME`` and waits until ``BARRIER_DIR/go`` exists;
3. runs ``admin.cli.main(BANSO_ARGS)`` — the function ``.venv/bin/banso``
   calls — which exits as the command does: 0 done, 1 refused (one line on
   stderr), 2 bad input. ``BANSO_USER`` and ``BANSO_NOW`` come from the
   environment, as for the command.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

BARRIER_TIMEOUT = 30.0


def wait_for(path: Path, timeout: float = BARRIER_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {path} after {timeout} s")
        time.sleep(0.0005)


def main(argv: list[str]) -> None:
    barrier, name, *args = argv
    # What the command would otherwise import lazily, on its first use.
    import sqlalchemy.dialects.postgresql.psycopg
    import sqlalchemy.dialects.sqlite.pysqlite  # noqa: F401

    import banso.admin.bootstrap
    import banso.admin.cmd_work
    import banso.storage.uow  # noqa: F401
    from banso.admin.cli import main as banso_main

    folder = Path(barrier)
    (folder / f"ready-{name}").touch()
    wait_for(folder / "go")
    banso_main(args)  # exits with the command's code


if __name__ == "__main__":
    main(sys.argv[1:])
