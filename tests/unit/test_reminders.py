"""Reminder steps and the deadline sweep, against FY2026 (令和8年度) as DOMAIN.md lists it.

The store and the outbox are in-memory classes implementing the engine's
protocols; the calendar is the real one (holidays package + year-end closure).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

import pytest

from banso.engine.calendar import BusinessCalendar, HolidayRule
from banso.engine.clock import TOKYO, tokyo_date
from banso.engine.deadlines import ACTIVE, CANCELLED, MET, MISSED, OPEN, Deadline
from banso.engine.outbox import OutgoingMessage
from banso.engine.reminders import (
    BEFORE,
    DUE,
    OVERDUE,
    ReminderPolicy,
    Step,
    SweepReport,
    first_step,
    latest_due,
    step,
    sweep,
)

POLICY = ReminderPolicy()
FY_END = date(2027, 3, 31)
SIM_START = date(2026, 4, 1)
SIM_END = date(2027, 4, 30)  # the cutoff: the simulation runs to this day inclusive
PREFECTURE = "digital@pref.okayama.example"
LEAD = "lead@contractor.example"


@pytest.fixture(scope="module")
def cal() -> BusinessCalendar:
    return BusinessCalendar()


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """``day`` at hour:minute Tokyo time, as aware UTC."""
    return datetime.combine(day, time(hour, minute), TOKYO).astimezone(UTC)


def each_day(start: date, end: date) -> Iterable[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


# -- the 12 monthly reports of FY2026 --------------------------------------------------


def monthly_reports(cal: BusinessCalendar) -> list[Deadline]:
    """月次業務報告書 for April 2026 … March 2027: the 10th of the following month,
    next business day if closed, clamped to the contract end; never met."""
    reports = []
    for i in range(12):
        month = 4 + i
        year, month = (2026, month) if month <= 12 else (2027, month - 12)
        following = date(year + (month == 12), month % 12 + 1, 10)
        due = cal.resolve_due(
            following, HolidayRule.NEXT_BUSINESS_DAY, basis="翌月10日まで", latest=FY_END
        )
        first = first_step(POLICY, cal, due.effective, at(SIM_START, 0))
        reports.append(
            Deadline(
                id=i + 1,
                obligation="monthly_report",
                title=f"月次業務報告書（{year}年{month}月分）の提出",
                about_kind=None,
                about_id=None,
                org_id=None,
                due_as_written=due.as_written,
                due=due.effective,
                explanation=due.explanation,
                status=OPEN,
                responsible=LEAD,
                next_step=first.index,
                next_fire_at=first.fire_at,
            )
        )
    return reports


EFFECTIVE_DUES = [
    date(2026, 5, 11),  # 5/10 is a Sunday
    date(2026, 6, 10),
    date(2026, 7, 10),
    date(2026, 8, 10),
    date(2026, 9, 10),
    date(2026, 10, 13),  # 10/10 Sat, 10/11 Sun, 10/12 スポーツの日
    date(2026, 11, 10),
    date(2026, 12, 10),
    date(2027, 1, 12),  # 1/10 Sun, 1/11 成人の日
    date(2027, 2, 10),
    date(2027, 3, 10),
    date(2027, 3, 31),  # 2027-04-10 clamped to the contract end
]


def test_the_monthly_reports_fall_due_as_domain_md_says(cal: BusinessCalendar) -> None:
    assert [d.due for d in monthly_reports(cal)] == EFFECTIVE_DUES
    assert all(d.next_step == 0 for d in monthly_reports(cal))


# -- the steps ----------------------------------------------------------------------


def steps(
    cal: BusinessCalendar, due: date, count: int, policy: ReminderPolicy = POLICY
) -> list[Step]:
    return [step(policy, cal, due, i) for i in range(count)]


# Worked out by hand from DOMAIN.md's closed days (weekends, the national
# holidays, 12/29–1/3), counting business days back from / on from the due date.
HAND_COMPUTED = {
    # Golden Week: 4/29 and 5/2–5/6 closed. 5/8(1) 5/7(2) 5/1(3) 4/30(4) 4/28(5).
    # Overdue: 5/12 is 1 business day late, then every 3: 5/15 (4), 5/20 (7).
    date(2026, 5, 11): {
        "before": [date(2026, 4, 28), date(2026, 5, 7), date(2026, 5, 8)],
        "due": date(2026, 5, 11),
        "overdue": [date(2026, 5, 12), date(2026, 5, 15), date(2026, 5, 20)],
    },
    # スポーツの日 weekend: 10/9(1) 10/8(2) 10/7 10/6 10/5(5); overdue 10/14, 10/19, 10/22.
    date(2026, 10, 13): {
        "before": [date(2026, 10, 5), date(2026, 10, 8), date(2026, 10, 9)],
        "due": date(2026, 10, 13),
        "overdue": [date(2026, 10, 14), date(2026, 10, 19), date(2026, 10, 22)],
    },
    # New Year: 12/29–1/3 closed, 1/11 成人の日. 1/8(1) 1/7(2) 1/6 1/5 1/4(5).
    date(2027, 1, 12): {
        "before": [date(2027, 1, 4), date(2027, 1, 7), date(2027, 1, 8)],
        "due": date(2027, 1, 12),
        "overdue": [date(2027, 1, 13), date(2027, 1, 18), date(2027, 1, 21)],
    },
    # The November report: its 5th overdue notice jumps the year-end closure:
    # 12/11, 12/16, 12/21, 12/24, then 12/25(13) 12/28(14) 1/4(16th business day late).
    date(2026, 12, 10): {
        "before": [date(2026, 12, 3), date(2026, 12, 8), date(2026, 12, 9)],
        "due": date(2026, 12, 10),
        "overdue": [
            date(2026, 12, 11),
            date(2026, 12, 16),
            date(2026, 12, 21),
            date(2026, 12, 24),
            date(2027, 1, 4),
        ],
    },
    # The January report: 2/11 建国記念の日 pushes the first overdue notice to 2/12,
    # and 2/23 天皇誕生日 sits between the 3rd (2/22) and the 4th (2/26).
    date(2027, 2, 10): {
        "before": [date(2027, 2, 3), date(2027, 2, 8), date(2027, 2, 9)],
        "due": date(2027, 2, 10),
        "overdue": [date(2027, 2, 12), date(2027, 2, 17), date(2027, 2, 22), date(2027, 2, 26)],
    },
    # The March report, clamped to 3/31 (3/21–3/22 closed): 3/30 3/29 3/26 3/25 3/24;
    # overdue in April 2027: 4/1, 4/6, 4/9, 4/14.
    date(2027, 3, 31): {
        "before": [date(2027, 3, 24), date(2027, 3, 29), date(2027, 3, 30)],
        "due": date(2027, 3, 31),
        "overdue": [date(2027, 4, 1), date(2027, 4, 6), date(2027, 4, 9), date(2027, 4, 14)],
    },
}


@pytest.mark.parametrize("due", sorted(HAND_COMPUTED))
def test_steps_fall_on_the_hand_computed_days(cal: BusinessCalendar, due: date) -> None:
    expected = HAND_COMPUTED[due]
    overdue = expected["overdue"]
    assert isinstance(overdue, list)
    got = steps(cal, due, 4 + len(overdue))
    assert [s.day for s in got[:3]] == expected["before"]
    assert [(s.kind, s.business_days) for s in got[:3]] == [(BEFORE, 5), (BEFORE, 2), (BEFORE, 1)]
    assert (got[3].kind, got[3].day, got[3].business_days) == (DUE, expected["due"], 0)
    assert [s.day for s in got[4:]] == overdue
    assert [s.kind for s in got[4:]] == [OVERDUE] * len(overdue)
    assert [s.overdue_number for s in got[4:]] == list(range(1, len(overdue) + 1))
    assert [s.business_days for s in got[4:]] == [1 + 3 * k for k in range(len(overdue))]


@pytest.mark.parametrize("due", EFFECTIVE_DUES)
def test_every_step_of_every_monthly_report_keeps_the_rules(
    cal: BusinessCalendar, due: date
) -> None:
    got = steps(cal, due, 4 + 40)
    assert [s.index for s in got] == list(range(len(got)))
    for s in got:
        assert cal.is_business_day(s.day), s
        assert s.fire_at == at(s.day)
        assert s.fire_at.tzinfo is UTC
        assert s.fire_at.time() == time(0, 0)  # 09:00 in Tokyo is midnight UTC
    days = [s.day for s in got]
    assert days == sorted(set(days))  # strictly increasing: no two on one day
    # 5, 2 and 1 business days before, by counting: (day, due] holds exactly n business days.
    for s, n in zip(got[:3], (5, 2, 1), strict=True):
        assert cal.business_days_between(s.day, due) == n
    assert got[3].day == due
    overdue = got[4:]
    assert cal.business_days_between(due, overdue[0].day) == 1
    for earlier, later in pairwise(overdue):
        assert cal.business_days_between(earlier.day, later.day) == 3
    assert [s.escalate for s in got] == [False] * 5 + [True] * (len(got) - 5)


def test_a_closed_due_date_moves_the_due_day_step_earlier_and_drops_the_duplicate(
    cal: BusinessCalendar,
) -> None:
    # as_written: due on Sunday 2026-05-10. The due-day reminder moves back to
    # Friday 5/8, which is also the 1-day reminder's day: only the later step stays.
    got = steps(cal, date(2026, 5, 10), 5)
    assert [(s.index, s.kind, s.day) for s in got] == [
        (0, BEFORE, date(2026, 4, 28)),
        (1, BEFORE, date(2026, 5, 7)),
        (2, DUE, date(2026, 5, 8)),
        (3, OVERDUE, date(2026, 5, 11)),
        (4, OVERDUE, date(2026, 5, 14)),
    ]
    # The contract-end clamp can land on a closed day too: all days stay open.
    assert all(cal.is_business_day(s.day) for s in steps(cal, date(2027, 3, 21), 10))


def test_policy_variants(cal: BusinessCalendar) -> None:
    due = date(2026, 6, 10)
    no_day = ReminderPolicy(before=(1, 3), on_the_day=False, overdue_every=1, escalate_from=1)
    assert no_day.before == (3, 1)  # normalised: largest first
    got = steps(cal, due, 5, no_day)
    assert [(s.kind, s.day, s.escalate) for s in got] == [
        (BEFORE, date(2026, 6, 5), False),
        (BEFORE, date(2026, 6, 9), False),
        (OVERDUE, date(2026, 6, 11), True),
        (OVERDUE, date(2026, 6, 12), True),
        (OVERDUE, date(2026, 6, 15), True),
    ]
    late = ReminderPolicy(before=(), hour=17)
    assert step(late, cal, due, 0).fire_at == datetime(2026, 6, 10, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"before": (0,)},
        {"before": (-1,)},
        {"overdue_every": 0},
        {"escalate_from": 0},
        {"hour": 24},
        {"hour": True},
    ],
)
def test_bad_policies_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        ReminderPolicy(**kwargs)  # type: ignore[arg-type]  # deliberately wrong values


def test_bad_arguments_are_refused(cal: BusinessCalendar) -> None:
    with pytest.raises(ValueError):
        step(POLICY, cal, date(2026, 6, 10), -1)
    with pytest.raises(ValueError):
        latest_due(POLICY, cal, date(2026, 6, 10), 0, datetime(2026, 6, 10, 9))


# -- first_step and latest_due --------------------------------------------------------


def test_a_deadline_opened_one_business_day_before_its_due_date_starts_at_the_1_day_reminder(
    cal: BusinessCalendar,
) -> None:
    due = date(2026, 5, 11)  # Monday; one business day before is Friday 5/8
    first = first_step(POLICY, cal, due, at(date(2026, 5, 8), 8, 30))
    assert (first.index, first.kind, first.business_days, first.day) == (
        2,
        BEFORE,
        1,
        date(2026, 5, 8),
    )
    # Opened after that day's 09:00 run, the 1-day reminder has passed: the day itself is next.
    assert first_step(POLICY, cal, due, at(date(2026, 5, 8), 14)).kind == DUE
    assert first_step(POLICY, cal, due, at(date(2026, 5, 9), 10)).kind == DUE  # a Saturday
    assert first_step(POLICY, cal, due, at(date(2026, 4, 1))).index == 0
    # Exactly at 09:00 the step has fired (fire_at <= now): the next one waits.
    assert first_step(POLICY, cal, due, at(date(2026, 4, 28))).index == 1
    # Opened after the due date: straight to the overdue notices, never None.
    late = first_step(POLICY, cal, due, at(date(2026, 5, 18), 12))
    assert (late.kind, late.overdue_number, late.day) == (OVERDUE, 3, date(2026, 5, 20))


def test_latest_due_common_cases(cal: BusinessCalendar) -> None:
    due = date(2026, 5, 11)
    # Not yet: nothing due, the next step is from_index's.
    assert latest_due(POLICY, cal, due, 0, at(date(2026, 4, 28), 8, 59)) == (
        None,
        step(POLICY, cal, due, 0),
    )
    # One step due, the usual sweep.
    latest, following = latest_due(POLICY, cal, due, 1, at(date(2026, 5, 7), 9, 1))
    assert latest == step(POLICY, cal, due, 1)
    assert following == step(POLICY, cal, due, 2)
    # Deep in the overdue notices.
    latest, following = latest_due(POLICY, cal, due, 10, at(date(2026, 6, 5)))
    assert latest is not None
    assert (latest.index, latest.day, following.day) == (
        10,
        date(2026, 6, 5),
        date(2026, 6, 10),
    )


def naive_latest_due(
    cal: BusinessCalendar, due: date, from_index: int, now: datetime
) -> tuple[Step | None, Step]:
    """The definition, walked one step at a time."""
    latest = None
    index = from_index
    while (candidate := step(POLICY, cal, due, index)).fire_at <= now:
        latest = candidate
        index += 1
    return latest, candidate


def test_latest_due_agrees_with_walking_the_steps(cal: BusinessCalendar) -> None:
    rng = random.Random(20260401)
    dues = [*EFFECTIVE_DUES, date(2026, 5, 10), date(2027, 3, 21)]
    for _ in range(3000):
        due = rng.choice(dues)
        now = at(SIM_START) + timedelta(minutes=rng.randrange(0, 400 * 24 * 60, 7))
        from_index = rng.randrange(0, 12)
        assert latest_due(POLICY, cal, due, from_index, now) == naive_latest_due(
            cal, due, from_index, now
        ), (due, now, from_index)


# -- fakes ----------------------------------------------------------------------------


class MemoryDeadlineStore:
    """A DeadlineStore in a dict; counts calls so tests can check the batching."""

    def __init__(self, deadlines: Iterable[Deadline]) -> None:
        self.rows = {d.id: d for d in deadlines}
        self.due_calls = 0
        self.advance_calls = 0

    def due(self, now: datetime, limit: int) -> list[Deadline]:
        self.due_calls += 1
        ready = [
            d
            for d in self.rows.values()
            if d.status in ACTIVE and d.next_fire_at is not None and d.next_fire_at <= now
        ]
        ready.sort(key=lambda d: (d.next_fire_at, d.id))
        return ready[:limit]

    def advance(self, updates: list[tuple[int, int, datetime | None, str]]) -> None:
        self.advance_calls += 1
        for id_, next_step, next_fire_at, status in updates:
            self.rows[id_] = replace(
                self.rows[id_], next_step=next_step, next_fire_at=next_fire_at, status=status
            )

    def meet(self, id_: int) -> None:
        """What the fulfilling transition does (outside the sweep)."""
        self.rows[id_] = replace(self.rows[id_], status=MET, next_fire_at=None)


class MemoryOutbox:
    """An Outbox in a dict; keeps every key it was offered, duplicates included."""

    def __init__(self) -> None:
        self.messages: dict[str, OutgoingMessage] = {}
        self.offered: list[str] = []
        self.queued_on: dict[str, date] = {}  # key -> Tokyo date it was queued
        self.calls = 0

    def enqueue(self, messages: Sequence[OutgoingMessage], now: datetime) -> int:
        self.calls += 1
        new = 0
        for message in messages:
            self.offered.append(message.key)
            if message.key not in self.messages:
                self.messages[message.key] = message
                self.queued_on[message.key] = tokyo_date(now)
                new += 1
        return new


class Composer:
    """The caller's compose: one mail per step, keyed deadline:{id}:{index}."""

    def __init__(self) -> None:
        self.steps: dict[str, tuple[int, Step]] = {}  # key -> (deadline id, step)

    def __call__(self, deadline: Deadline, s: Step) -> Sequence[OutgoingMessage]:
        key = f"deadline:{deadline.id}:{s.index}"
        self.steps[key] = (deadline.id, s)
        tag = "【期限超過】" if s.kind == OVERDUE else "【リマインド】"
        return [
            OutgoingMessage(
                key=key,
                kind=f"reminder.{s.kind}",
                to=(deadline.responsible,),
                cc=(PREFECTURE, LEAD) if s.escalate else (),
                subject=f"{tag}{deadline.title}（期日 {deadline.due}）",
                text=f"{deadline.explanation}\n",
                about_kind=deadline.about_kind,
                about_id=deadline.about_id,
            )
        ]

    def sent(self, deadline_id: int) -> list[Step]:
        return sorted(
            (s for id_, s in self.steps.values() if id_ == deadline_id), key=lambda s: s.index
        )


class World:
    """A store, an outbox and a composer, and a sweep at a given moment."""

    def __init__(self, cal: BusinessCalendar, deadlines: Iterable[Deadline]) -> None:
        self.cal = cal
        self.store = MemoryDeadlineStore(deadlines)
        self.outbox = MemoryOutbox()
        self.compose = Composer()
        self.reports: list[SweepReport] = []

    def sweep(self, now: datetime, batch: int = 1000) -> SweepReport:
        report = sweep(
            self.store,
            self.outbox,
            self.compose,
            now=now,
            calendar=self.cal,
            policy=POLICY,
            batch=batch,
        )
        self.reports.append(report)
        return report


# -- the year, day by day -----------------------------------------------------------------


def expected_days(cal: BusinessCalendar, due: date, cutoff: date) -> list[date]:
    """Every step day up to ``cutoff``, counted one calendar day at a time.

    Deliberately independent of the engine's arithmetic (only is_business_day):
    walk back to the 5th, 2nd and 1st business day before, then forward
    marking the 1st, 4th, 7th, … business day after.
    """
    before: dict[int, date] = {}
    day, count = due, 0
    while count < 5:
        day -= timedelta(days=1)
        if cal.is_business_day(day):
            count += 1
            before[count] = day
    result = [before[5], before[2], before[1], due]
    day, count = due, 0
    while day < cutoff:
        day += timedelta(days=1)
        if cal.is_business_day(day):
            count += 1
            if count % 3 == 1:
                result.append(day)
    return [d for d in result if d <= cutoff]


def test_a_year_of_daily_sweeps_without_any_report_met(cal: BusinessCalendar) -> None:
    world = World(cal, monthly_reports(cal))
    for day in each_day(SIM_START, SIM_END):
        before = (world.store.advance_calls, world.outbox.calls)
        world.sweep(at(day))
        if not cal.is_business_day(day):
            assert (world.store.advance_calls, world.outbox.calls) == before, day

    offered = world.outbox.offered
    assert len(offered) == len(set(offered)), "a step was sent twice"
    assert all(cal.is_business_day(d) for d in world.outbox.queued_on.values())
    assert sum(r.missed for r in world.reports) == 12
    assert all(d.status == MISSED for d in world.store.rows.values())

    counts = {}
    for deadline in monthly_reports(cal):
        sent = world.compose.sent(deadline.id)
        # Run daily, every step goes out on its own day: nothing collapses.
        assert [s.index for s in sent] == list(range(len(sent)))
        assert [s.day for s in sent] == expected_days(cal, deadline.due, SIM_END), deadline.title
        for s in sent:
            key = f"deadline:{deadline.id}:{s.index}"
            assert world.outbox.queued_on[key] == s.day
            assert world.outbox.messages[key].cc == ((PREFECTURE, LEAD) if s.escalate else ())
        counts[deadline.due] = len(sent)

    # 4 reminders, then overdue notices on the 1st, 4th, 7th, … business day late:
    # with B business days in (due, 2027-04-30], (B - 1) // 3 + 1 of them. E.g.
    # the February report (due 3/10): 14 business days left in March (3/22 is
    # closed) + 21 in April (4/29 is closed) = 35, so 12 overdue notices.
    business_days_late = {
        date(2026, 5, 11): 237,
        date(2026, 6, 10): 215,
        date(2026, 7, 10): 193,
        date(2026, 8, 10): 173,
        date(2026, 9, 10): 151,
        date(2026, 10, 13): 132,
        date(2026, 11, 10): 113,
        date(2026, 12, 10): 92,
        date(2027, 1, 12): 74,
        date(2027, 2, 10): 53,
        date(2027, 3, 10): 35,
        date(2027, 3, 31): 21,
    }
    assert counts == {due: 4 + (b - 1) // 3 + 1 for due, b in business_days_late.items()}
    assert list(counts.values()) == [83, 76, 69, 62, 55, 48, 42, 35, 29, 22, 16, 11]
    assert sum(counts.values()) == len(world.outbox.messages)
    # The March report in full (4/29 昭和の日 is closed; 21 business days in April).
    march = world.compose.sent(12)
    assert [s.day for s in march] == [
        date(2027, 3, 24),
        date(2027, 3, 29),
        date(2027, 3, 30),
        date(2027, 3, 31),
        date(2027, 4, 1),
        date(2027, 4, 6),
        date(2027, 4, 9),
        date(2027, 4, 14),
        date(2027, 4, 19),
        date(2027, 4, 22),
        date(2027, 4, 27),
    ]
    assert [s.escalate for s in march] == [False] * 5 + [True] * 6


def test_a_year_of_daily_sweeps_with_every_report_met_on_its_due_date(
    cal: BusinessCalendar,
) -> None:
    reports = monthly_reports(cal)
    world = World(cal, reports)
    for day in each_day(SIM_START, SIM_END):
        world.sweep(at(day))
        for deadline in reports:
            if deadline.due == day:
                world.store.meet(deadline.id)  # submitted that afternoon

    assert sum(r.missed for r in world.reports) == 0
    for deadline in reports:
        sent = world.compose.sent(deadline.id)
        assert [(s.kind, s.business_days) for s in sent] == [
            (BEFORE, 5),
            (BEFORE, 2),
            (BEFORE, 1),
            (DUE, 0),
        ]
        assert [s.day for s in sent] == expected_days(cal, deadline.due, deadline.due)
        assert world.store.rows[deadline.id].status == MET
    assert len(world.outbox.messages) == 48
    assert all(cal.is_business_day(d) for d in world.outbox.queued_on.values())


# -- downtime ------------------------------------------------------------------------------


def test_a_10_day_gap_is_caught_up_with_one_message_per_deadline(cal: BusinessCalendar) -> None:
    world = World(cal, monthly_reports(cal))
    for day in each_day(SIM_START, date(2026, 5, 31)):
        world.sweep(at(day))
    before = set(world.outbox.messages)
    # Down from 6/1 to 6/10 (10 days), back on Thursday 6/11 at 09:00.
    report = world.sweep(at(date(2026, 6, 11)))
    new = sorted(set(world.outbox.messages) - before)
    assert report == SweepReport(examined=2, messages=2, missed=1)
    assert new == ["deadline:1:11", "deadline:2:4"]
    april = world.compose.steps["deadline:1:11"][1]
    # The April report: 6/2, 6/5 and 6/10 came due; only the latest, 8th, notice goes.
    assert (april.kind, april.overdue_number, april.day, april.escalate) == (
        OVERDUE,
        8,
        date(2026, 6, 10),
        True,
    )
    may = world.compose.steps["deadline:2:4"][1]
    # The May report (due 6/10): five steps (6/3, 6/8, 6/9, 6/10, 6/11) collapse
    # into one "overdue" mail, not four stale reminders.
    assert (may.kind, may.overdue_number, may.day, may.escalate) == (
        OVERDUE,
        1,
        date(2026, 6, 11),
        False,
    )
    assert world.store.rows[2].status == MISSED
    assert world.store.rows[1].next_fire_at == at(date(2026, 6, 15))
    assert world.store.rows[2].next_fire_at == at(date(2026, 6, 16))

    # The day after: nothing new.
    report = world.sweep(at(date(2026, 6, 12)))
    assert report == SweepReport(examined=0, messages=0, missed=0)
    assert set(world.outbox.messages) - before == set(new)


def test_catch_up_waits_for_the_next_business_day_at_the_sending_hour(
    cal: BusinessCalendar,
) -> None:
    world = World(cal, monthly_reports(cal)[:1])  # the April report, due 5/11
    for day in each_day(SIM_START, date(2026, 4, 30)):
        world.sweep(at(day))
    assert set(world.outbox.messages) == {"deadline:1:0"}  # 4/28, on time
    advanced = world.store.advance_calls
    # Down from 5/1 over Golden Week: the 5/7 and 5/8 reminders are missed.
    for moment in (
        at(date(2026, 5, 9), 10),  # Saturday
        at(date(2026, 5, 10), 23, 59),  # Sunday
        at(date(2026, 5, 11), 0, 1),  # Monday, before 09:00
        at(date(2026, 5, 11), 8, 59),
    ):
        assert world.sweep(moment) == SweepReport(0, 0, 0), moment
    assert world.store.advance_calls == advanced
    report = world.sweep(at(date(2026, 5, 11), 9, 0))
    assert report == SweepReport(examined=1, messages=1, missed=0)
    assert set(world.outbox.messages) == {"deadline:1:0", "deadline:1:3"}
    _, latest = world.compose.steps["deadline:1:3"]
    assert (latest.kind, latest.day) == (DUE, date(2026, 5, 11))
    assert world.outbox.queued_on["deadline:1:3"] == date(2026, 5, 11)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 5, 9),  # Saturday
        date(2026, 5, 10),  # Sunday
        date(2026, 5, 4),  # みどりの日
        date(2026, 9, 22),  # 国民の休日
        date(2026, 12, 30),  # the year-end closure
        date(2027, 1, 1),  # 元日
    ],
)
def test_on_a_closed_day_the_sweep_sends_and_advances_nothing(
    cal: BusinessCalendar, day: date
) -> None:
    # Every report overdue and every next_fire_at in the past: plenty would be due.
    stale = [replace(d, next_fire_at=at(SIM_START)) for d in monthly_reports(cal)]
    world = World(cal, stale)
    for hour in (0, 9, 12, 23):
        assert world.sweep(at(day, hour)) == SweepReport(0, 0, 0)
    assert (world.store.due_calls, world.store.advance_calls, world.outbox.calls) == (0, 0, 0)
    assert world.store.rows == {d.id: d for d in stale}


# -- the sweep's mechanics ---------------------------------------------------------------


def test_an_early_next_fire_at_is_moved_to_the_true_next_step(cal: BusinessCalendar) -> None:
    early = replace(monthly_reports(cal)[0], next_fire_at=at(SIM_START))
    world = World(cal, [early])
    assert world.sweep(at(date(2026, 4, 2))) == SweepReport(examined=1, messages=0, missed=0)
    assert world.outbox.calls == 0
    row = world.store.rows[1]
    assert (row.next_step, row.next_fire_at, row.status) == (0, at(date(2026, 4, 28)), OPEN)


def test_one_enqueue_and_one_advance_per_batch(cal: BusinessCalendar) -> None:
    # All 12 reports with their first reminder due: 12 deadlines in batches of 5.
    world = World(cal, monthly_reports(cal))
    report = world.sweep(at(date(2027, 3, 24)), batch=5)
    assert world.store.due_calls == 3  # 5 + 5 + 2 rows
    assert world.outbox.calls == 3
    assert world.store.advance_calls == 3
    assert report == SweepReport(examined=12, messages=12, missed=11)

    # A batch size that divides the work ends with one empty due() and no writes.
    world = World(cal, monthly_reports(cal))
    report = world.sweep(at(date(2027, 3, 24)), batch=6)
    assert (world.store.due_calls, world.outbox.calls, world.store.advance_calls) == (3, 2, 2)
    assert report.examined == 12


class StuckStore(MemoryDeadlineStore):
    """A store whose advance is lost: due() keeps returning full batches."""

    def advance(self, updates: list[tuple[int, int, datetime | None, str]]) -> None:
        self.advance_calls += 1


def test_a_sweep_always_ends(cal: BusinessCalendar) -> None:
    world = World(cal, monthly_reports(cal))
    world.store = StuckStore(monthly_reports(cal))
    report = sweep(
        world.store,
        world.outbox,
        world.compose,
        now=at(date(2027, 3, 24)),
        calendar=cal,
        policy=POLICY,
        batch=4,
        max_batches=7,
    )
    assert world.store.due_calls == 7
    assert report.examined == 28
    # Offered again and again, the outbox's key keeps each step to one message.
    assert len(world.outbox.messages) == 4


def test_inactive_rows_handed_over_by_mistake_are_taken_out_of_the_index(
    cal: BusinessCalendar,
) -> None:
    class CarelessStore(MemoryDeadlineStore):
        def due(self, now: datetime, limit: int) -> list[Deadline]:
            self.due_calls += 1
            return [d for d in self.rows.values() if d.next_fire_at is not None][:limit]

    cancelled = replace(monthly_reports(cal)[0], status=CANCELLED, next_fire_at=at(SIM_START))
    world = World(cal, [])
    world.store = CarelessStore([cancelled])
    report = sweep(
        world.store,
        world.outbox,
        world.compose,
        now=at(date(2026, 6, 1)),
        calendar=cal,
        policy=POLICY,
    )
    assert report == SweepReport(examined=1, messages=0, missed=0)
    assert world.store.rows[1].next_fire_at is None
    assert world.store.rows[1].status == CANCELLED
