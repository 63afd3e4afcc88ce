"""One rule per kind of value that enters Banso: text, names, codes, URLs, ids,
counts and dates.

Every entry point (command options, survey rows, ``banso.toml``) asks this
module, so a value accepted at one door is accepted at every door, and a value
that would later break a mail header, a column of PostgreSQL or a document is
refused where it comes in, with the field named, before anything is written.

Each rule returns None when the value is fine, else a short reason in the
words of ``email_problem`` ("it contains a line break").

The limits follow the narrowest column that stores each kind on any backend
(``storage/models.py``): names and titles 200, organisation codes 16, theme
codes 32, URLs 500, e-mail addresses 254 (``workflows/email.py``). Ids are
PostgreSQL ``integer`` (at most 2³¹−1).

Pure: the standard library only.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date

from banso.engine.phrase import Phrase
from banso.workflows.email import MAX_ADDRESS, email_problem

__all__ = [
    "EARLIEST",
    "LATEST",
    "MAX_CODE",
    "MAX_COUNT",
    "MAX_HOURS",
    "MAX_ID",
    "MAX_LINE",
    "MAX_NAME",
    "MAX_TEXT",
    "MAX_THEME_CODE",
    "MAX_URL",
    "code_problem",
    "count_problem",
    "date_problem",
    "email_problem",
    "hide_passwords",
    "hours_problem",
    "id_problem",
    "line_problem",
    "name_problem",
    "one_line",
    "programme_window",
    "shown",
    "text_problem",
    "url_problem",
]

MAX_ID = 2**31 - 1  # PostgreSQL integer, the narrowest id column Banso has
MAX_NAME = 200  # String(200): names, titles, places, references
MAX_LINE = 1000  # one-line values with no column of their own (a path, a URL to a database)
MAX_CODE = 16  # organisations.code
MAX_THEME_CODE = 32  # themes.code
MAX_URL = 500  # meetings.url
MAX_EMAIL = MAX_ADDRESS
MAX_TEXT = 20_000  # findings, minutes, summaries: Text columns, a few pages at most
MAX_COUNT = 100_000  # quotas, planned dispatches, limits: far above any real programme
MAX_HOURS = 24.0  # one dispatch is at most a day
# Dates any command accepts before the database is open: a coarse bound that keeps
# 0001-01-01 and 9999-12-31 away from every column and calendar. Once the contract
# is known, a date that is planned or recorded must also fall within its years
# (``programme_window``).
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)

_LINE_BREAKS = "\r\n\u2028\u2029\x85\x0b\x0c"
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _undecodable(value: str) -> bool:
    # Bytes that are not UTF-8 reach Python's argv as lone surrogates.
    return any("\ud800" <= char <= "\udfff" for char in value)


def _control(value: str, *, multiline: bool) -> str | None:
    for char in value:
        if char in _LINE_BREAKS:
            if multiline and char == "\n":
                continue
            if multiline and char == "\r":
                continue  # CRLF pasted from Windows; stored as typed
            return "it contains a line break" if not multiline else f"it contains {char!r}"
        if char == "\t" and multiline:
            continue
        category = unicodedata.category(char)
        if category == "Cc":
            return Phrase("it contains the control character {char!r}", char=char)
        if category == "Cf" and char not in "\u200d\ufe0f":  # ZWJ, emoji variation: harmless
            return Phrase("it contains the invisible formatting character {char!r}", char=char)
    return None


def text_problem(value: object, *, limit: int = MAX_TEXT, multiline: bool = True) -> str | None:
    """Free text (findings, minutes, a summary): decodable, no control characters
    but line breaks and tabs, at most ``limit`` characters, not blank."""
    if not isinstance(value, str):
        return Phrase("it is not text")
    if _undecodable(value):
        return Phrase("it is not valid UTF-8 text (undecodable bytes)")
    problem = _control(value, multiline=multiline)
    if problem:
        return problem
    if len(value) > limit:
        return Phrase(
            "it is {length} characters long; the most is {limit}", length=len(value), limit=limit
        )
    if not value.strip():
        return Phrase("it is empty")
    return None


def line_problem(value: object, *, limit: int = MAX_NAME) -> str | None:
    """One line of text (a reason, a reference, a place): as ``text_problem``
    without line breaks or tabs."""
    return text_problem(value, limit=limit, multiline=False)


def name_problem(value: object, *, limit: int = MAX_NAME) -> str | None:
    """A name (of a person, an organisation, a theme, a company): one line, no
    spaces before or after (they make two names that look the same)."""
    problem = line_problem(value, limit=limit)
    if problem is None and isinstance(value, str) and value != value.strip():
        return Phrase("it has spaces before or after it")
    return problem


def code_problem(value: object, *, limit: int = MAX_CODE) -> str | None:
    """A code (団体コード, a theme code): letters, digits, ``.``, ``_`` and ``-``,
    starting with a letter or digit, at most ``limit`` characters."""
    problem = line_problem(value, limit=limit)
    if problem is not None:
        return problem
    assert isinstance(value, str)
    if value != value.strip():
        return Phrase("it has spaces before or after it")
    if _CODE.fullmatch(value) is None:
        odd = next((c for c in value if not (c.isascii() and (c.isalnum() or c in "._-"))), None)
        if odd is not None:
            return Phrase(
                "it contains {odd!r}; a code is ASCII letters, digits, '.', '_' and '-'", odd=odd
            )
        return Phrase("it must start with a letter or a digit")
    return None


def url_problem(value: object, *, limit: int = MAX_URL) -> str | None:
    """A web address people open (an online meeting): http(s), a host, no spaces."""
    problem = line_problem(value, limit=limit)
    if problem is not None:
        return problem
    assert isinstance(value, str)
    if any(char.isspace() for char in value):
        return Phrase("it contains a space")
    scheme, sep, rest = value.partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        return Phrase("it does not start with https:// or http://")
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    if not host or host.startswith((".", ":", "-")):
        return Phrase("it has no host after the ://")
    if not value.isascii():
        return Phrase(
            "it contains characters other than ASCII; give the address as copied from the browser"
        )
    return None


def id_problem(value: object) -> str | None:
    """A record's id: a whole number from 1 to 2³¹−1."""
    if isinstance(value, bool) or not isinstance(value, int):
        return Phrase("it is not a whole number")
    if not 1 <= value <= MAX_ID:
        return Phrase("it is out of range; ids are 1 to {max_id}", max_id=MAX_ID)
    return None


def count_problem(value: object, *, least: int = 0, most: int = MAX_COUNT) -> str | None:
    """A count (a quota, planned dispatches, a limit): a whole number in range."""
    if isinstance(value, bool) or not isinstance(value, int):
        return Phrase("it is not a whole number")
    if not least <= value <= most:
        return Phrase("it is out of range; expected {least} to {most}", least=least, most=most)
    return None


def hours_problem(value: object) -> str | None:
    """A dispatch's hours: a finite number above 0 and at most a day."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return Phrase("it is not a number")
    if not math.isfinite(value):
        return Phrase("it is not a finite number")
    if not 0 < value <= MAX_HOURS:
        return Phrase(
            "it is out of range; expected more than 0 and at most {max_hours:g}",
            max_hours=MAX_HOURS,
        )
    return None


def date_problem(value: date, *, earliest: date = EARLIEST, latest: date = LATEST) -> str | None:
    """A date Banso plans or records: within the programme's years."""
    if not earliest <= value <= latest:
        return Phrase(
            "it is outside {earliest} to {latest}",
            earliest=earliest.isoformat(),
            latest=latest.isoformat(),
        )
    return None


def programme_window(contract_start: date, contract_end: date) -> tuple[date, date]:
    """The dates a programme plans and records: from a year before the start of the
    contract's first fiscal year (April 1) to a year after the contract ends (a
    contract of FY2026 plans nothing in FY2030, nor before April 2025)."""
    first_fy = contract_start.year if contract_start.month >= 4 else contract_start.year - 1
    earliest = date(first_fy - 1, 4, 1)
    try:
        latest = contract_end.replace(year=contract_end.year + 1)
    except ValueError:  # February 29 of a leap year
        latest = contract_end.replace(year=contract_end.year + 1, day=28)
    return earliest, latest


_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")


def hide_passwords(text: str) -> str:
    """``scheme://user:***@host``: a URL's password never reaches a message, even
    when the URL is mistyped (a space, a bad port) and no parser could read it."""
    return _PASSWORD.sub(r"\1***@", text)


def shown(value: object, limit: int = 40) -> str:
    """A value as an error line may quote it: on one line (``repr`` escapes line
    breaks, so a forged ``Bcc:`` line stays inside the quotes), and short."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    return repr(text)


def one_line(message: str) -> str:
    """A message on one line whatever a value inside it held: line breaks and
    other control characters are written as escapes."""
    out: list[str] = []
    for char in message:
        if char in _LINE_BREAKS or unicodedata.category(char) == "Cc":
            out.append(char.encode("unicode_escape").decode("ascii"))
        elif "\ud800" <= char <= "\udfff":
            out.append("\\x%02x" % (ord(char) - 0xDC00) if ord(char) >= 0xDC80 else "?")
        else:
            out.append(char)
    return "".join(out)
