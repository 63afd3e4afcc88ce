"""A large SQLite database for the start-up benchmark: ``python -m bench.bigdb DIR``.

``banso init --sample okayama`` through the normal migrations (so the schema,
indexes and settings are the real ones), the prefecture, the lead and the
consultants through ``banso person add``; then ``--ready`` engagements walked
through the real commands up to 計画承認済 (propose / agree the expert, schedule
and record the hearing, draft and approve the plan), so that ``banso engagement
start ID`` has real work to do on them. Then, straight into SQLite with
``executemany``, the bulk: ``--engagements`` (50,000) engagements of synthetic
organisations, ``--dispatches`` (500,000) dispatches and ``--deadlines``
(1,000,000) deadlines spread over ten fiscal years, most of them met, as a
long-running programme would have them. ``ANALYZE`` at the end, as an operator
would after a load.

Prints what it built and how long it took; the benchmark (bench.bench_commands)
reads the ready engagements' ids from ``DIR/ready.txt``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import random
import sqlite3
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SET_UP_NOW = "2026-04-01T09:00+09:00"  # the programme's set-up, at the fiscal year's start
PREFECTURE = "taro@pref.okayama.example.jp"
LEAD = "lead@contractor.example.jp"
CONSULTANTS = [f"consultant{i:02d}@contractor.example.jp" for i in range(20)]
FIRST_YEAR = 2017  # the bulk's deadlines and dispatches span FIRST_YEAR … 2026
YEARS = 10
BATCH = 20_000


@dataclass(frozen=True)
class BigDb:
    folder: Path

    @property
    def path(self) -> Path:
        return self.folder / "big.db"

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    @property
    def config(self) -> Path:
        return self.folder / "banso.toml"

    def environ(self, now: str) -> dict[str, str]:
        """The ``BANSO_*`` variables a command on this database runs with."""
        return {
            "BANSO_NOW": now,
            "BANSO_MAIL_URL": f"file://{self.folder / 'mail'}",
            "BANSO_IDENTITY": "trust",
            "BANSO_AUDIT_KEY_FILE": str(self.folder / "banso-audit.key"),
            "BANSO_LANG": "ja",
        }

    @property
    def ready(self) -> list[int]:
        return [int(x) for x in (self.folder / "ready.txt").read_text().split()]


def banso(db: BigDb, *args: str, user: str | None = None, now: str = SET_UP_NOW) -> str:
    """``banso --db URL ARGS`` in this process; its output, or an error."""
    from banso.admin.cli import main

    argv = ["--db", db.url, "--config", str(db.config), "--json"]
    argv += [*(["--as", user] if user else []), *args]
    out, err = io.StringIO(), io.StringIO()  # the trust-mode notice on every call
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv, environ=db.environ(now))
        except SystemExit as exc:
            if exc.code:
                raise RuntimeError(
                    f"banso {' '.join(args)} → {exc.code}: {err.getvalue()}"
                ) from exc
    return out.getvalue()


def set_up(db: BigDb) -> None:
    db.config.write_text("", encoding="utf-8")  # no settings: the defaults
    banso(db, "init", "--sample", "okayama")
    add = ("person", "add", "--name")
    banso(db, *add, "県 太郎", "--email", PREFECTURE, "--role", "prefecture", "--org", "330001")
    banso(db, *add, "責任 者", "--email", LEAD, "--role", "lead", user=PREFECTURE)
    for n, email in enumerate(CONSULTANTS):
        banso(db, *add, f"専門 人材{n}", "--email", email, "--role", "consultant", user=LEAD)


def walk_ready(db: BigDb, count: int) -> list[int]:
    """``count`` engagements through the real commands up to 計画承認済; their ids."""
    import json

    conn = sqlite3.connect(db.path)
    orgs = [r[0] for r in conn.execute("SELECT code FROM organisations WHERE kind != 'prefecture'")]
    themes = [r[0] for r in conn.execute("SELECT code FROM themes WHERE parent_id IS NULL")]
    conn.close()
    pairs = [(o, t) for t in themes for o in orgs]
    ready: list[int] = []
    for i, (org, theme) in enumerate(pairs[:count]):
        who = CONSULTANTS[i % len(CONSULTANTS)]
        made = json.loads(banso(db, "engagement", "new", "--org", org, "--theme", theme, user=LEAD))
        eid = str(made["id"])
        banso(db, "engagement", "propose-expert", eid, "--consultant", who, user=LEAD)
        banso(db, "engagement", "agree-expert", eid, user=PREFECTURE)
        at = f"2026-04-{6 + i % 5:02d}T{10 + i % 6}:00+09:00"
        banso(db, "engagement", "schedule-hearing", eid, "--at", at, "--consultant", who, user=LEAD)
        banso(db, "engagement", "record-hearing", eid, "--findings", "窓口の課題", user=who)
        banso(db, "engagement", "draft-plan", eid, "--goals", "目標", "--planned-dispatches", "5",
              user=who)  # fmt: skip
        banso(db, "engagement", "approve-plan", eid, user=PREFECTURE)
        ready.append(int(eid))
    return ready


def _t(moment: datetime) -> str:
    # SQLAlchemy's SQLite format (naive UTC, microseconds): compared as text.
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _insert(
    conn: sqlite3.Connection, table: str, columns: str, rows: Iterator[tuple[Any, ...]]
) -> int:
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * (columns.count(',') + 1))})"
    total = 0
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            conn.executemany(sql, batch)
            total += len(batch)
            batch.clear()
    conn.executemany(sql, batch)
    return total + len(batch)


def load_bulk(db: BigDb, engagements: int, dispatches: int, deadlines: int) -> dict[str, int]:
    """The bulk rows, straight into SQLite: synthetic organisations so that every
    engagement has its own organisation × theme, as the open-engagement index wants."""
    rng = random.Random(15)
    conn = sqlite3.connect(db.path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")  # a benchmark load: durability is not the point
    conn.execute("PRAGMA journal_mode=MEMORY")
    conn.execute("BEGIN")
    # The bulk goes in without the tables' secondary indexes, which are then built
    # again from the same statements (sqlite_master): one sorted build instead of
    # a million scattered index updates. The schema ends as the migrations made it.
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('engagements', 'dispatches', 'deadlines')"
    ).fetchall()
    for name, _sql in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    themes = [r[0] for r in conn.execute("SELECT id FROM themes WHERE parent_id IS NULL")]
    people = [r[0] for r in conn.execute("SELECT id FROM people WHERE role = 'consultant'")]
    emails = [r[0] for r in conn.execute("SELECT email FROM people WHERE role = 'consultant'")]
    first_org = int(conn.execute("SELECT max(id) FROM organisations").fetchone()[0]) + 1
    n_orgs = engagements // len(themes) + 1
    _insert(
        conn,
        "organisations",
        "id, code, name, kind",
        ((first_org + i, f"B{i:07d}", f"検証団体{i}", "municipality") for i in range(n_orgs)),
    )
    first_eng = int(conn.execute("SELECT coalesce(max(id), 0) FROM engagements").fetchone()[0]) + 1
    start = datetime(FIRST_YEAR, 4, 1, 9, tzinfo=UTC)
    span = YEARS * 365 * 86400

    def engagement_rows() -> Iterator[tuple[Any, ...]]:
        for i in range(engagements):
            created = start + timedelta(seconds=rng.randrange(span))
            state = ("reported", "in_support", "withdrawn", "reported")[i % 4]
            who = people[i % len(people)]
            yield (first_eng + i, first_org + i // len(themes), themes[i % len(themes)], who, who,
                   "要望", "担当 者", "contact@city.example.jp", "ヒアリング所見", "目標", 10,
                   state, 5, _t(created), _t(created + timedelta(days=30)))  # fmt: skip

    cols = (
        "id, org_id, theme_id, consultant_id, agreed_consultant_id, request, contact_name, "
        "contact_email, findings, goals, planned_dispatches, state, version, created_at, updated_at"
    )
    made = {"engagements": _insert(conn, "engagements", cols, engagement_rows())}

    def dispatch_rows() -> Iterator[tuple[Any, ...]]:
        for i in range(dispatches):
            at = start + timedelta(seconds=rng.randrange(span))
            tokyo = at + timedelta(hours=9)
            fy = tokyo.year if tokyo.month >= 4 else tokyo.year - 1
            yield (first_eng + i % engagements, people[i % len(people)], _t(at),
                   ("onsite", "web")[i % 2], f"{tokyo:%Y-%m}", fy, i % 3 == 0,
                   "実施内容の要旨", 2.0, "held", 3, _t(at), _t(at))  # fmt: skip

    cols = (
        "engagement_id, consultant_id, at, mode, month, fiscal_year, standardization, summary, "
        "hours, state, version, created_at, updated_at"
    )
    made["dispatches"] = _insert(conn, "dispatches", cols, dispatch_rows())

    def deadline_rows() -> Iterator[tuple[Any, ...]]:
        for i in range(deadlines):
            due = (start + timedelta(seconds=rng.randrange(span))).date()
            created = datetime(due.year, due.month, due.day, tzinfo=UTC) - timedelta(days=10)
            met = i % 50 != 0  # a few left open or missed, as history has them
            status = "met" if met else ("missed" if i % 100 == 0 else "open")
            about = ("engagement", first_eng + i % engagements) if i % 2 else (
                "dispatch", 1 + i % max(dispatches, 1))  # fmt: skip
            yield ("record", "派遣実施記録の登録（検証団体）", *about, None, due.isoformat(),
                   due.isoformat(), "実施日から3営業日以内", status, emails[i % len(emails)],
                   5 if met else 0, None if met else _t(created), _t(created),
                   _t(created + timedelta(days=3)) if met else None)  # fmt: skip

    cols = (
        "obligation, title, about_kind, about_id, org_id, due_as_written, due, explanation, "
        "status, responsible, next_step, next_fire_at, created_at, met_at"
    )
    made["deadlines"] = _insert(conn, "deadlines", cols, deadline_rows())
    for _name, sql in indexes:
        conn.execute(sql)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    return made


def build(
    folder: Path,
    *,
    engagements: int = 50_000,
    dispatches: int = 500_000,
    deadlines: int = 1_000_000,
    ready: int = 12,
    say: Mapping[str, Any] | None = None,
) -> BigDb:
    """The database in ``folder`` (made if need be); prints nothing unless ``say``."""
    from banso.admin.logs import configure_logging

    folder.mkdir(parents=True, exist_ok=True)
    db = BigDb(folder)
    t0 = time.perf_counter()
    set_up(db)
    ids = walk_ready(db, ready)
    configure_logging("json", stream=io.StringIO())  # the set-up's commands set a terminal up
    (folder / "ready.txt").write_text(" ".join(map(str, ids)))
    t1 = time.perf_counter()
    made = load_bulk(db, engagements, dispatches, deadlines)
    t2 = time.perf_counter()
    if say is not None:
        print(
            f"{db.path}: set-up and {len(ids)} ready engagements through banso {t1 - t0:.1f} s; "
            + ", ".join(f"{n:,} {what}" for what, n in made.items())
            + f" in {t2 - t1:.1f} s",
            flush=True,
        )
    return db


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("folder", type=Path, help="an empty or new folder")
    parser.add_argument("--engagements", type=int, default=50_000)
    parser.add_argument("--dispatches", type=int, default=500_000)
    parser.add_argument("--deadlines", type=int, default=1_000_000)
    parser.add_argument("--ready", type=int, default=12, help="engagements ready to start")
    args = parser.parse_args(argv)
    if (args.folder / "big.db").exists():
        parser.error(f"{args.folder / 'big.db'} exists already")
    build(
        args.folder,
        engagements=args.engagements,
        dispatches=args.dispatches,
        deadlines=args.deadlines,
        ready=args.ready,
        say={},
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
