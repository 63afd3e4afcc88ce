"""The daemon under faults (slow): kill -9 in the middle of a sweep, and three
daemons sharing one PostgreSQL database.

* kill -9: a few hundred deadlines come due before every run; `banso daemon
  --once` (``daemon_worker``: the real entry point, started ahead so that the
  kill lands in the work, not in the interpreter's start-up) is killed after a
  random number of milliseconds, 24 times: half aimed at the sweep, a quarter
  at the send pass, a quarter anywhere in the run. After every kill no
  deadline may have moved on without its message; after a clean run at the
  end every due deadline has exactly its message, every message was
  delivered, and the ``.eml`` files (file://) are exactly the distinct
  Message-IDs of the outbox — a message killed between sending and marking is
  written again under the same Message-ID, which the docs allow, but never
  lost and never a second file. Runs on SQLite and PostgreSQL.
* three daemons: 2,000 deadlines come due on three days; on each, three `banso
  daemon --once` run at once against one PostgreSQL database and deliver over
  SMTP to one aiosmtpd: every message once in the outbox, received once.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from banso.engine.calendar import BusinessCalendar, DueDate
from banso.engine.clock import TOKYO
from banso.storage.db import READONLY, make_engine
from banso.storage.deadlines import SqlDeadlines
from banso.storage.models import DeadlineRow, OutboxRow
from banso.workflows.mailing import MailSettings, public_message_id
from banso.workflows.programme import LEAD as LEAD_ROLE
from tests.support import tally
from tests.support.programme import (
    BANSO,
    HANAKO,
    JIRO,
    LEAD,
    ROOT,
    Banso,
    InProcessBanso,
    programme_templates,
)
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.slow

CAL = BusinessCalendar()
T0 = datetime(2026, 6, 1, 9, 0, tzinfo=TOKYO)  # a Monday, 09:00: reminders go out
DUE = CAL.add_business_days(T0.date(), 5)  # so the "5 business days before" step fires at T0
OBLIGATION = "fault_test"


def fire(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=TOKYO).astimezone(UTC)


def insert_due(url: str, count: int, first: int) -> list[int]:
    """``count`` open deadlines due DUE whose first reminder (step 0) fires at T0,
    bulk-inserted the way transitions open them (``SqlDeadlines.open``)."""
    engine = make_engine(url, must_exist=True)
    owners = (LEAD_ROLE, HANAKO, JIRO)
    try:
        with Session(engine) as session, session.begin():
            store = SqlDeadlines(session)
            return [
                store.open(
                    obligation=OBLIGATION,
                    title=f"試験用の提出物 第{n}号の提出",
                    about_kind="fault",
                    about_id=n,
                    org_id=None,
                    due=DueDate(DUE, DUE, "試験用の期限。営業日のため、そのまま"),
                    responsible=owners[n % len(owners)],
                    first_step=0,
                    first_fire_at=fire(T0.date()),
                    now=T0,
                )
                for n in range(first, first + count)
            ]
    finally:
        engine.dispose()


@dataclass
class Outbox:
    keys: Counter[str] = field(default_factory=Counter)
    states: Counter[str] = field(default_factory=Counter)
    message_ids: set[str] = field(default_factory=set)
    by_deadline: dict[int, list[int]] = field(default_factory=dict)


def read_outbox(url: str) -> Outbox:
    engine = make_engine(url, must_exist=True)
    try:
        with engine.connect().execution_options(**READONLY) as conn:
            rows = conn.execute(select(OutboxRow.key, OutboxRow.state, OutboxRow.message_id)).all()
    finally:
        engine.dispose()
    box = Outbox()
    for key, state, message_id in rows:
        box.keys[key] += 1
        box.states[state] += 1
        # As the mail carries it: the outbox's id under the default Message-ID domain.
        box.message_ids.add(public_message_id(message_id, MailSettings().message_id_domain))
        if key.startswith("deadline:"):
            _, ident, step = key.split(":")
            box.by_deadline.setdefault(int(ident), []).append(int(step))
    return box


def fault_deadlines(url: str) -> dict[int, tuple[int, datetime | None]]:
    """id → (next_step, next_fire_at) of the deadlines this test inserted."""
    engine = make_engine(url, must_exist=True)
    try:
        with engine.connect().execution_options(**READONLY) as conn:
            rows = conn.execute(
                select(DeadlineRow.id, DeadlineRow.next_step, DeadlineRow.next_fire_at).where(
                    DeadlineRow.obligation == OBLIGATION
                )
            ).all()
    finally:
        engine.dispose()
    return {int(i): (int(step), at) for i, step, at in rows}


def still_due(url: str, now: datetime) -> int:
    engine = make_engine(url, must_exist=True)
    try:
        with engine.connect().execution_options(**READONLY) as conn:
            found = conn.scalar(
                select(func.count()).select_from(DeadlineRow).where(DeadlineRow.next_fire_at <= now)
            )
            return int(found or 0)
    finally:
        engine.dispose()


def no_advance_without_its_message(url: str) -> None:
    """A deadline that moved past step 0 has its step-0 message: nothing was lost."""
    box = read_outbox(url)
    for ident, (step, _) in fault_deadlines(url).items():
        if step > 0:
            assert box.by_deadline.get(ident) == [0], f"deadline {ident} advanced, message lost"
        else:
            assert ident not in box.by_deadline, f"deadline {ident}: a message, no advance"


# -- kill -9 ---------------------------------------------------------------------------


class Worker:
    """``daemon --once`` through ``daemon_worker``: started, then fired on cue."""

    def __init__(self, banso: Banso, now: datetime) -> None:
        env = banso.env(None, now.isoformat())
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
        self.lines: list[tuple[float, str]] = []
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.integration.daemon_worker",
                "--db",
                banso.url,
                "daemon",
                "--once",
                "--json",
            ],
            cwd=banso.cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None and self.proc.stdin is not None
        ready = self.proc.stdout.readline()
        assert ready == "ready\n", (ready, self.proc.stderr and self.proc.stderr.read())
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.go_at = 0.0

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append((time.monotonic(), line))

    def go(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()
        self.go_at = time.monotonic()

    def seen(self, event: str) -> float | None:
        """Seconds after ``go`` at which ``event`` was logged (None: not logged)."""
        for at, line in list(self.lines):
            if f'"event": "{event}"' in line:
                return at - self.go_at
        return None

    def wait_for(self, event: str, timeout: float = 60) -> None:
        """Until ``event`` is logged, or the process ends."""
        limit = time.monotonic() + timeout
        while self.seen(event) is None and self.proc.poll() is None:
            assert time.monotonic() < limit, f"no {event} in {self.lines}"
            time.sleep(0.002)

    def finish(self, timeout: float = 120) -> int:
        code = self.proc.wait(timeout=timeout)
        self.reader.join(timeout=10)
        return code


def eml_message_ids(folder: Path) -> list[str]:
    ids = []
    for path in folder.glob("*.eml"):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        ids.append(str(msg["Message-ID"]))
    return ids


RUNS = 25  # per backend: ≥ 50 kills in all across SQLite and PostgreSQL (issue 13)
PER_RUN = 150  # deadlines coming due before each run (a sweep of ~0.15 s)


def test_kill_9_at_random_points_loses_and_duplicates_nothing(db_url: str, tmp_path: Path) -> None:
    banso = programme_templates().fresh(db_url, tmp_path, user=LEAD)
    mail = tmp_path / "mail"  # the runner's file:// folder
    rng = random.Random(20260601)
    # The day's duties first (April's and May's reports are generated, as documents, on
    # the first sweep of 06-01): run 0 then times a sweep like the killed runs'.
    warm = banso("daemon", "--once", now=T0.isoformat())
    assert warm.code == 0, warm
    inserted = insert_due(banso.url, PER_RUN, 0)

    # Run 0 is not killed: it tells when the sweep ends (its log line) and the run.
    worker = Worker(banso, T0)
    worker.go()
    assert worker.finish() == 0, "".join(line for _, line in worker.lines)
    swept, finished = worker.seen("sweep.done"), worker.seen("mail.batch_done")
    assert swept is not None and finished is not None
    assert swept > 0.05, f"a sweep of {PER_RUN} deadlines took only {swept:.3f} s"
    no_advance_without_its_message(banso.url)

    phases: Counter[str] = Counter()
    inodes = {path.name: path.stat().st_ino for path in mail.glob("*.eml")}
    rewritten = 0
    now = T0
    for run in range(1, RUNS + 1):
        now += timedelta(minutes=6)  # past the 5-minute lease of whatever a kill left sending
        inserted += insert_due(banso.url, PER_RUN, run * PER_RUN)
        worker = Worker(banso, now)
        # Half aimed at the sweep, a quarter at the send pass (once the sweep has
        # logged its end), a quarter anywhere in the run.
        worker.go()
        if run % 4 == 1:
            worker.wait_for("sweep.done")
            time.sleep(rng.uniform(0, finished - swept))
        else:
            time.sleep(rng.uniform(0, swept * 1.2 if run % 4 in (0, 2) else finished * 1.1))
        worker.proc.kill()  # SIGKILL, unless it has already ended
        code = worker.finish()
        if code == 0:
            phases["finished first"] += 1
        else:
            assert code == -9, "".join(line for _, line in worker.lines)
            if worker.seen("sweep.done") is None:
                phases["in the sweep"] += 1
            elif worker.seen("mail.batch_done") is None:
                phases["in the send pass"] += 1
            else:
                phases["after sending"] += 1
        no_advance_without_its_message(banso.url)
        for path in mail.glob("*.eml"):
            inode = path.stat().st_ino
            if inodes.setdefault(path.name, inode) != inode:
                rewritten += 1  # sent again after a kill between send and mark
                inodes[path.name] = inode

    # A clean run, then as many as it takes to send the rest (200 a pass; in-process,
    # as the interpreter's start-up would be most of their time).
    now += timedelta(minutes=6)
    clean = banso("daemon", "--once", now=now.isoformat())
    assert clean.code == 0 and "Traceback" not in clean.err, clean
    drain = InProcessBanso(banso.cwd, banso.url)
    for _ in range(100):
        box = read_outbox(banso.url)
        if box.states["sent"] == sum(box.states.values()):
            break
        now += timedelta(minutes=6)
        assert drain("daemon", "--once", now=now.isoformat()).code == 0
    assert box.states == Counter({"sent": sum(box.states.values())}), box.states
    assert still_due(banso.url, now) == 0

    # Every due deadline has exactly its message, no more, and moved on to step 1.
    assert set(box.keys.values()) == {1}
    step1 = fire(CAL.add_business_days(DUE, -2))
    deadlines = fault_deadlines(banso.url)
    assert sorted(deadlines) == sorted(inserted) and len(inserted) == (RUNS + 1) * PER_RUN
    for ident, (step, at) in deadlines.items():
        assert box.by_deadline.get(ident) == [0], ident
        assert (step, at) == (1, step1), ident
    assert all(len(steps) == 1 for steps in box.by_deadline.values()), "one step per day"

    # file://: one .eml per distinct Message-ID, every queued message written.
    ids = eml_message_ids(mail)
    assert len(ids) == len(set(ids)) == len(box.message_ids)
    assert set(ids) == box.message_ids
    leftovers = sorted(p.name for p in mail.iterdir() if not p.name.endswith(".eml"))
    print(
        f"\nkill -9 ({db_url.split(':')[0]}): {RUNS} runs, {dict(phases)}; "
        f"sweep ~{swept:.2f} s, run ~{finished:.2f} s; {len(box.keys)} messages, "
        f"{rewritten} .eml re-written after a kill, {len(leftovers)} temporary file(s) left"
    )
    assert phases["in the sweep"] >= RUNS // 4 and phases["in the send pass"] >= 3, phases
    tally.count("kills", RUNS)
    tally.count("messages", len(box.keys))


# -- three daemons on one PostgreSQL database ------------------------------------------


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    s = SmtpServer()
    s.start()
    yield s
    s.stop()


def three_at_once(banso: Banso, now: datetime, mail_url: str) -> list[dict[str, Any]]:
    env = banso.env(None, now.isoformat())
    env["BANSO_MAIL_URL"] = mail_url
    procs = [
        subprocess.Popen(
            [BANSO, "--db", banso.url, "daemon", "--once", "--json"],
            cwd=banso.cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, (out, err)
        assert "Traceback" not in err and '"level": "error"' not in err, err
        reports.append(json.loads(out))
    return reports


def test_three_daemons_on_one_postgresql_database_send_each_message_once(
    postgres_url: str, tmp_path: Path, server: SmtpServer
) -> None:
    banso = programme_templates().fresh(postgres_url, tmp_path, user=LEAD)
    ids = insert_due(banso.url, 2000, 0)
    # Steps 0, 1 and 2 (5, 2 and 1 business days before DUE): 2,000 due on each day.
    days = [T0.date(), CAL.add_business_days(DUE, -2), CAL.add_business_days(DUE, -1)]
    split: list[list[int]] = []
    for day in days:
        now = datetime(day.year, day.month, day.day, 9, tzinfo=TOKYO)
        reports = three_at_once(banso, now, server.url)
        split.append([r["reminders"] for r in reports])
        done = {i for i, (step, _) in fault_deadlines(banso.url).items() if step > days.index(day)}
        assert done == set(ids), f"every deadline swept on {day}"
    # Sending: 200 a pass each; more passes until the outbox is empty.
    sent_by = Counter[int]()
    for _ in range(40):
        box = read_outbox(banso.url)
        if box.states["sent"] == sum(box.states.values()):
            break
        now += timedelta(minutes=1)
        for n, report in enumerate(three_at_once(banso, now, server.url)):
            sent_by[n] += report["sent"]
    assert box.states == Counter({"sent": sum(box.states.values())}), box.states

    assert set(box.keys.values()) == {1}
    for ident in ids:
        assert sorted(box.by_deadline[ident]) == [0, 1, 2], ident
    received = Counter(str(r.parsed()["Message-ID"]) for r in server.handler.received)
    assert set(received.values()) == {1}, received.most_common(3)
    assert set(received) == box.message_ids
    assert len(received) >= 3 * 2000
    tally.count("messages", len(received))
    print(
        f"\nthree daemons: reminders queued per daemon and day {split}; "
        f"{len(received)} mails received once each; later send passes per daemon {dict(sent_by)}"
    )
