"""Deadlines in SQL against real databases (SQLite and PostgreSQL, ``engine``):
transitions opening and closing them, and the sweep's due/advance by index.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, Select, insert, text
from sqlalchemy.orm import Session

from banso.engine.calendar import DueDate
from banso.engine.deadlines import CANCELLED, MET, MISSED, OPEN, Deadline
from banso.engine.errors import InvalidValue, NotFound
from banso.storage.db import make_engine
from banso.storage.deadlines import SqlDeadlines, SqlDeadlineStore, due_query
from banso.storage.migrate import upgrade
from banso.storage.models import DeadlineRow
from banso.storage.uow import SqlUnitOfWork

NOW = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo
LEAD = "lead@contractor.example.jp"


def uow(engine: Engine) -> SqlUnitOfWork:
    return SqlUnitOfWork(engine, record_classes={})


def due_date(effective: date, as_written: date | None = None) -> DueDate:
    return DueDate(as_written or effective, effective, "翌月10日まで")


def open_one(
    deadlines: SqlDeadlines,
    about_id: int | None,
    *,
    obligation: str = "hearing",
    about_kind: str | None = "engagement",
    due: date = date(2026, 6, 15),
    fire_at: datetime | None = NOW,
    step: int = 0,
) -> int:
    return deadlines.open(
        obligation=obligation,
        title=f"ヒアリングの実施（{about_id}）",
        about_kind=about_kind,
        about_id=about_id,
        org_id=None,
        due=due_date(due),
        responsible=LEAD,
        first_step=step,
        first_fire_at=fire_at,
        now=NOW - timedelta(days=10),
    )


def explain(conn: Connection, stmt: Select[Any]) -> str:
    """The backend's plan for ``stmt``, as text."""
    compiled = stmt.compile(dialect=conn.dialect)
    if conn.dialect.name == "sqlite":
        # Values do not change SQLite's plan; a string avoids the sqlite3 adapters.
        values = [compiled.params[name] for name in compiled.positiontup or ()]
        params: Any = tuple(str(v) if isinstance(v, datetime) else v for v in values)
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", params).all()
        return "\n".join(str(row[-1]) for row in rows)
    rows = conn.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params).all()
    return "\n".join(str(row[0]) for row in rows)


# -- opened and closed by transitions -------------------------------------------------


def test_open_meet_reopen_cancel(engine: Engine) -> None:
    with uow(engine) as work:
        deadlines = SqlDeadlines(work.session)
        ident = open_one(deadlines, 7, due=date(2026, 6, 15), step=2)
        assert deadlines.exists("engagement", 7, "hearing")
        assert not deadlines.exists("engagement", 7, "plan")
        assert not deadlines.exists("engagement", 8, "hearing")
        opened = deadlines.get(ident)
        assert opened == Deadline(
            id=ident,
            obligation="hearing",
            title="ヒアリングの実施（7）",
            about_kind="engagement",
            about_id=7,
            org_id=None,
            due_as_written=date(2026, 6, 15),
            due=date(2026, 6, 15),
            explanation="翌月10日まで",
            status=OPEN,
            responsible=LEAD,
            next_step=2,
            next_fire_at=NOW,
        )
        assert deadlines.find("engagement", 7, "hearing") == opened

        met_at = NOW + timedelta(days=1)
        assert deadlines.meet("engagement", 7, "hearing", met_at) == 1
        met = deadlines.get(ident)
        assert (met.status, met.next_fire_at) == (MET, None)
        assert work.session.get(DeadlineRow, ident).met_at == met_at  # type: ignore[union-attr]
        assert deadlines.meet("engagement", 7, "hearing", met_at) == 0, "already met"
        assert deadlines.cancel("engagement", 7, "hearing") == 0, "a met deadline stays met"

        again = NOW + timedelta(days=3)
        assert deadlines.reopen("engagement", 7, "hearing", first_step=4, first_fire_at=again) == 1
        reopened = deadlines.get(ident)
        assert (reopened.status, reopened.next_step, reopened.next_fire_at) == (OPEN, 4, again)
        assert deadlines.reopen("engagement", 7, "hearing", first_fire_at=again) == 0, "not met"

        assert deadlines.cancel("engagement", 7, "hearing") == 1
        cancelled = deadlines.get(ident)
        assert (cancelled.status, cancelled.next_fire_at) == (CANCELLED, None)
        assert deadlines.meet("engagement", 7, "hearing", met_at) == 0, "cancelled stays so"
        assert deadlines.reopen("engagement", 7, "hearing", first_fire_at=again) == 0
        work.commit()


def test_a_missed_deadline_can_still_be_met(engine: Engine) -> None:
    with uow(engine) as work:
        deadlines = SqlDeadlines(work.session)
        ident = open_one(deadlines, 1)
        SqlDeadlineStore(work.session).advance([(ident, 5, NOW + timedelta(days=3), MISSED)])
        assert deadlines.meet("engagement", 1, "hearing", NOW) == 1
        assert deadlines.get(ident).status == MET


def test_programme_and_unattached_deadlines_are_told_apart(engine: Engine) -> None:
    with uow(engine) as work:
        deadlines = SqlDeadlines(work.session)
        april = open_one(deadlines, 202604, about_kind="programme", obligation="monthly_meeting")
        may = open_one(deadlines, 202605, about_kind="programme", obligation="monthly_meeting")
        loose = open_one(deadlines, None, about_kind=None, obligation="completion_report")
        assert deadlines.meet("programme", 202604, "monthly_meeting", NOW) == 1
        assert deadlines.get(april).status == MET
        assert deadlines.get(may).status == OPEN
        # NULL = NULL is never true in SQL: a deadline about nothing is still found.
        assert deadlines.exists(None, None, "completion_report")
        assert deadlines.meet(None, None, "completion_report", NOW) == 1
        assert deadlines.get(loose).status == MET


def test_open_once_opens_an_obligation_once_per_record_in_any_status(engine: Engine) -> None:
    def once(deadlines: SqlDeadlines, about_kind: str | None, about_id: int | None) -> int | None:
        return deadlines.open_once(
            obligation="hearing", title="ヒアリングの実施", about_kind=about_kind,
            about_id=about_id, org_id=None, due=due_date(date(2026, 6, 15)), responsible=LEAD,
            first_step=1, first_fire_at=NOW, now=NOW - timedelta(days=10),
        )  # fmt: skip

    with uow(engine) as work:
        deadlines = SqlDeadlines(work.session)
        first = once(deadlines, "engagement", 7)
        assert first is not None
        opened = deadlines.get(first)
        assert (opened.status, opened.next_step, opened.next_fire_at) == (OPEN, 1, NOW)
        assert opened.due == date(2026, 6, 15) and opened.responsible == LEAD
        assert once(deadlines, "engagement", 7) is None  # open: not again
        assert deadlines.meet("engagement", 7, "hearing", NOW) == 1
        assert once(deadlines, "engagement", 7) is None  # met: not again either
        # Another record, and one about nothing (NULL = NULL is never true in SQL).
        assert once(deadlines, "engagement", 8) not in (None, first)
        assert once(deadlines, None, None) is not None
        assert once(deadlines, None, None) is None
        work.commit()
    with uow(engine) as work:
        assert len(SqlDeadlines(work.session).list(date(2026, 1, 1), date(2027, 1, 1))) == 3


def test_deadlines_opened_in_a_unit_of_work_that_rolls_back_are_gone(engine: Engine) -> None:
    with uow(engine) as work:
        open_one(SqlDeadlines(work.session), 1)
    with uow(engine) as work:
        assert not SqlDeadlines(work.session).exists("engagement", 1, "hearing")
        with pytest.raises(NotFound):
            SqlDeadlines(work.session).get(1)
        assert SqlDeadlines(work.session).find("engagement", 1, "hearing") is None


def test_list_by_effective_due_date_then_id(engine: Engine) -> None:
    with uow(engine) as work:
        deadlines = SqlDeadlines(work.session)
        late = open_one(deadlines, 1, due=date(2026, 7, 1))
        early = open_one(deadlines, 2, due=date(2026, 6, 1))
        same_day = open_one(deadlines, 3, due=date(2026, 6, 1))
        outside = open_one(deadlines, 4, due=date(2026, 8, 1))
        deadlines.meet("engagement", 3, "hearing", NOW)
        listed = deadlines.list(date(2026, 6, 1), date(2026, 7, 1))
        assert [d.id for d in listed] == [early, same_day, late]
        assert outside not in {d.id for d in listed}
        assert [d.id for d in deadlines.list(date(2026, 6, 1), date(2026, 7, 1), OPEN)] == [
            early,
            late,
        ]
        assert [d.id for d in deadlines.list(date(2026, 1, 1), date(2026, 12, 31), MET)] == [
            same_day
        ]
        with pytest.raises(InvalidValue):
            deadlines.list(date(2026, 1, 1), date(2026, 12, 31), "done")


# -- the sweep's side -------------------------------------------------------------------


def test_due_returns_active_deadlines_whose_step_has_come_oldest_first(engine: Engine) -> None:
    with uow(engine) as work:
        deadlines = SqlDeadlines(work.session)
        ids = {
            name: open_one(deadlines, i, fire_at=fire_at)
            for i, (name, fire_at) in enumerate(
                [
                    ("now", NOW),
                    ("hour_ago", NOW - timedelta(hours=1)),
                    ("day_ago", NOW - timedelta(days=1)),
                    ("later", NOW + timedelta(seconds=1)),
                    ("never", None),
                    ("met", NOW - timedelta(days=2)),
                    ("cancelled", NOW - timedelta(days=3)),
                ]
            )
        }
        deadlines.meet("engagement", 5, "hearing", NOW)
        deadlines.cancel("engagement", 6, "hearing")
        store = SqlDeadlineStore(work.session)
        assert [d.id for d in store.due(NOW, 10)] == [ids["day_ago"], ids["hour_ago"], ids["now"]]
        assert [d.id for d in store.due(NOW, 2)] == [ids["day_ago"], ids["hour_ago"]]
        assert [d.status for d in store.due(NOW, 10)] == [OPEN] * 3
        work.commit()


def test_advance_stores_every_update_in_one_go(engine: Engine) -> None:
    with uow(engine) as work:
        deadlines = SqlDeadlines(work.session)
        a, b, c, d = (open_one(deadlines, i, fire_at=NOW - timedelta(minutes=i)) for i in range(4))
        store = SqlDeadlineStore(work.session)
        tomorrow = NOW + timedelta(days=1)
        store.advance(
            [
                (a, 1, tomorrow, OPEN),
                (b, 6, tomorrow + timedelta(days=2), MISSED),
                (c, 3, tomorrow, MET),  # met or cancelled: the fire time is dropped
                (d, 2, None, CANCELLED),
            ]
        )
        store.advance([])
        work.commit()
    with uow(engine) as work:
        deadlines = SqlDeadlines(work.session)
        got = {i: deadlines.get(i) for i in (a, b, c, d)}
        assert (got[a].next_step, got[a].next_fire_at, got[a].status) == (1, tomorrow, OPEN)
        assert (got[b].next_step, got[b].next_fire_at, got[b].status) == (
            6,
            tomorrow + timedelta(days=2),
            MISSED,
        )
        assert (got[c].next_step, got[c].next_fire_at, got[c].status) == (3, None, MET)
        assert (got[d].next_step, got[d].next_fire_at, got[d].status) == (2, None, CANCELLED)
        assert SqlDeadlineStore(work.session).due(NOW + timedelta(days=30), 10) != []
        assert {x.id for x in SqlDeadlineStore(work.session).due(NOW + timedelta(days=30), 10)} == {
            a,
            b,
        }


def test_the_sweep_selection_uses_the_next_fire_at_index(engine: Engine) -> None:
    """Cost grows with what is due, not with what is held: the plan reads the
    index range, never the whole table.

    PostgreSQL may read the range as a bitmap and sort what it found (cheap
    while few rows are due) or walk the index in order; both read only the
    due rows. SQLite walks the index in order, with no sort.
    """
    rows = 20_000
    with engine.begin() as conn:
        conn.execute(
            insert(DeadlineRow),
            [
                {
                    "obligation": "hearing",
                    "title": "t",
                    "about_kind": "engagement",
                    "about_id": i,
                    "org_id": None,
                    "due_as_written": date(2026, 7, 1),
                    "due": date(2026, 7, 1),
                    "explanation": "",
                    "status": OPEN,
                    "responsible": LEAD,
                    "next_step": 0,
                    # 1 % due now, the rest spread over the coming weeks
                    "next_fire_at": NOW - timedelta(hours=1)
                    if i % 100 == 0
                    else NOW + timedelta(minutes=1 + i),
                    "created_at": NOW,
                    "met_at": None,
                }
                for i in range(rows)
            ],
        )
        conn.exec_driver_sql("ANALYZE" if conn.dialect.name == "sqlite" else "ANALYZE deadlines")
    with engine.connect() as conn:
        plan = explain(conn, due_query(NOW, 1000))
    assert "ix_deadlines_next_fire_at" in plan, plan
    assert "SCAN deadlines\n" not in plan + "\n" and "Seq Scan" not in plan, plan
    assert "TEMP B-TREE" not in plan, plan
    with Session(engine) as session:
        assert len(SqlDeadlineStore(session).due(NOW, 1000)) == rows // 100


# -- several sweeps (PostgreSQL) -----------------------------------------------------


@pytest.fixture
def pg_engine(postgres_url: str) -> Iterator[Engine]:
    eng = make_engine(postgres_url)
    upgrade(eng)
    yield eng
    eng.dispose()


def _open_many(engine: Engine, count: int) -> list[int]:
    with uow(engine) as work:
        deadlines = SqlDeadlines(work.session)
        ids = [
            open_one(deadlines, i, fire_at=NOW - timedelta(seconds=i % 97)) for i in range(count)
        ]
        work.commit()
    return ids


@pytest.mark.postgres
def test_a_sweep_skips_deadlines_another_sweep_holds(pg_engine: Engine) -> None:
    ids = _open_many(pg_engine, 10)
    with Session(pg_engine) as first, Session(pg_engine) as second:
        held = {d.id for d in SqlDeadlineStore(first).due(NOW, 4)}
        other = {d.id for d in SqlDeadlineStore(second).due(NOW, 100)}  # no waiting
        assert len(held) == 4 and len(other) == 6
        assert held | other == set(ids)
        first.rollback()
        assert {d.id for d in SqlDeadlineStore(first).due(NOW, 100)} == held


@pytest.mark.postgres
def test_three_concurrent_sweeps_claim_disjoint_sets(pg_engine: Engine) -> None:
    total = 2000
    ids = _open_many(pg_engine, total)
    barrier = threading.Barrier(3)
    seen: list[list[int]] = [[], [], []]
    errors: list[BaseException] = []
    tomorrow = NOW + timedelta(days=1)

    def sweeper(slot: int) -> None:
        try:
            barrier.wait(timeout=10)
            while True:
                # One batch per transaction, as the sweep does: due + advance + commit.
                with Session(pg_engine) as session:
                    store = SqlDeadlineStore(session)
                    batch = store.due(NOW, 50)
                    if not batch:
                        return
                    store.advance([(d.id, d.next_step + 1, tomorrow, d.status) for d in batch])
                    session.commit()
                seen[slot].extend(d.id for d in batch)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=sweeper, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    claimed = [i for batch in seen for i in batch]
    assert sorted(claimed) == sorted(ids), "every deadline swept exactly once"
    assert sum(1 for batch in seen if batch) >= 2, "the sweeps really ran concurrently"
    with Session(pg_engine) as session:
        assert SqlDeadlineStore(session).due(NOW, 10) == []
        steps = session.execute(text("SELECT DISTINCT next_step FROM deadlines")).scalars().all()
        assert steps == [1], "no deadline advanced twice"
