"""Dates, times, modes and channels as people in a Japanese office type them (pure).

Accepted, full-width digits and punctuation included (NFKC):

- dates: ``2026-06-10``, ``2026/6/10``, ``2026.6.10``, ``2026年6月10日``,
  ``令和8年6月10日`` (``令和元年``), ``R8.6.10``, ``R8/6/10`` (also 平成 H, 昭和 S);
- times: ``13:30``, ``13時30分``, ``13時``, ``13時半``;
- a date-time: a date and a time separated by a space or ``T``, or ISO 8601 with
  an offset (``2026-06-10T13:30+09:00``); no offset means Tokyo time;
- modes: ``onsite``/``訪問``/``対面``/``現地``, ``web``/``WEB``/``WEB会議``/``オンライン``;
- channels: ``mail``/``メール``, ``phone``/``電話``, ``web``/``WEB``/``WEB会議``.

A value that is none of these raises :class:`InvalidValue` naming where it was
typed and what it was; nothing reads a value half-way.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time

from banso.engine.clock import TOKYO
from banso.engine.era import era_of
from banso.engine.errors import InvalidValue

DATE_EXPECTED = "a date as YYYY-MM-DD, e.g. 2026-04-01"
DATETIME_EXPECTED = "an ISO 8601 date-time like 2026-10-09T09:00+09:00"
MONTH_EXPECTED = "YYYY-MM, e.g. 2026-10"

# Era → the Gregorian year of its first year (元年) and its first day.
ERAS: dict[str, tuple[int, date]] = {
    "令和": (2019, date(2019, 5, 1)),
    "平成": (1989, date(1989, 1, 8)),
    "昭和": (1926, date(1926, 12, 25)),
}
ERA_LETTERS: dict[str, str] = {"R": "令和", "H": "平成", "S": "昭和"}

MODE_WORDS: dict[str, str] = {
    "onsite": "onsite",
    "訪問": "onsite",
    "対面": "onsite",
    "現地": "onsite",
    "web": "web",
    "web会議": "web",
    "オンライン": "web",
}
CHANNEL_WORDS: dict[str, str] = {
    "mail": "mail",
    "メール": "mail",
    "e-mail": "mail",
    "phone": "phone",
    "電話": "phone",
    "web": "web",
    "web会議": "web",
    "オンライン": "web",
}

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SLASH = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_KANJI = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$")
_ERA_KANJI = re.compile(r"^(令和|平成|昭和)(元|\d{1,2})年(\d{1,2})月(\d{1,2})日?$")
_ERA_LETTER = re.compile(r"^([RHS])(元|\d{1,2})[./年-](\d{1,2})[./月-](\d{1,2})日?$", re.I)
_TIME_COLON = re.compile(r"^(\d{1,2}):(\d{2})$")
_TIME_KANJI = re.compile(r"^(\d{1,2})時(?:(\d{1,2})分|(半))?$")
_MONTH = re.compile(r"^(\d{4})[-/年](\d{1,2})月?$")
_ERA_MONTH = re.compile(r"^(令和|平成|昭和|[RHS])(元|\d{1,2})[年./-](\d{1,2})月?$", re.I)


def normalize(text: str) -> str:
    """Full-width digits, letters and punctuation as their ASCII forms, trimmed."""
    folded = unicodedata.normalize("NFKC", text).strip()
    return folded.replace("〜", "~").replace("～", "~")


def _era_year(era: str, year_text: str) -> int:
    first, _start = ERAS[era]
    return first + (1 if year_text == "元" else int(year_text)) - 1


def _date_or_none(text: str) -> date | None:
    value = normalize(text)
    era: str | None = None
    if m := _ISO.match(value) or _SLASH.match(value) or _KANJI.match(value):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := _ERA_KANJI.match(value):
        era = m[1]
        year, month, day = _era_year(m[1], m[2]), int(m[3]), int(m[4])
    elif m := _ERA_LETTER.match(value):
        era = ERA_LETTERS[m[1].upper()]
        year, month, day = _era_year(era, m[2]), int(m[3]), int(m[4])
    else:
        return None
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    if era is not None and era_of(found)[0] != era:
        return None  # 令和1年4月1日 was still 平成
    return found


def parse_date(text: str, where: str = "date") -> date:
    """A calendar date in any of the forms above."""
    found = _date_or_none(text)
    if found is None:
        raise InvalidValue(where, text, DATE_EXPECTED)
    return found


def _time_or_none(text: str) -> time | None:
    value = normalize(text)
    if m := _TIME_COLON.match(value):
        hour, minute = int(m[1]), int(m[2])
    elif m := _TIME_KANJI.match(value):
        hour, minute = int(m[1]), (30 if m[3] else int(m[2] or 0))
    else:
        return None
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_time(text: str, where: str = "time") -> time:
    found = _time_or_none(text)
    if found is None:
        raise InvalidValue(where, text, "a time like 13:30 or 13時30分")
    return found


def parse_datetime(text: str, where: str = "date-time") -> datetime:
    """A moment: a date and a time (Tokyo time unless an offset is given). Returns UTC."""
    value = normalize(text)
    found: datetime | None = None
    if "T" in value or "+" in value or value.endswith("Z"):
        try:
            found = datetime.fromisoformat(value)
        except ValueError:
            found = None
    if found is None:
        parts = re.split(r"[ T]+", value, maxsplit=1)
        if len(parts) == 2 and not re.search(r"[+Z]", parts[1]):
            day, moment = _date_or_none(parts[0]), _time_or_none(parts[1])
            if day is not None and moment is not None:
                found = datetime.combine(day, moment)
        elif len(parts) == 1:
            # 令和8年6月10日13時30分: the date ends at 日.
            m = re.match(r"^(.+日)(.+)$", value)
            if m:
                day, moment = _date_or_none(m[1]), _time_or_none(m[2])
                if day is not None and moment is not None:
                    found = datetime.combine(day, moment)
    if found is None:
        raise InvalidValue(where, text, DATETIME_EXPECTED)
    if found.tzinfo is None:
        found = found.replace(tzinfo=TOKYO)
    return found.astimezone(UTC)


def parse_month(text: str, where: str = "month") -> str:
    """A month as ``YYYY-MM``: ``2026-10``, ``2026/10``, ``2026年10月``, ``令和8年10月``, ``R8.10``.

    The survey's 希望時期 (months and ranges) is the rules' parser, not this one.
    """
    value = normalize(text)
    if m := _MONTH.match(value):
        year, month = int(m[1]), int(m[2])
    elif m := _ERA_MONTH.match(value):
        era = ERA_LETTERS.get(m[1].upper(), m[1])
        year, month = _era_year(era, m[2]), int(m[3])
    else:
        raise InvalidValue(where, text, MONTH_EXPECTED)
    if not 1 <= month <= 12:
        raise InvalidValue(where, text, MONTH_EXPECTED)
    return f"{year:04d}-{month:02d}"


def _word(text: str, words: dict[str, str]) -> str | None:
    return words.get(normalize(text).lower())


def parse_mode(text: str, where: str = "mode") -> str:
    """訪問/WEB/onsite/web → the stored code (``onsite``/``web``)."""
    found = _word(text, MODE_WORDS)
    if found is None:
        raise InvalidValue(where, text, "onsite (訪問) or web (WEB)")
    return found


def parse_channel(text: str, where: str = "channel") -> str:
    """メール/電話/WEB会議/mail/phone/web → the stored code."""
    found = _word(text, CHANNEL_WORDS)
    if found is None:
        raise InvalidValue(where, text, "mail (メール), phone (電話) or web (WEB会議)")
    return found


def parse_int(text: str, where: str) -> int:
    """A whole number, full-width digits allowed."""
    value = normalize(text).replace(",", "")
    if not re.fullmatch(r"-?\d+", value):
        raise InvalidValue(where, text, "a whole number")
    return int(value)
