"""iCalendar invitations for hearings, dispatches and meetings.

One event per record: the caller passes a UID that stays the same for the
record's life (``dispatch-31@banso``) and a SEQUENCE that grows with every
change, so calendars update the event instead of adding a second one, and a
METHOD:CANCEL with the same UID removes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, Timezone, TimezoneStandard, vCalAddress

from banso.engine.clock import TOKYO
from banso.engine.errors import InvalidValue
from banso.engine.outbox import Attachment
from banso.notifications.headers import check_address

PRODID = "-//Banso//Banso DX accompaniment support//JA"
FILENAME = "invite.ics"
METHODS = ("REQUEST", "CANCEL")
_TZID = TOKYO.key


def _tokyo_timezone() -> Timezone:
    """Asia/Tokyo as a VTIMEZONE: +09:00 all year (Japan has had no DST since 1951)."""
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1970, 1, 1))
    standard.add("tzoffsetfrom", timedelta(hours=9))
    standard.add("tzoffsetto", timedelta(hours=9))
    standard.add("tzname", "JST")
    tz = Timezone()
    tz.add("tzid", _TZID)
    tz.add_component(standard)
    return tz


def _aware(name: str, value: datetime) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InvalidValue(f"invitation {name}", value, "a timezone-aware date-time")
    return value


def _mailto(name: str, address: str) -> vCalAddress:
    return vCalAddress("mailto:" + check_address(name, address))


def invitation(
    *,
    uid: str,
    sequence: int,
    method: str,
    start: datetime,
    end: datetime,
    summary: str,
    description: str,
    location: str | None,
    url: str | None,
    organizer: str,
    attendees: Sequence[str],
    stamp: datetime,
    tentative: bool = False,
) -> Attachment:
    """An ``invite.ics`` attachment: METHOD:REQUEST (new or changed) or CANCEL.

    Web meetings pass ``url`` (also shown as LOCATION, where every calendar
    displays it); on-site ones pass ``location``.
    """
    method = method.upper()
    if method not in METHODS:
        raise InvalidValue("invitation method", method, "REQUEST or CANCEL")
    if not uid or any(c.isspace() for c in uid):
        raise InvalidValue(
            "invitation uid", uid, "a stable id without spaces, e.g. dispatch-31@banso"
        )
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 0:
        raise InvalidValue("invitation sequence", sequence, "a whole number, 0 or more")
    start = _aware("start", start).astimezone(TOKYO)
    end = _aware("end", end).astimezone(TOKYO)
    if end <= start:
        raise InvalidValue("invitation end", end, f"a time after the start {start.isoformat()}")

    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", _aware("stamp", stamp).astimezone(UTC))
    event.add("dtstart", start)  # Tokyo-zoned: written with TZID=Asia/Tokyo
    event.add("dtend", end)
    event.add("summary", summary)
    event.add("description", description)
    if url:
        event.add("url", url)
    if location or url:
        event.add("location", location or url)
    event.add("organizer", _mailto("invitation organizer", organizer))
    for address in dict.fromkeys(attendees):  # once each, in the order given
        attendee = _mailto("invitation attendee", address)
        attendee.params["ROLE"] = "REQ-PARTICIPANT"
        attendee.params["PARTSTAT"] = "NEEDS-ACTION"
        attendee.params["RSVP"] = "TRUE"
        event.add("attendee", attendee)
    # A dispatch still being arranged is TENTATIVE until it is confirmed.
    status = "CANCELLED" if method == "CANCEL" else ("TENTATIVE" if tentative else "CONFIRMED")
    event.add("status", status)
    event.add("transp", "OPAQUE")

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add_component(_tokyo_timezone())
    calendar.add_component(event)
    return Attachment(
        filename=FILENAME,
        content_type=f"text/calendar; method={method}; charset=UTF-8",
        data=calendar.to_ical(),
    )
