"""One FULL deadline sweep as the daemon does it, at scale (printed, not asserted).

    python -m bench.bench_sweep                                   # SQLite, 1,000,000 deadlines
    python -m bench.bench_sweep --pg postgresql://postgres@127.0.0.1:5432/postgres
    python -m bench.bench_sweep --rows 100000 --profile           # and where the time goes

For each backend (SQLite always; PostgreSQL with ``--pg``), a fresh database
is set up through `banso` itself (``init --sample okayama``, the prefecture,
the lead and 20 consultants), then loaded with N open deadlines whose
reminders are still to come. Before each timed run 1,000 random deadlines are
made due (untimed): due dates chosen so that exactly one reminder step — 5, 2
or 1 business day(s) before, on the day, or an overdue notice — fires now, with
``next_step``/``next_fire_at``/status as the sweep would have left them.

Timed: ``admin.daemon.Daemon(app).sweep(now)`` on an ``App`` from
``admin.wiring.build_app`` — the reminders rendered with the real templates and
enqueued, ``next_fire_at`` advanced, the deadlines marked missed, committed,
and the daily duties every sweep runs from 09:00 on business days (last
month's report draft, the morning digests). Best of ``--runs`` (default 3),
after one untimed warm-up sweep; the time the daily duties took inside the
best sweep is shown apart.

Then the same at 10× the rows — or, if loading them would take more than about
three minutes (10× this size's load time), at a tenth of them — and the ratio
of the two sweep times. The issue's budget: ≤ 0.3 s per sweep, and 10× the
deadlines ≤ 1.5× the time. The storage-only part is ``bench.bench_sweep_store``.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from banso.admin.daemon import Daemon
from banso.admin.logs import configure_logging
from banso.admin.settings import load_settings
from banso.admin.wiring import build_app
from banso.engine.calendar import BusinessCalendar
from banso.engine.clock import TOKYO
from banso.engine.deadlines import MISSED, OPEN
from banso.engine.reminders import ReminderPolicy, latest_due
from banso.storage.db import parse_url
from bench.bench_sweep_store import BATCH, COLUMNS, _sqlite_time

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=TOKYO)  # a Monday, 09:00: reminders and duties run
NOW_TEXT = NOW.isoformat()
TODAY = NOW.date()
DUE = 1000
LOAD_BUDGET = 180.0  # seconds: beyond this, compare with a tenth of the rows instead
CONSULTANTS = [f"consultant{i:02d}@contractor.example.jp" for i in range(20)]
LEAD = "lead@contractor.example.jp"
PREFECTURE = "taro@pref.okayama.example.jp"
OWNERS = [*CONSULTANTS, "lead"]  # who answers for the deadlines ("lead": the project lead)
TITLES = [
    "派遣実施記録の登録（倉敷市・生成AI）",
    "支援計画書の作成（岡山市・情報システム標準化）",
    "ヒアリングの実施（津山市・フロントヤード改革（書かない窓口））",
    "相談への初回対応（総社市）",
]
CAL = BusinessCalendar()
POLICY = ReminderPolicy()


# -- set-up through banso -----------------------------------------------------------


def banso(url: str, *args: str, user: str | None = None) -> None:
    """``banso --db URL ARGS`` in this process (output dropped); exit 0 or an error."""
    from banso.admin.cli import main

    argv = ["--db", url, *(["--as", user] if user else []), *args]
    with contextlib.redirect_stdout(io.StringIO()) as out:
        try:
            main(argv)
        except SystemExit as exc:
            if exc.code:
                said = out.getvalue()
                raise RuntimeError(f"banso {' '.join(args)} → {exc.code}: {said}") from exc


def set_up(url: str) -> None:
    os.environ["BANSO_NOW"] = "2026-04-01T09:00+09:00"
    try:
        banso(url, "init", "--sample", "okayama")
        add = ("person", "add", "--name")
        pref = ("--role", "prefecture", "--org", "330001")
        banso(url, *add, "県 太郎", "--email", PREFECTURE, *pref)
        banso(url, *add, "責任 者", "--email", LEAD, "--role", "lead", user=PREFECTURE)
        for n, email in enumerate(CONSULTANTS):
            banso(url, *add, f"専門 人材{n}", "--email", email, "--role", "consultant", user=LEAD)
    finally:
        del os.environ["BANSO_NOW"]


# -- the deadlines --------------------------------------------------------------------


_first_fire: dict[date, datetime] = {}


def first_fire(due: date) -> datetime:
    """When step 0 (5 business days before) of a deadline due ``due`` fires."""
    found = _first_fire.get(due)
    if found is None:
        day = CAL.add_business_days(due, -POLICY.before[0])
        found = _first_fire[due] = datetime(day.year, day.month, day.day, 9, tzinfo=TOKYO)
    return found


def open_deadlines(total: int, rng: random.Random) -> Iterator[tuple[Any, ...]]:
    """(about_id, title, due, responsible, next_fire_at) of deadlines not yet near:
    due from 8 days on to the contract end, so their first reminder is still to come."""
    span = (date(2027, 3, 31) - TODAY).days - 8
    for i in range(total):
        due = TODAY + timedelta(days=8 + rng.randrange(span))
        yield i, TITLES[i % len(TITLES)], due, OWNERS[i % len(OWNERS)], first_fire(due)


def load_sqlite(path: Path, total: int) -> None:
    created = _sqlite_time(NOW - timedelta(days=30))
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")  # a benchmark load: durability is not the point
    conn.execute("PRAGMA cache_size=-1000000")
    sql = f"INSERT INTO deadlines ({COLUMNS}) VALUES ({', '.join('?' * 14)})"
    batch: list[tuple[Any, ...]] = []

    def flush() -> None:
        conn.execute("BEGIN")
        conn.executemany(sql, batch)
        conn.execute("COMMIT")
        batch.clear()

    for i, title, due, owner, fire in open_deadlines(total, random.Random(1)):
        day = due.isoformat()
        why, fired, about = "実施日から3営業日以内", _sqlite_time(fire), ("dispatch", i, None)
        batch.append(("record", title, *about, day, day, why, OPEN, owner, 0, fired, created, None))
        if len(batch) == BATCH:
            flush()
    if batch:
        flush()
    conn.execute("ANALYZE")
    conn.close()


def load_postgres(dsn: str, total: int) -> None:
    created = (NOW - timedelta(days=30)).isoformat()
    with psycopg.connect(dsn) as conn:
        with conn.cursor() as cur, cur.copy(f"COPY deadlines ({COLUMNS}) FROM STDIN") as copy:
            lines: list[str] = []
            for i, title, due, owner, fire in open_deadlines(total, random.Random(1)):
                day = due.isoformat()
                lines.append(
                    f"record\t{title}\tdispatch\t{i}\t\\N\t{day}\t{day}\t実施日から3営業日以内\t"
                    f"{OPEN}\t{owner}\t0\t{fire.isoformat()}\t{created}\t\\N\n"
                )
                if len(lines) == BATCH:
                    copy.write("".join(lines))
                    lines.clear()
            if lines:
                copy.write("".join(lines))
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE deadlines")


# Due dates for which exactly one step fires today: 5, 2, 1 business days ahead,
# today, or an overdue notice (1, 4, 7, … business days late).
OFFSETS = [*POLICY.before, 0, *(-(1 + 3 * k) for k in range(10))]


def arm(engine: Any, first_id: int, total: int, used: set[int], rng: random.Random) -> None:
    """Make DUE fresh random deadlines due now, as the sweep would find them (untimed)."""
    params = []
    while len(params) < DUE:
        ident = first_id + rng.randrange(total)
        if ident in used:
            continue
        used.add(ident)
        due = CAL.add_business_days(TODAY, rng.choice(OFFSETS))
        step, _ = latest_due(POLICY, CAL, due, 0, NOW.astimezone(UTC))
        assert step is not None and step.day == TODAY, (due, step)
        params.append(
            {
                "id": ident,
                "due": due,
                "step": step.index,
                "fire": step.fire_at,
                "status": MISSED if step.overdue_number >= 2 else OPEN,
            }
        )
    with Session(engine) as session:
        session.execute(
            text(
                "UPDATE deadlines SET due = :due, due_as_written = :due, next_step = :step, "
                "next_fire_at = :fire, status = :status WHERE id = :id"
            ),
            params,
        )
        session.commit()


# -- measuring -------------------------------------------------------------------------


@dataclass
class Result:
    rows: int
    load: float
    sweep: float  # best full Daemon.sweep
    duties: float  # of which the daily duties (draft_monthly_report + digests)
    profile: str = ""


class _Discard(io.TextIOBase):
    """Where the daemon's log lines go: printing them would measure the terminal."""

    def write(self, text: str) -> int:
        return len(text)


def measure(url: str, rows: int, load_seconds: float, runs: int, profile: bool) -> Result:
    # After the set-up's `banso` calls, which configured logging for a terminal.
    configure_logging("json", stream=_Discard())
    settings = load_settings(
        environ={}, database_url=url, now=NOW_TEXT, mail_url="file://var/mail"
    )
    app = build_app(settings)
    daemon = Daemon(app)
    with Session(app.engine) as session:
        found = session.execute(text("SELECT min(id) FROM deadlines WHERE obligation = 'record'"))
        first_id = int(found.scalar_one())
    # The daily duties run inside the sweep; time them there, on the instance.
    spent = [0.0]

    def timed(duty: Callable[[datetime], Any]) -> Callable[[datetime], Any]:
        def run(now: datetime) -> Any:
            start = time.perf_counter()
            try:
                return duty(now)
            finally:
                spent[0] += time.perf_counter() - start

        return run

    daemon.draft_monthly_report = timed(daemon.draft_monthly_report)  # type: ignore[method-assign]
    daemon.digests = timed(daemon.digests)  # type: ignore[method-assign]
    rng = random.Random(2)
    used: set[int] = set()
    daemon.sweep(NOW)  # warm-up: the programme's own catch-up, templates, calendar, digests
    best, duties = float("inf"), 0.0
    for _ in range(runs):
        arm(app.engine, first_id, rows, used, rng)
        spent[0] = 0.0
        start = time.perf_counter()
        report = daemon.sweep(NOW)
        elapsed = time.perf_counter() - start
        assert report.reminders == DUE, f"swept {report.reminders} reminders, expected {DUE}"
        if elapsed < best:
            best, duties = elapsed, spent[0]
    result = Result(rows, load_seconds, best, duties)
    if profile:
        arm(app.engine, first_id, rows, used, rng)
        profiler = cProfile.Profile()
        profiler.enable()
        daemon.sweep(NOW)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative")
        stats.print_stats(30)
        out.write("\n--- by own time ---\n")
        stats.sort_stats("tottime").print_stats(20)
        result.profile = out.getvalue()
    app.engine.dispose()
    return result


def run_sqlite(rows: int, runs: int, profile: bool) -> Result:
    with tempfile.TemporaryDirectory(prefix="banso-bench-") as folder:
        os.chdir(folder)  # file://var/mail and any banso.toml are relative to it
        path = Path(folder) / "bench.db"
        url = f"sqlite:///{path}"
        set_up(url)
        start = time.perf_counter()
        load_sqlite(path, rows)
        load = time.perf_counter() - start
        return measure(url, rows, load, runs, profile)


def run_postgres(server: str, rows: int, runs: int, profile: bool) -> Result:
    base = parse_url(server)
    name = f"banso_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name)
    try:
        with tempfile.TemporaryDirectory(prefix="banso-bench-") as folder:
            os.chdir(folder)
            rendered = url.render_as_string(hide_password=False)
            set_up(rendered)
            dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
            start = time.perf_counter()
            load_postgres(dsn, rows)
            load = time.perf_counter() - start
            return measure(rendered, rows, load, runs, profile)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--pg", metavar="URL", help="also on this PostgreSQL server")
    parser.add_argument(
        "--rows", type=int, default=1_000_000, metavar="N", help="open deadlines (1,000,000)"
    )
    parser.add_argument("--runs", type=int, default=3, help="best of this many (default 3)")
    parser.add_argument("--profile", action="store_true", help="cProfile one sweep of N rows")
    parser.add_argument("--no-scale", action="store_true", help="skip the 10x comparison")
    args = parser.parse_args(argv)
    if args.rows < 10 * DUE:
        parser.error(f"--rows must be at least {10 * DUE}")
    here = os.getcwd()
    backends: list[tuple[str, Any]] = [("SQLite", run_sqlite)]
    if args.pg:
        backends.append(("PostgreSQL", lambda n, r, p: run_postgres(args.pg, n, r, p)))
    for label, run in backends:
        base = run(args.rows, args.runs, args.profile)
        os.chdir(here)
        show(label, base)
        if base.profile:
            print(base.profile, flush=True)
        if args.no_scale:
            continue
        if 10 * base.load <= LOAD_BUDGET:
            other = run(10 * args.rows, args.runs, False)
            small, big, how = base, other, "10x the rows"
        else:
            other = run(args.rows // 10, args.runs, False)
            small, big, how = other, base, (
                f"a tenth of the rows (loading {10 * args.rows:,} would take "
                f"~{10 * base.load:.0f} s)"
            )
        os.chdir(here)
        show(label, other)
        print(
            f"{label}: {big.rows:,} vs {small.rows:,} open deadlines ({how}): "
            f"sweep {big.sweep / small.sweep:.2f}x the time (budget 1.5x)",
            flush=True,
        )


def show(label: str, r: Result) -> None:
    print(
        f"{label} {r.rows:>11,} open, {DUE} due | load {r.load:6.1f} s | full sweep "
        f"{r.sweep:.3f} s (budget 0.3) = reminders {r.sweep - r.duties:.3f} s "
        f"+ daily duties (draft, digests) {r.duties:.3f} s",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
