"""When the programme's visits and meetings may be held: the prefecture's open days
(weekends, national holidays incl. 国民の休日, 年末年始 12/29–1/3 are closed) and
08:00–20:00 Tokyo time.

A dispatch, a hearing or a meeting outside them is a mistake far more often than
a plan, so it is refused unless someone gives a reason (an override).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, time

from banso.engine.calendar import BusinessCalendar
from banso.engine.clock import TOKYO
from banso.engine.errors import Unmet
from banso.engine.phrase import Phrase
from banso.engine.workflow import GuardContext, RecordView
from banso.workflows.checks import given, is_aware

OPENS = time(8, 0)
CLOSES = time(20, 0)

# The prefecture's calendar; Services uses the same default (no extra closed days).
CALENDAR = BusinessCalendar()


def closed_time_unmet(
    at: datetime,
    override: str | None,
    what: str,
    *,
    calendar: BusinessCalendar = CALENDAR,
    field: str = "override",
) -> list[Unmet]:
    """Why ``at`` is no time for ``what`` (a closed day, or outside 08:00–20:00),
    unless an override with its reason is given."""
    if given(override):
        return []
    local = at.astimezone(TOKYO)
    day = local.date()
    unmet: list[Unmet] = []
    reason = calendar.closed_reason(day)
    if reason is not None:
        unmet.append(
            Unmet(
                Phrase(
                    "{day}は{reason}です: the prefecture's offices are closed; "
                    "{what} on a closed day needs an override with its reason",
                    day=day.isoformat(),
                    reason=reason,
                    what=Phrase(what),
                ),
                field,
            )
        )
    clock = local.time()
    if not OPENS <= clock <= CLOSES:
        unmet.append(
            Unmet(
                Phrase(
                    "{time} is outside {opens}–{closes}; "
                    "{what} at that hour needs an override with its reason",
                    time=f"{local:%H:%M}",
                    opens=f"{OPENS:%H:%M}",
                    closes=f"{CLOSES:%H:%M}",
                    what=Phrase(what),
                ),
                field,
            )
        )
    return unmet


def held_in_office_hours(
    at_field: str, what: str, *, from_payload: bool = False
) -> Callable[[RecordView, GuardContext], Iterable[Unmet]]:
    """A guard: the record's (or the trigger's) ``at_field`` is on an open day, in hours."""

    def guard(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
        at = ctx.payload.get(at_field) if from_payload else record.data.get(at_field)
        if not is_aware(at):
            return []  # another guard says the time is missing
        assert isinstance(at, datetime)
        return closed_time_unmet(at, ctx.payload.get("override"), what)

    guard.__doc__ = f"{what.capitalize()} is held on an open day, {OPENS:%H:%M}–{CLOSES:%H:%M}."
    return guard
