"""The business calendar: which days the prefecture's offices are open, and due dates.

Closed days are Saturdays, Sundays, Japan's national holidays (with 振替休日 and
国民の休日, taken from the ``holidays`` package) and the administrative year-end
closure 12/29–1/3. Optional extra closed days (臨時休業) can be added.

A due date that falls on a closed day is moved by a :class:`HolidayRule`;
:meth:`BusinessCalendar.resolve_due` also clamps it to the contract end and
writes a one-line Japanese explanation for people.

The calendar sits in hot loops (up to a million deadlines per run), so each
year is computed once, lazily, into a dict of closed days and a sorted tuple of
business days; lookups are a dict probe and day arithmetic is a bisect.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

SATURDAY = "土曜日"
SUNDAY = "日曜日"
YEAR_END_CLOSURE = "年末年始休業"
EXTRA_CLOSURE = "臨時休業"

_WEEKEND_NAMES = {5: SATURDAY, 6: SUNDAY}


class HolidayRule(StrEnum):
    """What to do with a due date that falls on a closed day."""

    # Default: the principle of 行政機関の休日に関する法律 Art. 2 — a deadline that
    # falls on a closed day is met on the next day the offices are open.
    NEXT_BUSINESS_DAY = "next_business_day"
    PREVIOUS_BUSINESS_DAY = "previous_business_day"
    AS_WRITTEN = "as_written"


@dataclass(frozen=True)
class DueDate:
    """A due date as the rule wrote it, the day it really falls on, and why."""

    as_written: date
    effective: date
    explanation: str  # one line, Japanese, for people


@dataclass(frozen=True, slots=True)
class _Year:
    """One calendar year, precomputed."""

    closed: dict[date, str]  # every closed day of the year -> why it is closed
    open_ordinals: tuple[int, ...]  # the year's business days as ordinals, ascending


def _require_date(value: object, what: str) -> date:
    # A datetime is a date subclass, but it would never match the date keys of
    # the cache (and its Tokyo date is ambiguous), so it is refused outright.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"{what} must be a date (not a datetime), got {value!r}")
    return value


class BusinessCalendar:
    """Open and closed days of the prefectural offices, and due-date arithmetic."""

    def __init__(
        self, *, extra_closed_days: Iterable[date] = (), year_end_closure: bool = True
    ) -> None:
        self._extra = frozenset(
            _require_date(d, "extra_closed_days item") for d in extra_closed_days
        )
        self._year_end_closure = bool(year_end_closure)
        # Filled lazily; a racing thread can at worst build the same year twice.
        self._years: dict[int, _Year] = {}

    # -- single days ---------------------------------------------------------

    def is_business_day(self, d: date) -> bool:
        """True if the offices are open on ``d``."""
        if isinstance(d, datetime) or not isinstance(d, date):
            _require_date(d, "d")
        year = self._years.get(d.year)
        if year is None:
            year = self._year(d.year)
        return d not in year.closed

    def closed_reason(self, d: date) -> str | None:
        """Why ``d`` is closed, in Japanese (``None`` if it is a business day).

        A national holiday wins over everything else (1/1 is 元日, not the
        year-end closure), then the year-end closure, then the weekend, then
        an extra closed day.
        """
        _require_date(d, "d")
        return self._year(d.year).closed.get(d)

    # -- arithmetic ----------------------------------------------------------

    def next_business_day(self, d: date) -> date:
        """The first business day strictly after ``d``."""
        return self.add_business_days(d, 1)

    def previous_business_day(self, d: date) -> date:
        """The last business day strictly before ``d``."""
        return self.add_business_days(d, -1)

    def add_business_days(self, d: date, n: int) -> date:
        """The ``n``-th business day after ``d`` (before it if ``n`` < 0).

        ``d`` itself is never counted and may be closed; ``n == 0`` gives ``d``.
        """
        _require_date(d, "d")
        if isinstance(n, bool) or not isinstance(n, int):
            raise ValueError(f"n must be an int, got {n!r}")
        if n == 0:
            return d
        year = d.year
        ordinals = self._year(year).open_ordinals
        remaining = abs(n)
        if n > 0:
            index = bisect_right(ordinals, d.toordinal())  # first business day after d
            while remaining > len(ordinals) - index:
                remaining -= len(ordinals) - index
                year += 1
                ordinals = self._year(year).open_ordinals
                index = 0
            return date.fromordinal(ordinals[index + remaining - 1])
        index = bisect_left(ordinals, d.toordinal())  # business days before d this year
        while remaining > index:
            remaining -= index
            year -= 1
            ordinals = self._year(year).open_ordinals
            index = len(ordinals)
        return date.fromordinal(ordinals[index - remaining])

    def business_days_between(self, start: date, end: date) -> int:
        """How many business days lie in (``start``, ``end``]; 0 if ``end`` <= ``start``."""
        _require_date(start, "start")
        _require_date(end, "end")
        if end <= start:
            return 0
        first, last = start.toordinal(), end.toordinal()
        count = 0
        # start itself is not counted, so its year need not be known.
        for year in range(date.fromordinal(first + 1).year, end.year + 1):
            ordinals = self._year(year).open_ordinals
            count += bisect_right(ordinals, last) - bisect_right(ordinals, first)
        return count

    # -- due dates -----------------------------------------------------------

    def resolve_due(
        self,
        as_written: date,
        rule: HolidayRule,
        *,
        basis: str = "",
        latest: date | None = None,
    ) -> DueDate:
        """Move a due date off a closed day by ``rule``, clamp it to ``latest``, explain.

        ``basis`` is how the due date was derived (e.g. "翌月10日まで") and opens
        the explanation; ``latest`` is the contract end: nothing falls after it,
        even when it is itself a closed day.
        """
        _require_date(as_written, "as_written")
        if latest is not None:
            _require_date(latest, "latest")
        rule = HolidayRule(rule)  # also accepts the plain setting string
        if not isinstance(basis, str):
            raise ValueError(f"basis must be a string, got {basis!r}")
        # The explanation must stay one line and must not end up with "。。".
        basis = " ".join(basis.split()).rstrip("。")
        prefix = f"{basis}。" if basis else ""

        if latest is not None and as_written > latest:
            # The rule's own shifting is irrelevant: the date is past the end anyway.
            head = f"{basis}（{as_written}）。" if basis else f"{as_written}は"
            text = f"{head}契約終了日を超えるため、{self._at_latest(latest)}に繰り上げ"
            return DueDate(as_written, latest, text)

        reason = self.closed_reason(as_written)
        if reason is None:
            return DueDate(as_written, as_written, f"{prefix}{as_written}は営業日のため、そのまま")
        if rule is HolidayRule.AS_WRITTEN:
            text = f"{prefix}{as_written}は{reason}ですが、記載どおりの期日とします"
            return DueDate(as_written, as_written, text)

        step = 1 if rule is HolidayRule.NEXT_BUSINESS_DAY else -1
        effective = self.add_business_days(as_written, step)
        passed = self._passed_over(as_written, effective, step)
        if latest is not None and effective > latest:
            # Only the next-business-day rule gets here, and only when every day
            # from as_written to latest is closed, so latest is closed too.
            text = (
                f"{prefix}{passed}のため翌営業日は{effective}となり契約終了日を超えるため、"
                f"{self._at_latest(latest)}とします"
            )
            return DueDate(as_written, latest, text)
        direction = "翌営業日" if step == 1 else "前営業日"
        return DueDate(as_written, effective, f"{prefix}{passed}のため、{direction}の{effective}")

    # -- internals -----------------------------------------------------------

    def _at_latest(self, latest: date) -> str:
        """'契約終了日のYYYY-MM-DD', saying so when that day is itself closed."""
        reason = self.closed_reason(latest)
        if reason is None:
            return f"契約終了日の{latest}"
        return f"{reason}ですが契約終了日の{latest}"

    def _passed_over(self, start: date, stop: date, step: int) -> str:
        """'D1はR1、D2はR2' for every closed day from ``start`` up to ``stop`` (exclusive)."""
        parts = []
        day = start
        while day != stop:
            parts.append(f"{day}は{self.closed_reason(day)}")
            day += timedelta(days=step)
        return "、".join(parts)

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is None:
            cached = self._years[year] = self._build_year(year)
        return cached

    def _build_year(self, year: int) -> _Year:
        # Loaded on the first date arithmetic, not at import: `holidays` costs
        # more than a whole `banso engagement show` that needs no business day.
        import holidays

        national = holidays.country_holidays("JP", language="ja", years=year)
        # Outside its range the package silently returns no holidays at all,
        # which would make every holiday look like a business day: refuse instead.
        first, last = national.start_year, national.end_year
        if not first <= year <= last:
            raise ValueError(
                f"the business calendar covers {first}-{last} only (Japanese national "
                f"holidays are not known for {year})"
            )
        closed: dict[date, str] = {}
        open_ordinals: list[int] = []
        day = date(year, 1, 1)
        one_day = timedelta(days=1)
        while day.year == year:
            reason: str | None = None
            if day in national:
                # Rarely two holidays share a day; get_list keeps both names.
                reason = "・".join(national.get_list(day))
            elif self._year_end_closure and (
                (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)
            ):
                reason = YEAR_END_CLOSURE
            elif day.weekday() in _WEEKEND_NAMES:
                reason = _WEEKEND_NAMES[day.weekday()]
            elif day in self._extra:
                reason = EXTRA_CLOSURE
            if reason is None:
                open_ordinals.append(day.toordinal())
            else:
                closed[day] = reason
            day += one_day
        return _Year(closed=closed, open_ordinals=tuple(open_ordinals))
