"""The deadline calendar and the daemon, through `banso`: what `init` puts in the
calendar, how reminders follow the calendar rules after downtime, on closed
days and when a deliverable is sent back, and that on SQLite one daemon runs.

Every expected date is computed here, independently of ``engine.reminders``,
from the rules as the issue states them and from
``BusinessCalendar.is_business_day`` alone: reminders 5, 2 and 1 business
day(s) before the effective due date and on it, then overdue notices on the
next business day and every 3 business days, at most 3 of them and none after
the contract end (the prefecture is never copied); at 09:00 on business days;
after downtime only the latest step that came due.

The slow test walks the whole fiscal year day by day (`daemon --once` called
in-process, 395 times) and checks every reminder of every monthly report.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import os
import signal
import subprocess
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from banso.engine.calendar import BusinessCalendar
from banso.engine.clock import TOKYO
from banso.storage.db import READONLY, make_engine
from banso.storage.models import DeadlineRow, OutboxRow
from tests.support.programme import (
    BANSO,
    LEAD,
    PREFECTURE,
    START,
    Banso,
    one_error_line,
    programme_templates,
)

CAL = BusinessCalendar()
INIT_DAY = date(2026, 4, 1)  # the template programme was set up at START, 09:00 that day
CONTRACT_END = date(2027, 3, 31)
BEFORE = (5, 2, 1)
OVERDUE_EVERY = 3
ESCALATE_FROM = 2
CAP = 3  # [mail] overdue_cap: overdue notices per deadline, then the lead's digest only


# -- the calendar rules, computed here -------------------------------------------------


def shift(day: date, n: int) -> date:
    """The n-th business day after ``day`` (before it if n < 0), ``day`` not counted."""
    step = 1 if n > 0 else -1
    left = abs(n)
    while left:
        day += timedelta(days=step)
        if CAL.is_business_day(day):
            left -= 1
    return day


def next_open(day: date) -> date:
    while not CAL.is_business_day(day):
        day += timedelta(days=1)
    return day


def previous_open(day: date) -> date:
    while not CAL.is_business_day(day):
        day -= timedelta(days=1)
    return day


@dataclass(frozen=True)
class Expected:
    index: int  # the step number in the message key deadline:{id}:{index}
    day: date
    overdue: int  # 0 for the reminders before and on the day; 1, 2, … for overdue notices

    @property
    def escalated(self) -> bool:
        return self.overdue >= ESCALATE_FROM


def steps_until(due: date, last: date) -> list[Expected]:
    """Every reminder step of a deadline effectively due ``due``, up to ``last``."""
    head = [(shift(due, -n), 0) for n in BEFORE]
    head.append((previous_open(due), 0))  # on the day (a closed day moves earlier)
    # Two steps on one day: the later (more urgent) one is kept.
    head = [s for i, s in enumerate(head) if i + 1 == len(head) or head[i + 1][0] != s[0]]
    out = [Expected(i, day, 0) for i, (day, _) in enumerate(head)]
    k = 1
    while (day := shift(due, 1 + (k - 1) * OVERDUE_EVERY)) <= last:
        out.append(Expected(len(head) + k - 1, day, k))
        k += 1
    return [s for s in out if s.day <= last]


def fired_between(due: date, after: date, until: date) -> list[Expected]:
    """Steps whose day is in (after, until]: what passes at 09:00 on those days send."""
    return [s for s in steps_until(due, until) if s.day > after]


def sent_between(due: date, after: date, until: date) -> Expected | None:
    """The one message a pass at ``until`` sends for a deadline last swept at ``after``:
    its latest step that came due, unless past the overdue cap or the contract end
    (none of these deadlines is the completion report's)."""
    steps = fired_between(due, after, until)
    if not steps:
        return None
    last = steps[-1]
    return last if last.overdue <= CAP and last.day <= CONTRACT_END else None


def tokyo(moment: str) -> str:
    return f"{moment}T09:00+09:00"


# -- reading the database --------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    deadline: int
    step: int
    created: datetime  # Tokyo time
    kind: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str


def deadline_messages(url: str) -> list[Sent]:
    """Every outbox row keyed ``deadline:{id}:{step}``."""
    engine = make_engine(url, must_exist=True)
    try:
        with engine.connect().execution_options(**READONLY) as conn:
            rows = conn.execute(
                select(
                    OutboxRow.key,
                    OutboxRow.created_at,
                    OutboxRow.kind,
                    OutboxRow.to,
                    OutboxRow.cc,
                    OutboxRow.subject,
                ).where(OutboxRow.key.like("deadline:%"))
            ).all()
    finally:
        engine.dispose()
    out = []
    for key, created, kind, to, cc, subject in rows:
        _, ident, step = key.split(":")
        out.append(
            Sent(
                int(ident),
                int(step),
                created.astimezone(TOKYO),
                kind,
                tuple(to),
                tuple(cc),
                subject,
            )
        )
    return out


def all_created(url: str) -> list[tuple[str, datetime]]:
    """(key, created_at in Tokyo) of every outbox row."""
    engine = make_engine(url, must_exist=True)
    try:
        with engine.connect().execution_options(**READONLY) as conn:
            rows = conn.execute(select(OutboxRow.key, OutboxRow.created_at)).all()
    finally:
        engine.dispose()
    return [(k, c.astimezone(TOKYO)) for k, c in rows]


def deadlines(url: str) -> dict[int, tuple[str, str, date]]:
    """id → (obligation, title, effective due) of every deadline."""
    engine = make_engine(url, must_exist=True)
    try:
        with engine.connect().execution_options(**READONLY) as conn:
            rows = conn.execute(
                select(DeadlineRow.id, DeadlineRow.obligation, DeadlineRow.title, DeadlineRow.due)
            ).all()
    finally:
        engine.dispose()
    return {int(i): (o, t, d) for i, o, t, d in rows}


def on(sent: list[Sent], day: date) -> dict[int, list[int]]:
    """deadline id → the steps queued by the pass on ``day``."""
    found: dict[int, list[int]] = defaultdict(list)
    for s in sent:
        if s.created.date() == day:
            found[s.deadline].append(s.step)
    return dict(found)


@pytest.fixture
def banso(db_url: str, tmp_path: Path) -> Banso:
    """The programme as `init --sample okayama` and five people leave it, at START.

    In-process: these tests are about the calendar rules, which the entry point
    applies the same way in either; the installed `banso` in a subprocess (its
    exit code, its stderr, the lock) is what the SQLite daemon test below runs."""
    return programme_templates().fresh(db_url, tmp_path, user=LEAD, in_process=True)


def daemon_once(banso: Banso, now: str) -> dict[str, Any]:
    done = banso("daemon", "--once", "--json", now=now)
    assert done.code == 0, done
    assert "Traceback" not in done.err, done.err
    report: dict[str, Any] = done.json()
    return report


# -- the calendar after init -----------------------------------------------------------


def test_init_puts_the_programme_calendar_in_place(banso: Banso) -> None:
    rows = banso.json("calendar")
    assert all(r["status"] == "open" and r["responsible"] == "lead" for r in rows), rows
    assert all(r["next_reminder"] for r in rows), "every open deadline waits for a reminder"

    reports = [r for r in rows if r["title"].startswith("月次業務報告書")]
    assert len(reports) == 12
    months = [date(2026, m, 1) for m in range(4, 13)] + [date(2027, m, 1) for m in range(1, 4)]
    for month, row in zip(months, sorted(reports, key=lambda r: r["due_as_written"]), strict=True):
        written = date(month.year + (month.month == 12), month.month % 12 + 1, 10)
        effective = min(next_open(written), CONTRACT_END)
        assert row["obligation"] == "submission" and row["about"].startswith("deliverable ")
        assert (row["due_as_written"], row["due"]) == (written.isoformat(), effective.isoformat())
        assert row["explanation"].startswith("翌月10日まで")
    by_written = {r["due_as_written"]: r for r in reports}
    for written_text, effective_text, why in (
        ("2026-05-10", "2026-05-11", "2026-05-10は日曜日"),
        ("2026-10-10", "2026-10-13", "2026-10-12はスポーツの日"),
        ("2027-01-10", "2027-01-12", "2027-01-11は成人の日"),
    ):
        row = by_written[written_text]
        assert row["due"] == effective_text
        assert why in row["explanation"] and f"翌営業日の{effective_text}" in row["explanation"]
    march = by_written["2027-04-10"]
    assert march["due"] == "2027-03-31"
    assert "契約終了日" in march["explanation"] and "2027-03-31" in march["explanation"]

    [org_chart] = [r for r in rows if r["title"].startswith("業務実施体制図")]
    assert org_chart["due"] == org_chart["due_as_written"] == shift(INIT_DAY, 5).isoformat()
    assert org_chart["due"] == "2026-04-08"
    for title in ("業務実施計画書", "専門人材一覧表（第1版）"):
        [row] = [r for r in rows if r["title"].startswith(title)]
        # At the kickoff; with no kickoff date yet, provisionally 20 business days in.
        assert row["due"] == "2026-04-30" and "日程未定" in row["explanation"]
    [completion] = [r for r in rows if r["title"].startswith("業務完了報告書")]
    assert completion["due"] == "2027-03-31"

    meetings = [r for r in rows if r["obligation"] == "monthly_meeting"]
    assert len(meetings) == 12
    for month, row in zip(months, sorted(meetings, key=lambda r: r["due"]), strict=True):
        last = date(month.year + (month.month == 12), month.month % 12 + 1, 1) - timedelta(1)
        assert (row["due_as_written"], row["due"]) == (
            last.isoformat(),
            previous_open(last).isoformat(),
        )
        assert date.fromisoformat(row["due"]).month == month.month, "never the next month"
    assert {r["due"] for r in meetings} >= {"2026-05-29", "2026-12-28", "2027-03-31"}


# -- downtime, closed days -------------------------------------------------------------


def test_a_ten_day_gap_is_caught_up_with_one_message_per_deadline(banso: Banso) -> None:
    due = {i: d for i, (_, _, d) in deadlines(banso.url).items()}
    passes = [date(2026, 6, 1), date(2026, 6, 11), date(2026, 6, 12)]  # Mon, then 10 days down
    previous = INIT_DAY
    for day in passes:
        report = daemon_once(banso, tokyo(day.isoformat()))
        sent = deadline_messages(banso.url)
        got = on(sent, day)
        expected = {
            ident: [step.index]
            for ident, d in due.items()
            if (step := sent_between(d, previous, day))
        }
        assert got == expected, f"pass on {day}"
        assert report["reminders"] == len(expected)
        if day == passes[1]:
            collapsed = {
                ident: len(fired_between(d, previous, day))
                for ident, d in due.items()
                if ident in expected
            }
            assert max(collapsed.values()) >= 4, "several stale steps collapsed into one"
            caught_up = set(got)
        if day == passes[2]:
            # Only a step falling on this very day goes out; for every deadline
            # caught up yesterday whose next step is later, nothing at all.
            quiet = {i for i in caught_up if not fired_between(due[i], passes[1], day)}
            assert len(quiet) >= len(caught_up) // 2 and not set(got) & quiet, (got, quiet)
        previous = day
    keys = [(s.deadline, s.step) for s in deadline_messages(banso.url)]
    assert len(keys) == len(set(keys))


def test_no_reminder_is_queued_on_a_closed_day(banso: Banso) -> None:
    due = {i: d for i, (_, _, d) in deadlines(banso.url).items()}
    daemon_once(banso, tokyo("2026-07-15"))  # a Wednesday: catch up from April
    waiting = {i for i, d in due.items() if sent_between(d, date(2026, 7, 15), date(2026, 7, 21))}
    assert waiting, "some step falls on Thu 07-16 or Fri 07-17"
    for closed in ("2026-07-18", "2026-07-19", "2026-07-20"):  # Sat, Sun, 海の日
        assert not CAL.is_business_day(date.fromisoformat(closed))
        report = daemon_once(banso, tokyo(closed))
        assert (report["reminders"], report["digests"]) == (0, 0), closed
        assert not on(deadline_messages(banso.url), date.fromisoformat(closed))
    report = daemon_once(banso, tokyo("2026-07-21"))
    assert report["reminders"] == len(waiting)
    assert set(on(deadline_messages(banso.url), date(2026, 7, 21))) == waiting
    for key, created in all_created(banso.url):
        assert CAL.is_business_day(created.date()), f"{key} queued on {created}"


# -- a returned deliverable ------------------------------------------------------------


def test_a_returned_deliverable_reopens_its_deadline_and_submitting_meets_it(
    banso: Banso,
) -> None:
    quick = banso  # in-process, like every step here

    def april_report() -> dict[str, Any]:
        [row] = [r for r in banso.json("calendar") if r["about"] == "deliverable 4"]
        assert row["title"] == "月次業務報告書（令和8年4月分）の提出"
        return dict(row)

    assert april_report()["status"] == "open"
    quick.ok("deliverable", "draft", "4", now="2026-05-07T09:30+09:00")
    quick.ok("deliverable", "submit", "4", now="2026-05-07T09:40+09:00")
    met = april_report()
    assert (met["status"], met["next_reminder"]) == ("met", None)

    banso.ok(
        "deliverable",
        "return",
        "4",
        "--reason",
        "相談対応件数の内訳を追記してください",
        user=PREFECTURE,
        now="2026-05-08T13:00+09:00",
    )
    reopened = april_report()
    assert reopened["status"] == "open"
    # Reminding resumes with the first step after the return: the due day itself.
    due = date.fromisoformat(reopened["due"])
    [first] = [s for s in steps_until(due, due) if s.day > date(2026, 5, 8)][:1]
    assert first.day == due == date(2026, 5, 11)
    assert datetime.fromisoformat(reopened["next_reminder"]) == datetime(
        2026, 5, 11, 9, tzinfo=TOKYO
    )

    daemon_once(banso, tokyo("2026-05-12"))  # the first overdue notice: missed
    assert april_report()["status"] == "missed"
    ident = reopened["id"]
    assert [s.step for s in deadline_messages(banso.url) if s.deadline == ident] == [4]

    quick.ok("deliverable", "draft", "4", now="2026-05-12T10:00+09:00")
    quick.ok("deliverable", "submit", "4", now="2026-05-12T10:10+09:00")
    done = april_report()
    assert (done["status"], done["next_reminder"]) == ("met", None)
    daemon_once(banso, tokyo("2026-05-20"))
    assert [s.step for s in deadline_messages(banso.url) if s.deadline == ident] == [4]


# -- one daemon on SQLite --------------------------------------------------------------


class Background:
    """``banso daemon`` as a background process; its stderr lines collected."""

    def __init__(self, banso: Banso, *args: str) -> None:
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [BANSO, "--db", banso.url, "daemon", *args],
            cwd=banso.cwd,
            env=banso.env(None, START),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line)

    def events(self) -> list[str]:
        found = []
        for line in list(self.lines):
            with contextlib.suppress(ValueError):
                found.append(json.loads(line)["event"])
        return found

    def wait_for(self, event: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while event not in self.events():
            assert self.proc.poll() is None, f"the daemon ended: {''.join(self.lines)}"
            assert time.monotonic() < deadline, f"no {event} in {''.join(self.lines)}"
            time.sleep(0.05)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def sqlite_banso(sqlite_url: str, tmp_path: Path) -> Banso:
    return programme_templates().fresh(sqlite_url, tmp_path, user=LEAD)


def test_on_sqlite_a_second_daemon_refuses_while_the_first_runs(sqlite_banso: Banso) -> None:
    banso = sqlite_banso
    first = Background(banso, "--sweep-every", "3600")
    try:
        first.wait_for("daemon.started")
        first.wait_for("sweep.done")
        second = banso("daemon", "--once", now=START)
        assert second.code == 1, second
        line = one_error_line(second)
        assert line.startswith("banso: another banso daemon is already running on ")
        assert "banso.db.daemon.lock" in line

        first.proc.send_signal(signal.SIGTERM)
        assert first.proc.wait(timeout=60) == 0, "".join(first.lines)
        first.reader.join(timeout=10)
        assert first.events()[-2:] == ["daemon.stopping", "daemon.stopped"]
        assert first.proc.stdout is not None and first.proc.stdout.read() == ""
    finally:
        first.kill()
    # The lock went with it: the next daemon starts.
    assert daemon_once(banso, START)["reminders"] == 0


# -- the monthly report draft -----------------------------------------------------------


def test_downtime_across_two_month_starts_drafts_both_monthly_reports(
    sqlite_url: str, tmp_path: Path
) -> None:
    # In-process: the drafting is the point, not the start-up of `banso`.
    banso = programme_templates().fresh(sqlite_url, tmp_path, user=LEAD, in_process=True)
    # Down from the contract start (04-01) to 06-01: May 1 and June 1 both passed.
    report = daemon_once(banso, tokyo("2026-06-01"))
    listed = banso.json("deliverable", "list", "--kind", "monthly_report")
    states = {d["period"]: d["state"] for d in listed}
    assert states["2026-05"] == "drafted"
    assert report["drafted"] == ["2026-04", "2026-05"], report
    assert states["2026-04"] == "drafted"


# -- the fiscal year, day by day (slow) ------------------------------------------------


def run_in_process(argv: list[str]) -> tuple[int, str]:
    """``banso ARGV`` through the entry point in this process: (exit code, stdout)."""
    from banso.admin.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    assert "Traceback" not in err.getvalue(), err.getvalue()
    return code, out.getvalue()


def days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


@pytest.mark.slow
def test_a_fiscal_year_day_by_day_sends_exactly_the_monthly_report_reminders(
    sqlite_banso: Banso, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    banso = sqlite_banso
    last_day = date(2027, 4, 30)
    for name in [k for k in os.environ if k.startswith("BANSO_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("BANSO_MAIL_URL", f"file://{tmp_path / 'mail'}")
    monkeypatch.chdir(tmp_path)
    totals: dict[str, int] = defaultdict(int)
    for n, day in enumerate(days(INIT_DAY, last_day)):
        os.environ["BANSO_NOW"] = tokyo(day.isoformat())
        code, out = run_in_process(["--db", banso.url, "daemon", "--once", "--json"])
        assert code == 0, (day, out)
        report = json.loads(out)
        assert report["today"] == day.isoformat()
        for key in ("reminders", "sent", "retried", "dead"):
            totals[key] += report[key]
        if not CAL.is_business_day(day):
            assert (report["reminders"], report["digests"], report["drafted"]) == (0, 0, []), day
        if n % 30 == 29:
            gc.collect()  # each pass leaves an engine behind; close its connections now
    assert totals["retried"] == totals["dead"] == 0

    sent = deadline_messages(banso.url)
    by_key = [(s.deadline, s.step) for s in sent]
    assert len(by_key) == len(set(by_key)), "no (deadline, step) twice"
    for key, created in all_created(banso.url):
        assert CAL.is_business_day(created.date()), f"{key} queued on a closed day {created}"
        assert (created.hour, created.minute) == (9, 0), (key, created)

    reports = {
        i: (title, d)
        for i, (obligation, title, d) in deadlines(banso.url).items()
        if obligation == "submission" and title.startswith("月次業務報告書")
    }
    assert len(reports) == 12
    total = 0
    for ident, (title, due) in sorted(reports.items()):
        expected = [
            e
            for e in fired_between(due, INIT_DAY, last_day)
            if e.overdue <= CAP and e.day <= CONTRACT_END
        ]
        mine = sorted((s for s in sent if s.deadline == ident), key=lambda s: s.step)
        assert [(s.step, s.created.date()) for s in mine] == [(e.index, e.day) for e in expected], (
            title
        )
        for s, e in zip(mine, expected, strict=True):
            assert s.to == (LEAD,), (title, s)
            # The lead is the addressee: no copy to anyone, the prefecture least of all.
            assert s.cc == (), (title, e, s)
            tag = "【期限超過】" if e.overdue else "【リマインド】"
            assert s.kind == ("deadline_overdue" if e.overdue else "deadline_reminder")
            assert s.subject.startswith(f"【DX伴走支援】{tag}"), s.subject
        # The last report is due on the contract end: no overdue notice goes out after it.
        first_five = [0, 0, 0, 0, 1] if due < CONTRACT_END else [0, 0, 0, 0]
        assert [e.overdue for e in expected[:5]] == first_five, title
        total += len(expected)
    # Each report: its reminders, then at most CAP overdue notices.
    assert total == sum(1 for s in sent if s.deadline in reports) <= 12 * (4 + CAP)

    # The other daily duties: each month's report drafted (and the lead told) on the
    # first business day of the next month; the lead's digest every business day.
    created_at = dict(all_created(banso.url))
    for month in [date(2026, m, 1) for m in range(4, 13)] + [date(2027, m, 1) for m in (1, 2, 3)]:
        following = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        if month == date(2027, 3, 1):
            # The last report is due on the contract end: drafted from the 20th.
            following = date(2027, 3, 20)
        key = f"monthly-drafted:{month:%Y-%m}"
        assert created_at[key].date() == next_open(following), key
    # The lead's digest on business days when its list changed, never twice a day.
    digests = sorted(c.date() for k, c in created_at.items() if k.startswith(f"digest:{LEAD}:"))
    assert digests and len(digests) == len(set(digests))
    assert set(digests) <= {d for d in days(INIT_DAY, last_day) if CAL.is_business_day(d)}
