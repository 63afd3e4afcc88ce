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

Timed: ``services.daemon.run_sweep(services, now)`` on the ``Services`` of an
``admin.bootstrap.Bootstrap`` — the reminders rendered with the real templates
and enqueued, ``next_fire_at`` advanced, the deadlines marked missed,
committed, and the daily duties every sweep runs from 09:00 on business days
(last month's report draft, the morning digests). Best of ``--runs`` (default
3), after one untimed warm-up sweep. Right after each timed sweep, in the same
state, the daily duties themselves (``draft_monthly_reports`` + ``digests``)
are timed as the sweep runs them; those of the best sweep are shown apart, and
the reminders part is the sweep's time less theirs.

Then the same at 10× the rows — or, if loading them would take more than about
three minutes (10× this size's load time), at a tenth of them — and the ratio
of the two sweep times. The issue's budget: ≤ 0.3 s per sweep, and 10× the
deadlines ≤ 1.5× the time. The storage-only part is ``bench.bench_sweep_store``.

Everything is handed in explicitly: the `banso` set-up commands get their
environment as a parameter, and the settings name a ``banso.toml`` and a mail
folder inside the temporary folder, so neither ``os.environ`` nor the working
directory is touched.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
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
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from banso.admin.bootstrap import Bootstrap
from banso.admin.logs import configure_logging
from banso.admin.settings import load_settings
from banso.engine.calendar import BusinessCalendar
from banso.engine.clock import TOKYO
from banso.engine.deadlines import MISSED, OPEN
from banso.engine.reminders import ReminderPolicy, latest_due
from banso.services.daemon import digests, draft_monthly_reports, run_sweep
from banso.storage.db import parse_url
from bench.bench_sweep_store import (
    BATCH,
    COLUMNS,
    _sqlite_time,
    sweep_plain_postgres,
    sweep_plain_sqlite,
)
from bench.common import Place, Row, peak_mb, row

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=TOKYO)  # a Monday, 09:00: reminders and duties run
NOW_TEXT = NOW.isoformat()
SET_UP_NOW = "2026-04-01T09:00+09:00"  # the programme's set-up, at the fiscal year's start
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


# -- where a run lives ---------------------------------------------------------------


def banso(url: str, place: Place, *args: str, user: str | None = None) -> None:
    """``banso --db URL ARGS`` in this process (output dropped), at the set-up's date,
    with only the environment given here; exit 0 or an error."""
    from banso.admin.cli import main

    # Identity mode trust: the set-up acts as the people it adds (as the demo and tests do).
    environ = {
        "BANSO_NOW": SET_UP_NOW,
        "BANSO_MAIL_URL": place.mail_url,
        "BANSO_IDENTITY": "trust",
        "BANSO_AUDIT_KEY_FILE": str(place.folder / "banso-audit.key"),
        "BANSO_DOCUMENTS_DIR": str(place.documents),
    }
    argv = ["--db", url, "--config", str(place.config)]
    argv += [*(["--as", user] if user else []), *args]
    out, err = io.StringIO(), io.StringIO()  # err: the trust-mode notice, every call
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv, environ=environ)
        except SystemExit as exc:
            if exc.code:
                said = err.getvalue()
                raise RuntimeError(f"banso {' '.join(args)} → {exc.code}: {said}") from exc


def set_up(url: str, place: Place) -> None:
    banso(url, place, "init", "--sample", "okayama")
    add = ("person", "add", "--name")
    pref = ("--role", "prefecture", "--org", "330001")
    banso(url, place, *add, "県 太郎", "--email", PREFECTURE, *pref)
    banso(url, place, *add, "責任 者", "--email", LEAD, "--role", "lead", user=PREFECTURE)
    for n, email in enumerate(CONSULTANTS):
        banso(
            url, place, *add, f"専門 人材{n}", "--email", email, "--role", "consultant", user=LEAD
        )


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
    # 200 MB of page cache for the load (the indexes' pages): a 1 GB cache held
    # the whole table and raised this process's peak to ~530 MB, counted as the
    # sweep's; the load is no faster with it.
    conn.execute("PRAGMA cache_size=-200000")
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
    """The same deadlines as load_sqlite, made by the server (generate_series): there
    are only a few hundred due dates, so Python computes each date's first reminder
    once (a small table) and the server joins the rows to it, instead of formatting
    ten million lines for COPY (most of a 10,000,000-row load's time)."""
    created = (NOW - timedelta(days=30)).isoformat()
    span = (date(2027, 3, 31) - TODAY).days - 8
    days = [TODAY + timedelta(days=8 + k) for k in range(span)]
    with psycopg.connect(dsn) as conn:
        # The columns' own types, so the values are read exactly as a COPY into
        # deadlines reads them.
        conn.execute(
            "CREATE TEMP TABLE bench_due AS SELECT 0 AS k, due, next_fire_at AS fire, "
            "created_at AS created FROM deadlines WITH NO DATA"
        )
        with conn.cursor() as cur, cur.copy("COPY bench_due FROM STDIN") as copy:
            for k, day in enumerate(days):
                copy.write(f"{k}\t{day.isoformat()}\t{first_fire(day).isoformat()}\t{created}\n")
        # Without the secondary indexes, built again after from their own definitions.
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'deadlines' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        ).fetchall()
        for name, _definition in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        titles = ", ".join(f"'{t}'" for t in TITLES)
        owners = ", ".join(f"'{o}'" for o in OWNERS)
        conn.execute(
            f"INSERT INTO deadlines ({COLUMNS}) "
            f"SELECT 'record', (ARRAY[{titles}])[g % {len(TITLES)} + 1], 'dispatch', g, NULL, "
            f"d.due, d.due, '実施日から3営業日以内', '{OPEN}', "
            f"(ARRAY[{owners}])[g % {len(OWNERS)} + 1], 0, d.fire, d.created, NULL "
            f"FROM generate_series(0, {total - 1}) AS g "
            f"JOIN bench_due AS d ON d.k = (g::bigint * 2654435761) % {span}"
        )
        for _name, definition in indexes:
            conn.execute(definition)
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE deadlines")


# Due dates for which exactly one step fires today: 5, 2, 1 business days ahead,
# today, or an overdue notice (1, 4, 7, … business days late).
OFFSETS = [*POLICY.before, 0, *(-(1 + 3 * k) for k in range(10))]


def arm(engine: Engine, first_id: int, total: int, used: set[int], rng: random.Random) -> None:
    """Make DUE fresh random deadlines due now, as the sweep would find them (untimed)."""
    params: list[dict[str, Any]] = []
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
    sweep: float  # best full run_sweep
    duties: float  # of which the daily duties (draft_monthly_reports + digests)
    profile: str = ""
    floor: float = 0.0  # best raw-SQL sweep of as many due rows (no rendering), same database


class _Discard(io.StringIO):
    """Where the daemon's log lines go: printing them would measure the terminal,
    and keeping them would grow with every run."""

    def write(self, s: str) -> int:
        return len(s)


Floor = Callable[[random.Random], int]


def measure(
    url: str,
    place: Place,
    rows: int,
    load_seconds: float,
    runs: int,
    profile: bool,
    floor: Floor | None = None,
) -> Result:
    # After the set-up's `banso` calls, which configured logging for a terminal.
    configure_logging("json", stream=_Discard())
    settings = load_settings(
        config=str(place.config),
        # The key `banso init` made: without it every audit event (the monthly
        # report's draft among them) is refused after the work was done.
        # The monthly reports drafted go into the run's folder, not the working one.
        environ={
            "BANSO_AUDIT_KEY_FILE": str(place.folder / "banso-audit.key"),
            "BANSO_DOCUMENTS_DIR": str(place.documents),
        },
        database_url=url,
        now=NOW_TEXT,
        mail_url=place.mail_url,
    )
    boot = Bootstrap(settings)
    services = boot.services
    try:
        with Session(boot.engine) as session:
            found = session.execute(
                text("SELECT min(id) FROM deadlines WHERE obligation = 'record'")
            )
            first_id = int(found.scalar_one())

        def duties() -> float:
            """The daily duties as run_sweep runs them after its reminders, timed."""
            start = time.perf_counter()
            draft_monthly_reports(services, NOW)
            digests(services, NOW)
            return time.perf_counter() - start

        rng = random.Random(2)
        used: set[int] = set()
        # Warm-up: the programme's own catch-up, templates, calendar, the day's digests.
        run_sweep(services, NOW)
        best, best_duties, best_floor = float("inf"), 0.0, float("inf")
        for _ in range(runs):
            arm(boot.engine, first_id, rows, used, rng)
            start = time.perf_counter()
            report = run_sweep(services, NOW)
            elapsed = time.perf_counter() - start
            # Every due deadline was handled (a reminder, or a line of the morning
            # digest for the overdue ones), none is left due; counted untimed.
            assert report.reminders > 0, f"the sweep queued no reminder: {report}"
            with Session(boot.engine) as session:
                left = session.execute(
                    text("SELECT count(*) FROM deadlines WHERE next_fire_at <= :now"),
                    {"now": NOW.astimezone(UTC)},
                ).scalar_one()
            assert left == 0, f"{left} deadlines still due after the sweep: {report}"
            spent = duties()
            if elapsed < best:
                best, best_duties = elapsed, spent
            if floor is not None:
                # The same selection and writes in raw SQL, on fresh due rows of this
                # database: SELECT … LIMIT, executemany UPDATE and INSERT, one commit.
                arm(boot.engine, first_id, rows, used, rng)
                start = time.perf_counter()
                swept = floor(rng)
                best_floor = min(best_floor, time.perf_counter() - start)
                assert swept == DUE, f"raw SQL swept {swept} deadlines, expected {DUE}"
        result = Result(rows, load_seconds, best, best_duties)
        if floor is not None:
            result.floor = best_floor
        if profile:
            arm(boot.engine, first_id, rows, used, rng)
            result.profile = profiled(lambda: run_sweep(services, NOW))
        return result
    finally:
        boot.close()


def profiled(job: Callable[[], object]) -> str:
    """cProfile of one call of ``job``: by cumulative time, then by own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    job()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative")
    stats.print_stats(30)
    out.write("\n--- by own time ---\n")
    stats.sort_stats("tottime").print_stats(20)
    return out.getvalue()


def run_sqlite(rows: int, runs: int, profile: bool) -> Result:
    with tempfile.TemporaryDirectory(prefix="banso-bench-") as folder:
        place = Place.make(folder)
        path = place.folder / "bench.db"
        url = f"sqlite:///{path}"
        set_up(url, place)
        start = time.perf_counter()
        load_sqlite(path, rows)
        load = time.perf_counter() - start
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA synchronous=NORMAL")  # as the engine sets it (with WAL)
        try:
            return measure(
                url, place, rows, load, runs, profile, lambda rng: sweep_plain_sqlite(conn, rng)
            )
        finally:
            conn.close()


def run_postgres(server: str, rows: int, runs: int, profile: bool) -> Result:
    base = parse_url(server)
    name = f"banso_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name)
    try:
        with tempfile.TemporaryDirectory(prefix="banso-bench-") as folder:
            place = Place.make(folder)
            rendered = url.render_as_string(hide_password=False)
            set_up(rendered, place)
            dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
            start = time.perf_counter()
            load_postgres(dsn, rows)
            load = time.perf_counter() - start
            with psycopg.connect(dsn) as conn:
                return measure(
                    rendered,
                    place,
                    rows,
                    load,
                    runs,
                    profile,
                    lambda rng: sweep_plain_postgres(conn, rng),
                )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


Backend = Callable[[int, int, bool], Result]


def main(argv: list[str] | None = None) -> int:
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
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    backends: list[tuple[str, Backend]] = [("SQLite", run_sqlite)]
    if args.pg:
        server: str = args.pg
        backends.append(("PostgreSQL", lambda n, r, p: run_postgres(server, n, r, p)))
    for label, run in backends:
        base = run(args.rows, args.runs, args.profile)
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
            how = (
                f"a tenth of the rows (loading {10 * args.rows:,} would take "
                f"~{10 * base.load:.0f} s)"
            )
            small, big = other, base
        show(label, other)
        print(
            f"{label}: {big.rows:,} vs {small.rows:,} open deadlines ({how}): "
            f"sweep {big.sweep / small.sweep:.2f}x the time (budget 1.5x)",
            flush=True,
        )
    return 0


def show(label: str, r: Result) -> None:
    print(
        f"{label} {r.rows:>11,} open, {DUE} due | load {r.load:6.1f} s | full sweep "
        f"{r.sweep:.3f} s (budget 0.3) = reminders {r.sweep - r.duties:.3f} s "
        f"+ daily duties (draft, digests) {r.duties:.3f} s | raw SQL floor {r.floor:.3f} s",
        flush=True,
    )


POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
SWEEP_BUDGET, SCALE_BUDGET = 0.3, 1.5


def postgres_server() -> str | None:
    """BANSO_BENCH_POSTGRES_URL, else the local server if it answers; None without one."""
    import os

    server = os.environ.get("BANSO_BENCH_POSTGRES_URL", POSTGRES)
    try:
        engine = create_engine(parse_url(server))
        with engine.connect():
            pass
        engine.dispose()
    except Exception:
        return None
    return server


def results(quick: bool = False) -> list[Row]:
    """The sweep at scale: SQLite at 1,000,000 open deadlines (and a tenth of them,
    for the growth), PostgreSQL at 10,000,000 (and a tenth); each against its
    raw-SQL floor. ``quick``: SQLite at 10,000 rows, one run, no growth (a smoke test).

    Each backend runs in a fresh process of its own (spawned, not forked), so
    that the peak memory printed for it is its own, not the larger of the two."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    server = None if quick else postgres_server()
    out: list[Row] = []
    backends: list[tuple[str, int, str | None]] = [("SQLite", 1_000_000, None)]
    if server is not None:
        backends.append(("PostgreSQL", 10_000_000, server))
    for label, rows, url in backends:
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
            out += pool.submit(backend_rows, label, rows, url, quick).result()
    if server is None and not quick:
        print("sweep: no PostgreSQL server answered (BANSO_BENCH_POSTGRES_URL): SQLite only")
    return out


def backend_rows(label: str, rows: int, server: str | None, quick: bool) -> list[Row]:
    """One backend's rows (its sweep, and its growth unless ``quick``), measured in
    this process; ``server``: the PostgreSQL server, None for SQLite."""
    run: Backend = run_sqlite
    if server is not None:
        url = server
        run = lambda n, r, p: run_postgres(url, n, r, p)  # noqa: E731
    runs = 1 if quick else 3
    out: list[Row] = []
    big = run(10 * DUE if quick else rows, runs, False)
    peak = peak_mb()
    out.append(
        row(
            f"sweep {label}, {DUE:,} due of {big.rows:,} open",
            f"{big.sweep:.3f} s (raw SQL floor {big.floor:.3f} s: "
            f"{big.sweep / big.floor:.1f}× it; load {big.load:.0f} s)",
            f"≤ {SWEEP_BUDGET} s",
            big.sweep / SWEEP_BUDGET,
            big.sweep <= SWEEP_BUDGET,
            peak,
        )
    )
    if quick:
        return out
    small = run(rows // 10, runs, False)
    growth = big.sweep / small.sweep
    out.append(
        row(
            f"sweep {label}, {big.rows:,} vs {small.rows:,} open",
            f"{growth:.2f}× the time for {big.rows // small.rows}× the rows",
            f"≤ {SCALE_BUDGET}×",
            growth / SCALE_BUDGET,
            growth <= SCALE_BUDGET,
            peak_mb(),
        )
    )
    return out


if __name__ == "__main__":
    sys.exit(main())
