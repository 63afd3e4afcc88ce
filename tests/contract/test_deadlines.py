"""Deadlines: opened, met, reopened and cancelled with the changes that cause them; the
sweep's due/advance; the calendar's and the digest's listings."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from banso.engine.calendar import DueDate
from banso.engine.deadlines import CANCELLED, MET, MISSED, OPEN, Deadline
from banso.engine.errors import InvalidValue
from banso.services.ports import Deadlines
from tests.contract.backends import NOW, Backend, Seed

LEAD = "lead"
HANAKO = "hanako@example.jp"


def open_one(
    deadlines: Deadlines,
    about_id: int | None,
    *,
    obligation: str = "hearing",
    about_kind: str | None = "engagement",
    due: date = date(2026, 6, 15),
    fire_at: datetime | None = NOW,
    step: int = 0,
    responsible: str = LEAD,
    org_id: int | None = None,
) -> int:
    return deadlines.open(
        obligation=obligation,
        title=f"ヒアリングの実施（{about_id}）",
        about_kind=about_kind,
        about_id=about_id,
        org_id=org_id,
        due=DueDate(due - timedelta(days=1), due, "翌営業日"),
        responsible=responsible,
        first_step=step,
        first_fire_at=fire_at,
        now=NOW - timedelta(days=10),
    )


def test_an_opened_deadline_reads_back_whole(backend: Backend, master: Seed) -> None:
    with backend.uow() as uow:
        ident = open_one(uow.deadlines, 7, step=1, org_id=master.org)
        programme = open_one(uow.deadlines, None, about_kind=None, obligation="kickoff")
        uow.commit()
    with backend.uow(readonly=True) as uow:
        d = uow.deadlines
        assert d.find("engagement", 7, "hearing") == Deadline(
            id=ident,
            obligation="hearing",
            title="ヒアリングの実施（7）",
            about_kind="engagement",
            about_id=7,
            org_id=master.org,
            due_as_written=date(2026, 6, 14),
            due=date(2026, 6, 15),
            explanation="翌営業日",
            status=OPEN,
            responsible=LEAD,
            next_step=1,
            next_fire_at=NOW,
        )
        assert d.exists("engagement", 7, "hearing")
        assert not d.exists("engagement", 7, "plan") and not d.exists("engagement", 8, "hearing")
        # A missing part of "about" is matched as NULL, not as nothing.
        assert d.exists(None, None, "kickoff")
        assert d.find(None, None, "kickoff").id == programme  # type: ignore[union-attr]
        assert d.find("engagement", 8, "hearing") is None


def test_meet_reopen_and_cancel_move_only_the_statuses_they_may(backend: Backend) -> None:
    later = NOW + timedelta(days=1)
    with backend.uow() as uow:
        d = uow.deadlines
        open_one(d, 1)
        open_one(d, 2)
        assert d.meet("engagement", 1, "hearing", later) == 1
        assert d.meet("engagement", 1, "hearing", later) == 0  # met already
        assert d.reopen("engagement", 2, "hearing", first_fire_at=later) == 0  # never met
        uow.commit()
    with backend.uow() as uow:
        d = uow.deadlines
        met = d.find("engagement", 1, "hearing")
        assert met is not None and (met.status, met.next_fire_at) == (MET, None)
        assert d.reopen("engagement", 1, "hearing", first_step=3, first_fire_at=later) == 1
        assert d.cancel("engagement", 2, "hearing") == 1
        assert d.cancel("engagement", 2, "hearing") == 0
        assert d.meet("engagement", 2, "hearing", later) == 0  # cancelled stays cancelled
        uow.commit()
    with backend.uow(readonly=True) as uow:
        d = uow.deadlines
        reopened, cancelled = d.find("engagement", 1, "hearing"), d.find("engagement", 2, "hearing")
    assert reopened is not None and cancelled is not None
    assert (reopened.status, reopened.next_step, reopened.next_fire_at) == (OPEN, 3, later)
    assert (cancelled.status, cancelled.next_fire_at) == (CANCELLED, None)


def test_find_gives_the_latest_of_several(backend: Backend) -> None:
    with backend.uow() as uow:
        open_one(uow.deadlines, 1, obligation="report_before_meeting")
        uow.deadlines.cancel("engagement", 1, "report_before_meeting")
        newer = open_one(uow.deadlines, 1, obligation="report_before_meeting")
        uow.commit()
    with backend.uow(readonly=True) as uow:
        found = uow.deadlines.find("engagement", 1, "report_before_meeting")
    assert found is not None and (found.id, found.status) == (newer, OPEN)


def test_the_sweep_takes_what_is_due_oldest_first_and_advances_it(backend: Backend) -> None:
    with backend.uow() as uow:
        d = uow.deadlines
        late = open_one(d, 1, fire_at=NOW - timedelta(hours=1))
        oldest = open_one(d, 2, fire_at=NOW - timedelta(days=2))
        exact = open_one(d, 3, fire_at=NOW)
        open_one(d, 4, fire_at=NOW + timedelta(seconds=1))  # not yet
        open_one(d, 5, fire_at=None)  # never reminded
        met = open_one(d, 6, fire_at=NOW - timedelta(days=3))
        d.meet("engagement", 6, "hearing", NOW)  # met: out of the sweep
        uow.commit()
    with backend.uow() as uow:
        d = uow.deadlines
        assert [x.id for x in d.due(NOW, 10)] == [oldest, late, exact]
        assert [x.id for x in d.due(NOW, 2)] == [oldest, late]
        d.advance(
            [
                (oldest, 4, NOW + timedelta(days=3), MISSED),
                (late, 1, NOW + timedelta(days=1), OPEN),
                (exact, 2, NOW + timedelta(days=1), MET),  # met: the fire time is cleared
            ]
        )
        uow.commit()
    with backend.uow(readonly=True) as uow:
        d = uow.deadlines
        assert d.due(NOW, 10) == []
        first = d.find("engagement", 2, "hearing")
        third = d.find("engagement", 3, "hearing")
        assert first is not None and third is not None
        assert (first.next_step, first.next_fire_at, first.status) == (
            4, NOW + timedelta(days=3), MISSED,
        )  # fmt: skip
        assert (third.status, third.next_fire_at) == (MET, None)
        assert [x.id for x in d.due(NOW + timedelta(days=3), 10)][-1] == oldest
        assert met not in [x.id for x in d.due(NOW + timedelta(days=30), 10)]


def test_the_calendar_lists_by_effective_due_date_then_id(backend: Backend) -> None:
    with backend.uow() as uow:
        d = uow.deadlines
        b = open_one(d, 1, due=date(2026, 6, 20))
        a = open_one(d, 2, due=date(2026, 6, 10))
        c = open_one(d, 3, due=date(2026, 6, 20))
        open_one(d, 4, due=date(2026, 7, 1))
        d.meet("engagement", 3, "hearing", NOW)
        uow.commit()
    with backend.uow(readonly=True) as uow:
        d = uow.deadlines
        june = d.list(date(2026, 6, 1), date(2026, 6, 30))
        assert [x.id for x in june] == [a, b, c]
        assert [x.id for x in d.list(date(2026, 6, 10), date(2026, 6, 20), MET)] == [c]
        assert d.list(date(2026, 6, 11), date(2026, 6, 19)) == []
        with pytest.raises(InvalidValue):
            d.list(date(2026, 6, 1), date(2026, 6, 30), "late")


def test_owned_by_gives_an_owners_active_deadlines_by_due_date(backend: Backend) -> None:
    with backend.uow() as uow:
        d = uow.deadlines
        mine_late = open_one(d, 1, due=date(2026, 6, 12), responsible=HANAKO)
        leads = open_one(d, 2, due=date(2026, 6, 8))
        mine_soon = open_one(d, 3, due=date(2026, 6, 5), responsible=HANAKO)
        open_one(d, 4, due=date(2026, 6, 30), responsible=HANAKO)  # beyond the horizon
        open_one(d, 5, due=date(2026, 6, 6), responsible="jiro@example.jp")
        open_one(d, 6, due=date(2026, 6, 6), responsible=HANAKO)
        d.meet("engagement", 6, "hearing", NOW)
        uow.commit()
    with backend.uow(readonly=True) as uow:
        owned = uow.deadlines.owned_by([HANAKO, LEAD], (OPEN, MISSED), date(2026, 6, 12))
        assert [x.id for x in owned] == [mine_soon, leads, mine_late]
        assert uow.deadlines.owned_by([HANAKO], (MET,), date(2026, 6, 30))[0].about_id == 6
        assert uow.deadlines.owned_by([], (OPEN,), date(2026, 6, 30)) == []
