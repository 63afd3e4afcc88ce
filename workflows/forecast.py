"""The rules of a forecast to the contract's end (spec §6(2)③): how many dispatches the
monthly cap still allows, how many the approved plans still expect, and when an
engagement must start at the latest to finish by the end.

Pure: ``services.forecast`` gathers the records and settings and asks these functions.

The monthly cap ("最大月2回程度") is per organisation × top-level theme a month (a
"family": sub-themes count with their top-level theme, workflows.quotas). A month's
free slots for a family are the cap minus the family's dispatches already planned,
confirmed or held in it, and never more than the prefecture's open days left in the
month (a visit is held on an open day, workflows.office_hours): the current month
counts from today, the last one up to the contract's end. An override can lift the
cap for one dispatch; a forecast does not count on overrides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from banso.engine.calendar import BusinessCalendar

# Statuses of an engagement's remaining plan.
DONE = "done"  # nothing left to plan (or no approved number yet)
ON_TRACK = "on_track"
AT_RISK = "at_risk"  # must start this month or the next at the latest
CANNOT = "cannot"  # the cap no longer leaves room for the plan by the end

# Warning kinds (services.forecast words them; admin translates them).
ENGAGEMENT_AT_RISK = "engagement_at_risk"
ENGAGEMENT_CANNOT = "engagement_cannot"
TARGET_UNREACHABLE = "target_unreachable"
PLANS_BELOW_TARGET = "plans_below_target"
OVER_BUDGET = "over_budget"

# An engagement is at risk when its latest start is at most this many months away.
RISK_MONTHS = 1


@dataclass(frozen=True)
class MonthSlots:
    """One month left in the contract: ``open_days`` the offices are open from today
    (or the 1st) to the month's end (or the contract's)."""

    month: str  # "2026-12"
    open_days: int


def months_ahead(today: date, end: date, calendar: BusinessCalendar) -> list[MonthSlots]:
    """Every month from ``today``'s to ``end``'s, with its open days left (none: [])."""
    found: list[MonthSlots] = []
    day = today
    while day <= end:
        first_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        last = min(first_next - timedelta(days=1), end)
        open_days = sum(
            calendar.is_business_day(day + timedelta(days=n)) for n in range((last - day).days + 1)
        )
        found.append(MonthSlots(f"{day:%Y-%m}", open_days))
        day = first_next
    return found


def free_slots(
    months: Sequence[MonthSlots], used: Mapping[str, int], cap: int
) -> list[tuple[str, int]]:
    """A family's free slots each month: the cap less what it already uses, at most the
    month's open days, never below 0."""
    return [(m.month, max(0, min(cap - used.get(m.month, 0), m.open_days))) for m in months]


def latest_start(slots: Sequence[tuple[str, int]], need: int) -> str | None:
    """The last month a family can start in and still hold ``need`` more dispatches by
    the end, at the cap; ``None`` if even starting now is too late (or nothing is needed)."""
    if need <= 0:
        return None
    room = 0
    for month, free in reversed(slots):
        room += free
        if room >= need:
            return month
    return None


def status(slots: Sequence[tuple[str, int]], need: int) -> str:
    """How a family with ``need`` dispatches still expected stands (DONE … CANNOT)."""
    if need <= 0:
        return DONE
    start = latest_start(slots, need)
    if start is None:
        return CANNOT
    index = [month for month, _ in slots].index(start)
    return AT_RISK if index <= RISK_MONTHS else ON_TRACK


def still_expected(planned: int | None, counted: int) -> int:
    """What an approved plan still expects: its number less the dispatches held, planned
    or confirmed (a plan without a number expects nothing the forecast can count)."""
    return 0 if planned is None else max(0, planned - counted)


def short_month(month: str) -> str:
    """2027年1月 for "2027-01"."""
    first = date.fromisoformat(f"{month}-01")
    return f"{first.year}年{first.month}月"


def mean_plan(numbers: Iterable[int]) -> int | None:
    """The approved plans' mean number of dispatches, rounded up (None: no plan yet):
    what a what-if engagement without a number is assumed to plan."""
    values = list(numbers)
    if not values:
        return None
    return -(-sum(values) // len(values))


def earliest_pace(slots: Sequence[tuple[str, int]], need: int) -> list[tuple[str, int]]:
    """``need`` dispatches held as soon as the cap allows: how many each month (the
    earliest the budget could run out)."""
    paced: list[tuple[str, int]] = []
    for month, free in slots:
        take = min(free, need)
        need -= take
        paced.append((month, take))
    return paced


def runs_out(paced: Sequence[tuple[str, int]], left: int) -> str | None:
    """The first month by whose end the ``paced`` dispatches pass the ``left`` budget."""
    total = 0
    for month, count in paced:
        total += count
        if total > left:
            return month
    return None


def contract_end_label(end: date) -> str:
    """3月31日."""
    return f"{end.month}月{end.day}日"
