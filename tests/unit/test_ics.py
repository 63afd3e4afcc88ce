"""Calendar invitations, parsed back with icalendar: what a mail client reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from banso.engine.errors import InvalidValue
from banso.engine.outbox import Attachment
from banso.notifications.ics import invitation

TOKYO = ZoneInfo("Asia/Tokyo")
START = datetime(2026, 10, 9, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo
LEAD = "yamada@contractor.example.jp"
CONTACT = "tanaka@city.kurashiki.example.jp"
CONSULTANT = "sato@consult.example.jp"


def make(**changes: Any) -> Attachment:
    arguments: dict[str, Any] = {
        "uid": "dispatch-31@banso",
        "sequence": 0,
        "method": "REQUEST",
        "start": START,
        "end": START + timedelta(hours=2),
        "summary": "専門人材派遣（倉敷市・生成AI）",
        "description": "令和8年度 県・市町村DX推進伴走支援事業\n専門人材派遣（倉敷市・生成AI）",
        "location": "倉敷市役所 本庁舎5階 会議室",
        "url": None,
        "organizer": LEAD,
        "attendees": [CONTACT, CONSULTANT],
        "stamp": datetime(2026, 9, 1, 0, 0, tzinfo=UTC),
        **changes,
    }
    return invitation(**arguments)


def parse(attachment: Attachment) -> tuple[Any, Any]:
    """The calendar and its one event (icalendar's property types are too wide
    to be worth narrowing in a test)."""
    cal = Calendar.from_ical(attachment.data)
    [event] = cal.walk("VEVENT")
    return cal, event


def test_an_onsite_request() -> None:
    attachment = make()
    assert attachment.filename == "invite.ics"
    assert attachment.content_type == "text/calendar; method=REQUEST; charset=UTF-8"

    cal, event = parse(attachment)
    assert str(cal["VERSION"]) == "2.0" and str(cal["PRODID"])
    assert str(cal["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == "dispatch-31@banso"
    assert int(event["SEQUENCE"]) == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == "専門人材派遣（倉敷市・生成AI）"
    assert "専門人材派遣" in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]) == "倉敷市役所 本庁舎5階 会議室"
    assert "URL" not in event
    assert event.decoded("DTSTAMP") == datetime(2026, 9, 1, 0, 0, tzinfo=UTC)


def test_times_are_written_in_tokyo_with_a_vtimezone() -> None:
    attachment = make()
    text = attachment.data.decode("utf-8")
    assert "DTSTART;TZID=Asia/Tokyo:20261009T100000" in text
    assert "DTEND;TZID=Asia/Tokyo:20261009T120000" in text

    cal, event = parse(attachment)
    [tz] = cal.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Asia/Tokyo"
    [standard] = tz.walk("STANDARD")
    assert standard["TZOFFSETFROM"].td == timedelta(hours=9)
    assert standard["TZOFFSETTO"].td == timedelta(hours=9)
    assert tz.walk("DAYLIGHT") == []
    assert event["DTSTART"].params["TZID"] == "Asia/Tokyo"
    start = event.decoded("DTSTART")
    assert start == START and start.astimezone(TOKYO).hour == 10
    assert event.decoded("DTEND") - start == timedelta(hours=2)


def test_organizer_and_attendees_are_mailto_with_rsvp() -> None:
    _, event = parse(make())
    assert str(event["ORGANIZER"]) == f"mailto:{LEAD}"
    attendees = event["ATTENDEE"]
    assert [str(a) for a in attendees] == [f"mailto:{CONTACT}", f"mailto:{CONSULTANT}"]
    for a in attendees:
        assert a.params["RSVP"] == "TRUE"
        assert a.params["PARTSTAT"] == "NEEDS-ACTION"


def test_a_web_meeting_carries_the_url_as_url_and_location() -> None:
    url = "https://meet.example.jp/abc-defg?pwd=123"
    _, event = parse(make(location=None, url=url))
    assert str(event["URL"]) == url
    assert str(event["LOCATION"]) == url


def test_no_place_and_no_url_means_no_location() -> None:
    _, event = parse(make(location=None, url=None))
    assert "LOCATION" not in event and "URL" not in event


def test_a_change_keeps_the_uid_and_bumps_the_sequence() -> None:
    _, first = parse(make(sequence=1))
    _, moved = parse(
        make(sequence=2, start=START + timedelta(days=7), end=START + timedelta(days=7, hours=2))
    )
    assert str(first["UID"]) == str(moved["UID"])
    assert int(moved["SEQUENCE"]) == 2
    assert moved.decoded("DTSTART") == START + timedelta(days=7)


def test_a_cancellation() -> None:
    attachment = make(method="CANCEL", sequence=3)
    assert attachment.content_type == "text/calendar; method=CANCEL; charset=UTF-8"
    cal, event = parse(attachment)
    assert str(cal["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == "dispatch-31@banso" and int(event["SEQUENCE"]) == 3


def test_long_japanese_text_is_folded_and_survives() -> None:
    summary = "専門人材派遣（倉敷市・情報システム標準化・ガバメントクラウド移行）" * 3
    attachment = make(summary=summary)
    lines = attachment.data.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75, "RFC 5545 folds lines at 75 octets"
    for line in lines:
        line.decode("utf-8")  # never split inside a character
    _, event = parse(attachment)
    assert str(event["SUMMARY"]) == summary


@pytest.mark.parametrize(
    "changes",
    [
        {"method": "PUBLISH"},
        {"start": datetime(2026, 10, 9, 10, 0)},  # naive
        {"end": START},  # not after the start
        {"stamp": datetime(2026, 9, 1)},
        {"sequence": -1},
        {"uid": "dispatch 31"},
        {"organizer": "not an address"},
        {"attendees": [CONTACT + "\r\nATTENDEE:mailto:x@example.jp"]},
    ],
)
def test_bad_values_are_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(InvalidValue):
        make(**changes)


def icalendar_wrote(**changes: Any) -> bytes:
    """The same invitation built through icalendar's object model (how Banso used to
    write it): the oracle the direct writer is held to, byte for byte."""
    from icalendar import Event, Timezone, TimezoneStandard, vCalAddress

    a: dict[str, Any] = {
        "uid": "dispatch-31@banso", "sequence": 0, "method": "REQUEST", "start": START,
        "end": START + timedelta(hours=2), "summary": "専門人材派遣（倉敷市・生成AI）",
        "description": "令和8年度 県・市町村DX推進伴走支援事業\n専門人材派遣（倉敷市・生成AI）",
        "location": "倉敷市役所 本庁舎5階 会議室", "url": None, "organizer": LEAD,
        "attendees": [CONTACT, CONSULTANT], "stamp": datetime(2026, 9, 1, 0, 0, tzinfo=UTC),
        "tentative": False, **changes,
    }  # fmt: skip
    event = Event()
    event.add("uid", a["uid"])
    event.add("sequence", a["sequence"])
    event.add("dtstamp", a["stamp"].astimezone(UTC))
    event.add("dtstart", a["start"].astimezone(TOKYO))
    event.add("dtend", a["end"].astimezone(TOKYO))
    event.add("summary", a["summary"])
    event.add("description", a["description"])
    if a["url"]:
        event.add("url", a["url"])
    if a["location"] or a["url"]:
        event.add("location", a["location"] or a["url"])
    event.add("organizer", vCalAddress("mailto:" + a["organizer"]))
    for address in dict.fromkeys(a["attendees"]):
        attendee = vCalAddress("mailto:" + address)
        attendee.params["ROLE"] = "REQ-PARTICIPANT"
        attendee.params["PARTSTAT"] = "NEEDS-ACTION"
        attendee.params["RSVP"] = "TRUE"
        event.add("attendee", attendee)
    method = a["method"]
    status = "CANCELLED" if method == "CANCEL" else ("TENTATIVE" if a["tentative"] else "CONFIRMED")
    event.add("status", status)
    event.add("transp", "OPAQUE")
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1970, 1, 1))
    standard.add("tzoffsetfrom", timedelta(hours=9))
    standard.add("tzoffsetto", timedelta(hours=9))
    standard.add("tzname", "JST")
    tz = Timezone()
    tz.add("tzid", "Asia/Tokyo")
    tz.add_component(standard)
    calendar = Calendar()
    calendar.add("prodid", "-//Banso//Banso DX accompaniment support//JA")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add_component(tz)
    calendar.add_component(event)
    return bytes(calendar.to_ical())


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"tentative": True, "sequence": 4},
        {"method": "CANCEL"},
        {"location": None, "url": "https://meet.example.jp/abc-defg?pwd=123;x=1,2"},
        {"location": None, "url": None},
        {"summary": "専門人材派遣（倉敷市・情報システム標準化・ガバメントクラウド移行）" * 3},
        {"description": "a\\b;c,d\r\ne\rf\\Ng " + "説明, 続き; " * 12},
        {"location": "x" * 73 + "\\;" + "y" * 80},
        {"attendees": [CONTACT, CONSULTANT, CONTACT, "a.very.long.name@subdomain.example.jp"]},
    ],
)
def test_the_direct_writer_writes_what_icalendar_writes(changes: dict[str, Any]) -> None:
    assert make(**changes).data == icalendar_wrote(**changes)
