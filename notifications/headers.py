"""Checks for every value that ends up in a mail header.

A line break in a header value would let whoever typed it add headers of their
own (a Bcc, a second body): header injection. Values are refused, never
cleaned, so that a bad record shows up as an error instead of a quietly
altered mail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from banso.engine.errors import InvalidValue
from banso.workflows.email import email_problem

# Addresses follow the one rule, banso.workflows.email: a bare ASCII addr-spec
# with a dot-atom local part and a dotted domain, the same rule `person add` and
# the demand survey apply, so that an address taken in is one a mail can go to.
# One exception, for the sender only: ``From`` may be a host-only address such
# as ``banso@localhost`` (the daemon's fallback when neither mail_from nor a
# project lead is set; test and relay set-ups). Nobody is ever sent mail there.
_SENDER_FIELD = "From"
_LOCAL_HOST = "localhost"
# Unicode category Cc is exactly U+0000–U+001F and U+007F–U+009F (fixed by the
# standard); U+2028/U+2029 are not Cc, but mail clients may break lines on them.
# One regular expression instead of a category look-up per character: every
# subject of a sweep's thousand reminders goes through here.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _control_character(value: str) -> str | None:
    found = _CONTROL.search(value)
    return found.group() if found else None


def check_header(field: str, value: str) -> str:
    """``value`` if it may go into the header ``field``; InvalidValue naming the field if not."""
    if not isinstance(value, str):
        raise InvalidValue(f"mail {field}", value, "text")
    if _control_character(value) is not None:
        raise InvalidValue(
            f"mail {field}", value, "one line without line breaks or control characters"
        )
    return value


def check_address(field: str, value: str) -> str:
    """``value`` if it is one e-mail address Banso can send to (``email_problem``
    finds nothing); InvalidValue naming the field, and saying what is wrong, if not."""
    check_header(field, value)
    problem = email_problem(value)
    if problem is not None and field == _SENDER_FIELD and _is_local_sender(value):
        problem = None
    if problem is not None:
        raise InvalidValue(
            f"mail {field}", value, f"one e-mail address like tanaka@city.example.jp ({problem})"
        )
    return value


def _is_local_sender(value: str) -> bool:
    """``name@localhost`` with a local part the rule accepts."""
    local, at, host = value.rpartition("@")
    # Checked as if the host were a real domain: only the host is excused.
    return bool(at) and host == _LOCAL_HOST and email_problem(f"{local}@example.jp") is None


def check_addresses(field: str, values: Iterable[str], *, required: bool) -> tuple[str, ...]:
    """Every address checked; ``required`` refuses an empty list."""
    if isinstance(values, str):
        # A bare string would be iterated character by character.
        raise InvalidValue(f"mail {field}", values, "a list of e-mail addresses")
    checked = tuple(check_address(field, v) for v in values)
    if required and not checked:
        raise InvalidValue(f"mail {field}", checked, "at least one e-mail address")
    return checked
