"""iCalendar invitations for hearings, dispatches and meetings.

One event per record: the caller passes a UID that stays the same for the
record's life (``dispatch-31@banso``) and a SEQUENCE that grows with every
change, so calendars update the event instead of adding a second one, and a
METHOD:CANCEL with the same UID removes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from banso.engine.clock import TOKYO
from banso.engine.errors import InvalidValue
from banso.engine.outbox import Attachment
from banso.notifications.headers import check_address

PRODID = "-//Banso//Banso DX accompaniment support//JA"
FILENAME = "invite.ics"
METHODS = ("REQUEST", "CANCEL")
_TZID = TOKYO.key


# Asia/Tokyo as a VTIMEZONE: +09:00 all year (Japan has had no DST since 1951).
_VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    f"TZID:{_TZID}",
    "BEGIN:STANDARD",
    "DTSTART:19700101T000000",
    "TZNAME:JST",
    "TZOFFSETFROM:+0900",
    "TZOFFSETTO:+0900",
    "END:STANDARD",
    "END:VTIMEZONE",
)


def _text(value: str) -> str:
    """A TEXT value escaped as RFC 5545 §3.3.11 (and icalendar) write it."""
    return (
        value.replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


def _fold(line: str, limit: int = 75) -> str:
    """A content line folded below ``limit`` octets, never inside a character or
    an escape (RFC 5545 §3.1, as icalendar folds)."""
    if len(line.encode("utf-8")) < limit:
        return line
    folded: list[str] = []
    current: list[str] = []
    count = 0
    for char in line:
        size = len(char.encode("utf-8"))
        if current and count + size >= limit:
            if len(current) > 1 and current[-1] in "\\^":
                carried = current.pop()
                folded.append("".join(current))
                current, count = [carried], len(carried.encode("utf-8"))
            else:
                folded.append("".join(current))
                current, count = [], 0
        current.append(char)
        count += size
    if current:
        folded.append("".join(current))
    return "\r\n ".join(folded)


def _aware(name: str, value: datetime) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InvalidValue(f"invitation {name}", value, "a timezone-aware date-time")
    return value


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

    # Written directly rather than through icalendar's object model, which cost a
    # sizeable share of every transition that invites; the output is byte for byte
    # what icalendar writes (tests/unit/test_ics.py holds it to that).
    props = [
        ("SUMMARY", _text(summary)),
        ("DTSTART;TZID=" + _TZID, f"{start:%Y%m%dT%H%M%S}"),  # Tokyo-zoned
        ("DTEND;TZID=" + _TZID, f"{end:%Y%m%dT%H%M%S}"),
        ("DTSTAMP", f"{_aware('stamp', stamp).astimezone(UTC):%Y%m%dT%H%M%SZ}"),
        ("UID", _text(uid)),
        ("SEQUENCE", str(sequence)),
    ]
    organizer_line = "mailto:" + check_address("invitation organizer", organizer)
    for address in dict.fromkeys(attendees):  # once each, in the order given
        props.append(
            (
                "ATTENDEE;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE",
                "mailto:" + check_address("invitation attendee", address),
            )
        )
    props.append(("DESCRIPTION", _text(description)))
    if location or url:
        props.append(("LOCATION", _text(location or url or "")))
    props.append(("ORGANIZER", organizer_line))
    # A dispatch still being arranged is TENTATIVE until it is confirmed.
    status = "CANCELLED" if method == "CANCEL" else ("TENTATIVE" if tentative else "CONFIRMED")
    props += [("STATUS", status), ("TRANSP", "OPAQUE")]
    if url:
        props.append(("URL", url))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        _fold("PRODID:" + _text(PRODID)),
        "CALSCALE:GREGORIAN",
        "METHOD:" + method,
        *_VTIMEZONE,
        "BEGIN:VEVENT",
        *(_fold(f"{name}:{value}") for name, value in props),
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return Attachment(
        filename=FILENAME,
        content_type=f"text/calendar; method={method}; charset=UTF-8",
        data=("\r\n".join(lines) + "\r\n").encode("utf-8"),
    )
