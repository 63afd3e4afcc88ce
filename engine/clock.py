"""The one clock every part of Banso asks for "now".

a pinned time (read by the composition root from its settings, handed here as a string)
which is how tests and simulations travel through the fiscal year. Times are
kept timezone-aware in UTC; Asia/Tokyo is only for showing and for dates.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from banso.engine.errors import InvalidValue

TOKYO = ZoneInfo("Asia/Tokyo")


class Clock(Protocol):
    """Something that tells the time, always timezone-aware UTC."""

    def now(self) -> datetime: ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A pinned clock (simulations and tests); it may be moved forward."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        self.at = at.astimezone(UTC)


def parse_datetime(text: str, where: str = "date-time") -> datetime:
    """Read an ISO 8601 date-time; no offset means Asia/Tokyo. Returns UTC."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise InvalidValue(
            where, text, "an ISO 8601 date-time like 2026-10-09T09:00+09:00"
        ) from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=TOKYO)
    return value.astimezone(UTC)


def parse_date(text: str, where: str = "date") -> date:
    """Read a ``YYYY-MM-DD`` date."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise InvalidValue(where, text, "a date as YYYY-MM-DD, e.g. 2026-04-01") from exc


def clock_from_setting(now: str | None, where: str = "pinned time") -> Clock:
    """The clock for a pinned-time setting (None or empty: the system clock)."""
    if not now:
        return SystemClock()
    return FixedClock(parse_datetime(now, where))


def tokyo_date(moment: datetime) -> date:
    """The calendar date in Tokyo of an aware moment (deadlines are Tokyo dates)."""
    return moment.astimezone(TOKYO).date()


def show(moment: datetime) -> str:
    """A moment for people: Tokyo time, minutes, with the offset."""
    return moment.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M%z")[:-2] + ":00"
