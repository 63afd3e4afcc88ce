"""One of the concurrency test's processes: COUNT random `banso` commands, seeded.

    python -m tests.integration.chaos_worker SEED COUNT BARRIER_DIR NAME OUT_FILE URL

Waits at a file barrier (``BARRIER_DIR/ready-NAME``, then ``BARRIER_DIR/go``) so
that every process starts together, then runs ``admin.cli.main(argv, environ=…)``
— the function ``.venv/bin/banso`` calls — COUNT times in this process, each
command as its own run (its own engine and unit of work), as a person would type
them in many terminals at once. The mix opens and withdraws engagements, walks
them towards support, plans and cancels dispatches, schedules monthly meetings,
adds people (sometimes the same address in other case) and enters
consultations, on a few organisations, themes and ids, so that the processes
collide on the same records and invariants. Each command is written to OUT_FILE
as one JSON line: argv, user, exit code, stdout, stderr. The environment
(``BANSO_NOW``, trust mode, the mail folder, the audit key) is the test's.
"""

from __future__ import annotations

import gc
import io
import json
import os
import random
import sys
import time
import traceback
from contextlib import redirect_stderr, redirect_stdout
from datetime import date, timedelta
from pathlib import Path

from banso.engine.calendar import BusinessCalendar

LEAD = "lead@contractor.example.jp"
PREFECTURE = "taro@pref.okayama.example.jp"
HANAKO = "hanako@contractor.example.jp"
ORGS = ("331007", "332020", "332038", "332046", "332054", "332071")
THEMES = ("genai", "bpr", "security")
MAX_ENGAGEMENT = 16  # ids tried: those set up, those the processes open, and a few past them
MAX_DISPATCH = 20
BARRIER_TIMEOUT = 120.0


def _days(first: date, last: date, hour: str) -> list[str]:
    calendar = BusinessCalendar()
    found, day = [], first
    while day <= last:
        if calendar.is_business_day(day):
            found.append(f"{day.isoformat()}T{hour}")
        day += timedelta(days=1)
    return found


DISPATCH_DAYS = _days(date(2026, 6, 1), date(2026, 9, 30), "10:00")
MEETING_DAYS = _days(date(2026, 5, 1), date(2026, 12, 28), "14:00")


def command(rng: random.Random) -> tuple[str, list[str]]:
    """(who, argv) of one random command."""
    eid = str(rng.randint(1, MAX_ENGAGEMENT))
    did = str(rng.randint(1, MAX_DISPATCH))
    org, theme = rng.choice(ORGS), rng.choice(THEMES)
    n = rng.randint(0, 11)
    choices: list[tuple[int, str, list[str]]] = [
        (4, LEAD, ["engagement", "new", "--org", org, "--theme", theme]),
        (2, PREFECTURE, ["engagement", "withdraw", eid, "--reason", "団体の事情により"]),
        (6, rng.choice((LEAD, HANAKO)),
         ["dispatch", "plan", eid, "--at", rng.choice(DISPATCH_DAYS), "--mode", "web"]),
        (1, LEAD, ["dispatch", "cancel", did, "--reason", "日程の都合"]),
        (3, LEAD, ["meeting", "schedule", "monthly", "--at", rng.choice(MEETING_DAYS),
                   "--place", "県庁 3階会議室"]),
        (2, LEAD, ["person", "add", "--name", f"担当 {n}",
                   "--email", (f"c{n}@example.jp" if rng.random() < 0.7 else f"C{n}@Example.JP"),
                   "--role", "consultant"]),
        (1, PREFECTURE, ["consultation", "new", "--org", org, "--topic", "生成AIの利用規程"]),
        (1, LEAD, ["engagement", "propose-expert", eid, "--consultant", HANAKO]),
        (1, PREFECTURE, ["engagement", "agree-expert", eid]),
        (1, LEAD, ["engagement", "schedule-hearing", eid, "--at", "2026-05-20T10:00",
                   "--consultant", HANAKO]),
        (1, HANAKO, ["engagement", "record-hearing", eid, "--findings", "窓口業務の課題"]),
        (1, HANAKO, ["engagement", "draft-plan", eid, "--goals", "規程の策定",
                     "--planned-dispatches", "4"]),
        (1, PREFECTURE, ["engagement", "approve-plan", eid]),
        (1, LEAD, ["engagement", "start", eid]),
        (1, LEAD, ["engagement", "list"]),
        (1, HANAKO, ["dispatch", "list"]),
        (1, LEAD, ["budget"]),
    ]  # fmt: skip
    weights = [w for w, _, _ in choices]
    _, who, argv = rng.choices(choices, weights=weights)[0]
    return who, argv


def run(url: str, who: str, argv: list[str]) -> tuple[int, str, str]:
    from banso.admin.cli import main

    env = {**os.environ, "BANSO_USER": who}
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main(["--db", url, *argv], environ=env)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except Exception:  # a traceback: what the test looks for
            traceback.print_exc()
            code = 99
    return code, out.getvalue(), err.getvalue()


def main(argv: list[str]) -> None:
    seed, count, barrier, name, out_file, url = argv
    # What the commands would otherwise import lazily, on first use.
    import sqlalchemy.dialects.postgresql.psycopg
    import sqlalchemy.dialects.sqlite.pysqlite  # noqa: F401

    import banso.admin.bootstrap
    import banso.admin.cmd_work
    import banso.storage.uow  # noqa: F401

    rng = random.Random(int(seed))
    folder = Path(barrier)
    (folder / f"ready-{name}").touch()
    deadline = time.monotonic() + BARRIER_TIMEOUT
    while not (folder / "go").exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {folder / 'go'} after {BARRIER_TIMEOUT} s")
        time.sleep(0.001)
    with open(out_file, "w", encoding="utf-8") as out:
        for n in range(int(count)):
            who, args = command(rng)
            code, stdout, stderr = run(url, who, args)
            line = {"argv": args, "user": who, "code": code, "out": stdout, "err": stderr}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            out.flush()
            if n % 25 == 24:
                # Engines the commands dropped: their connections closed now and then
                # (a collection after every command would cost more than the command).
                gc.collect()


if __name__ == "__main__":
    main(sys.argv[1:])
