"""Dates a use case plans or records fall within the programme's years.

The command line already refuses a date outside 2000–2099 before the database
is open (``admin/door.py``); here, once the contract is known, a dispatch, a
meeting, a hearing, a day of work, a promised delivery or a decision must fall
between a year before the contract's first fiscal year and a year after the
contract ends (``workflows.validation.programme_window``). Outside it the use
case refuses with one line naming the option and the range, before it writes.
"""

from __future__ import annotations

from datetime import date, datetime

from banso.engine.clock import TOKYO, tokyo_date
from banso.engine.errors import InvalidValue
from banso.services.ports import UnitOfWork
from banso.workflows.validation import programme_window


class DateOutsideProgramme(InvalidValue):
    """A date outside the programme's years (``earliest``…``latest``, both included)."""

    def __init__(self, where: str, value: str, earliest: date, latest: date) -> None:
        self.earliest = earliest
        self.latest = latest
        super().__init__(
            where,
            value,
            f"a date from {earliest.isoformat()} to {latest.isoformat()} "
            "(the contract's years, with a year either side)",
        )


def window(uow: UnitOfWork) -> tuple[date, date] | None:
    """The programme's accepted dates, or None before `banso init` stored a contract."""
    contract = uow.settings.get("contract")
    if contract is None:
        return None
    return programme_window(
        date.fromisoformat(contract["start"]), date.fromisoformat(contract["end"])
    )


def check_within_programme(uow: UnitOfWork, where: str, value: date | datetime) -> None:
    """Refuse ``value`` (given as option ``where``) outside the programme's years."""
    bounds = window(uow)
    if bounds is None:
        return  # the use case says the settings are missing
    day = tokyo_date(value) if isinstance(value, datetime) else value
    earliest, latest = bounds
    if not earliest <= day <= latest:
        shown = (
            value.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M")
            if isinstance(value, datetime)
            else value.isoformat()
        )
        raise DateOutsideProgramme(where, shown, earliest, latest)
