"""The storage part of one deadline sweep, at scale (printed, not asserted).

    python -m bench.bench_sweep_store                       # SQLite, 1,000,000 deadlines
    python -m bench.bench_sweep_store --pg postgresql://postgres@127.0.0.1:5432/postgres
    python -m bench.bench_sweep_store --rows 100000 --rows 1000000   # and the ratio

A fresh database (a SQLite file in a temporary folder, or a throwaway
PostgreSQL database created and dropped on the given server) is loaded with N
open deadlines, 1,000 of them due. Then, best of ``--runs`` with 1,000 fresh
due rows each time, it times:

* Banso: ``SqlDeadlineStore.due(now, 1000)`` + ``advance(1000 updates)`` +
  ``SqlOutbox.enqueue(1000 messages)`` + commit, through SQLAlchemy;
* plain SQL: the same SELECT … LIMIT 1000, executemany UPDATE and executemany
  INSERT … ON CONFLICT DO NOTHING on a bare DB-API connection.

The issue's budget: ≤ 0.3 s for a whole sweep (rendering included) where
plain SQL takes ~0.03 s, and 10× the deadlines ≤ 1.5× the time. Given several
``--rows``, each size's time is also shown as a ratio to the first.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
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

from banso.engine.deadlines import OPEN
from banso.engine.outbox import OutgoingMessage, message_id_for
from banso.storage.db import make_engine, parse_url
from banso.storage.deadlines import SqlDeadlineStore, due_query
from banso.storage.migrate import upgrade
from banso.storage.outbox import SqlOutbox

NOW = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo, a Monday
DUE = 1000
BATCH = 50_000
LEAD = "lead@contractor.example.jp"
COLUMNS = (
    "obligation, title, about_kind, about_id, org_id, due_as_written, due, explanation, "
    "status, responsible, next_step, next_fire_at, created_at, met_at"
)
OUTBOX_COLUMNS = (
    'key, kind, state, "to", cc, subject, text_body, html_body, attachments, about_kind, '
    "about_id, attempts, next_attempt_at, last_error, message_id, sent_at, created_at"
)


@dataclass
class Result:
    rows: int
    load: float
    python: float
    plain: float
    plan: str


# -- generating and loading --------------------------------------------------------


def _rows(total: int, rng: random.Random) -> Iterator[tuple[Any, ...]]:
    """(about_id, due, next_fire_at) for ``total`` open deadlines, DUE of them due now."""
    fy_start = date(2026, 4, 1)
    for i in range(total):
        due = fy_start + timedelta(days=rng.randrange(365))
        if i % (total // DUE) == 0 and i // (total // DUE) < DUE:
            fire = NOW - timedelta(seconds=rng.randrange(1, 86_400))
        else:
            fire = NOW + timedelta(seconds=rng.randrange(60, 365 * 86_400))
        yield i, due, fire


def _sqlite_time(moment: datetime) -> str:
    # SQLAlchemy's SQLite format (naive UTC, microseconds): compared as text.
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def load_sqlite(path: Path, total: int) -> None:
    created = _sqlite_time(NOW - timedelta(days=60))
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")  # a benchmark load: durability is not the point
    conn.execute("PRAGMA cache_size=-1000000")  # 1 GB: keeps the index pages in memory
    sql = f"INSERT INTO deadlines ({COLUMNS}) VALUES ({', '.join('?' * 14)})"
    batch: list[tuple[Any, ...]] = []
    rng = random.Random(1)

    def flush() -> None:
        conn.execute("BEGIN")
        conn.executemany(sql, batch)
        conn.execute("COMMIT")
        batch.clear()

    for i, due, fire in _rows(total, rng):
        day = due.isoformat()
        batch.append(
            (
                "hearing",
                "ヒアリングの実施",
                "engagement",
                i,
                None,
                day,
                day,
                "起算日から10営業日以内",
                OPEN,
                LEAD,
                0,
                _sqlite_time(fire),
                created,
                None,
            )
        )
        if len(batch) == BATCH:
            flush()
    if batch:
        flush()
    conn.execute("ANALYZE")
    conn.close()


def load_postgres(dsn: str, total: int) -> None:
    created = (NOW - timedelta(days=60)).isoformat()
    rng = random.Random(1)
    with psycopg.connect(dsn) as conn:
        with conn.cursor() as cur, cur.copy(f"COPY deadlines ({COLUMNS}) FROM STDIN") as copy:
            lines: list[str] = []
            for i, due, fire in _rows(total, rng):
                day = due.isoformat()
                lines.append(
                    f"hearing\tヒアリングの実施\tengagement\t{i}\t\\N\t{day}\t{day}\t"
                    f"起算日から10営業日以内\t{OPEN}\t{LEAD}\t0\t{fire.isoformat()}\t{created}\t\\N\n"
                )
                if len(lines) == BATCH:
                    copy.write("".join(lines))
                    lines.clear()
            if lines:
                copy.write("".join(lines))
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE deadlines")


# -- one sweep, two ways --------------------------------------------------------------


def _next_fire(rng: random.Random) -> datetime:
    return NOW + timedelta(days=1 + rng.randrange(30), seconds=rng.randrange(86_400))


def _message(ident: int, step: int, title: str, responsible: str) -> OutgoingMessage:
    return OutgoingMessage(
        key=f"deadline:{ident}:{step}",
        kind="deadline_reminder",
        to=(responsible,),
        subject=f"【リマインド】{title}",
        text=f"{title}の期限が近づいています。",
        about_kind="engagement",
        about_id=ident,
    )


def sweep_python(engine: Engine, rng: random.Random) -> int:
    with Session(engine, expire_on_commit=False) as session:
        store = SqlDeadlineStore(session)
        rows = store.due(NOW, DUE)
        store.advance([(d.id, d.next_step + 1, _next_fire(rng), d.status) for d in rows])
        messages = [_message(d.id, d.next_step, d.title, d.responsible) for d in rows]
        SqlOutbox(session).enqueue(messages, NOW)
        session.commit()
    return len(rows)


def _outbox_params(rows: list[Any], now: Any, to: Callable[[str], Any]) -> list[tuple[Any, ...]]:
    return [
        (
            f"deadline:{r[0]}:{r[1]}",
            "deadline_reminder",
            "queued",
            to(r[3]),
            "[]",
            f"【リマインド】{r[2]}",
            f"{r[2]}の期限が近づいています。",
            None,
            "[]",
            "engagement",
            r[0],
            0,
            now,
            None,
            message_id_for(f"deadline:{r[0]}:{r[1]}"),
            None,
            now,
        )
        for r in rows
    ]


SELECT_DUE = (
    "SELECT id, next_step, title, responsible, status FROM deadlines "
    "WHERE next_fire_at <= {p} ORDER BY next_fire_at LIMIT {limit}"
)


def sweep_plain_sqlite(conn: sqlite3.Connection, rng: random.Random) -> int:
    now = _sqlite_time(NOW)
    conn.execute("BEGIN IMMEDIATE")
    rows = conn.execute(SELECT_DUE.format(p="?", limit=DUE), (now,)).fetchall()
    conn.executemany(
        "UPDATE deadlines SET next_step = ?, next_fire_at = ?, status = ? WHERE id = ?",
        [(r[1] + 1, _sqlite_time(_next_fire(rng)), r[4], r[0]) for r in rows],
    )
    conn.executemany(
        f"INSERT INTO outbox ({OUTBOX_COLUMNS}) VALUES ({', '.join('?' * 17)}) "
        "ON CONFLICT (key) DO NOTHING",
        _outbox_params(rows, now, lambda to: f'["{to}"]'),
    )
    conn.execute("COMMIT")
    return len(rows)


def sweep_plain_postgres(conn: psycopg.Connection[Any], rng: random.Random) -> int:
    with conn.cursor() as cur:
        cur.execute(SELECT_DUE.format(p="%s", limit=DUE) + " FOR UPDATE SKIP LOCKED", (NOW,))
        rows = cur.fetchall()
        cur.executemany(
            "UPDATE deadlines SET next_step = %s, next_fire_at = %s, status = %s WHERE id = %s",
            [(r[1] + 1, _next_fire(rng), r[4], r[0]) for r in rows],
        )
        cur.executemany(
            f"INSERT INTO outbox ({OUTBOX_COLUMNS}) VALUES ({', '.join(['%s'] * 17)}) "
            "ON CONFLICT (key) DO NOTHING",
            _outbox_params(rows, NOW, lambda to: psycopg.types.json.Jsonb([to])),
        )
    conn.commit()
    return len(rows)


def arm(engine: Engine, total: int, rng: random.Random) -> None:
    """Make DUE random deadlines due (untimed): every run sweeps fresh rows."""
    ids = rng.sample(range(1, total + 1), DUE)
    with Session(engine) as session:
        params = [{"id": i, "fire": NOW - timedelta(seconds=rng.randrange(1, 86_400))} for i in ids]
        session.execute(text("UPDATE deadlines SET next_fire_at = :fire WHERE id = :id"), params)
        session.commit()


def explain(engine: Engine) -> str:
    with engine.connect() as conn:
        compiled = due_query(NOW, DUE).compile(dialect=conn.dialect)
        if conn.dialect.name == "sqlite":
            sql = f"EXPLAIN QUERY PLAN {compiled}"
            values = tuple(
                _sqlite_time(v) if isinstance(v, datetime) else v
                for v in (compiled.params[k] for k in compiled.positiontup or ())
            )
            return "\n".join(str(r[-1]) for r in conn.exec_driver_sql(sql, values))
        sql = f"EXPLAIN (ANALYZE, BUFFERS) {compiled}"
        plan = "\n".join(str(r[0]) for r in conn.exec_driver_sql(sql, compiled.params))
        conn.rollback()  # EXPLAIN ANALYZE took the row locks: let them go
        return plan


def measure(
    engine: Engine, total: int, runs: int, plain: Callable[[random.Random], int]
) -> tuple[float, float]:
    rng = random.Random(2)
    best_python = best_plain = float("inf")
    for run in range(runs):
        if run:
            arm(engine, total, rng)
        start = time.perf_counter()
        swept = sweep_python(engine, rng)
        best_python = min(best_python, time.perf_counter() - start)
        assert swept == DUE, f"Banso swept {swept} deadlines, expected {DUE}"
        arm(engine, total, rng)
        start = time.perf_counter()
        swept = plain(rng)
        best_plain = min(best_plain, time.perf_counter() - start)
        assert swept == DUE, f"plain SQL swept {swept} deadlines, expected {DUE}"
    return best_python, best_plain


def run_sqlite(total: int, runs: int) -> Result:
    with tempfile.TemporaryDirectory(prefix="banso-bench-") as folder:
        path = Path(folder) / "bench.db"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        start = time.perf_counter()
        load_sqlite(path, total)
        load = time.perf_counter() - start
        plan = explain(engine)
        # The same settings the engine uses: WAL, synchronous=NORMAL.
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA synchronous=NORMAL")
        try:
            python, plain = measure(engine, total, runs, lambda rng: sweep_plain_sqlite(conn, rng))
        finally:
            conn.close()
            engine.dispose()
    return Result(total, load, python, plain, plan)


def run_postgres(server: str, total: int, runs: int) -> Result:
    base = parse_url(server)
    name = f"banso_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name)
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        upgrade(engine)
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        start = time.perf_counter()
        load_postgres(dsn, total)
        load = time.perf_counter() - start
        plan = explain(engine)
        with psycopg.connect(dsn) as conn:
            python, plain = measure(
                engine, total, runs, lambda rng: sweep_plain_postgres(conn, rng)
            )
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return Result(total, load, python, plain, plan)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--pg", metavar="URL", help="PostgreSQL server (default: SQLite)")
    parser.add_argument(
        "--rows",
        type=int,
        action="append",
        metavar="N",
        help="open deadlines (default 1,000,000); repeat to compare sizes",
    )
    parser.add_argument("--runs", type=int, default=5, help="best of this many (default 5)")
    parser.add_argument("--plan", action="store_true", help="print the due query's plan")
    args = parser.parse_args(argv)
    sizes: list[int] = args.rows or [1_000_000]
    if min(sizes) < 10 * DUE:
        parser.error(f"--rows must be at least {10 * DUE}")
    backend = "PostgreSQL" if args.pg else "SQLite"
    results: list[Result] = []
    for total in sizes:
        result = (
            run_postgres(args.pg, total, args.runs) if args.pg else run_sqlite(total, args.runs)
        )
        results.append(result)
        first = results[0]
        print(
            f"{backend} {total:>11,} open, {DUE} due | load {result.load:6.1f} s | "
            f"Banso {result.python:.4f} s | plain SQL {result.plain:.4f} s | "
            f"Banso/plain {result.python / result.plain:4.1f}x"
            + (
                f" | vs {first.rows:,}: Banso {result.python / first.python:.2f}x, "
                f"plain {result.plain / first.plain:.2f}x"
                if result is not first
                else ""
            ),
            flush=True,
        )
        if args.plan:
            print("  plan of due():\n    " + result.plan.replace("\n", "\n    "), flush=True)


if __name__ == "__main__":
    main()
