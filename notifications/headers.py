"""Checks for every value that ends up in a mail header.

A line break in a header value would let whoever typed it add headers of their
own (a Bcc, a second body): header injection. Values are refused, never
cleaned, so that a bad record shows up as an error instead of a quietly
altered mail.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from banso.engine.errors import InvalidValue

# A bare addr-spec: a dot-atom local part and a host name (``localhost`` is
# allowed for test and relay set-ups). Quoted local parts, display names and
# non-ASCII addresses are refused: nobody in the programme needs them, and each
# would need its own encoding rules.
_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
)
_MAX_ADDRESS = 254  # RFC 5321's limit on a forward path
_LINE_SEPARATORS = {"\u2028", "\u2029"}  # not Cc, but mail clients may break lines on them


def _control_character(value: str) -> str | None:
    for char in value:
        if unicodedata.category(char) == "Cc" or char in _LINE_SEPARATORS:
            return char
    return None


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
    """``value`` if it is one plausible e-mail address; InvalidValue naming the field if not."""
    check_header(field, value)
    if len(value) > _MAX_ADDRESS or _ADDRESS.fullmatch(value) is None:
        raise InvalidValue(f"mail {field}", value, "one e-mail address like tanaka@city.example.jp")
    return value


def check_addresses(field: str, values: Iterable[str], *, required: bool) -> tuple[str, ...]:
    """Every address checked; ``required`` refuses an empty list."""
    if isinstance(values, str):
        # A bare string would be iterated character by character.
        raise InvalidValue(f"mail {field}", values, "a list of e-mail addresses")
    checked = tuple(check_address(field, v) for v in values)
    if required and not checked:
        raise InvalidValue(f"mail {field}", checked, "at least one e-mail address")
    return checked
