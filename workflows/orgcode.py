"""全国地方公共団体コード (JIS X 0401 / 総務省): five digits and a check digit (pure).

The check digit: multiply the five digits by 6, 5, 4, 3, 2, add the products,
take the remainder by 11 and subtract it from 11; the last digit of that is the
check digit (笠岡市 33205 → 51 → 11 − 7 = 4 → 332054; 岡山県 33000 → 33 → 11 −
0 = 11 → 330001).
"""

from __future__ import annotations

import re
import unicodedata

WEIGHTS = (6, 5, 4, 3, 2)


def check_digit(five: str) -> int:
    """The check digit of a five-digit code."""
    if not re.fullmatch(r"[0-9]{5}", five):
        raise ValueError(f"not a five-digit code: {five!r}")
    total = sum(int(d) * w for d, w in zip(five, WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def with_check_digit(five: str) -> str:
    """笠岡市 33205 → 332054."""
    return five + str(check_digit(five))


def check_digit_ok(six: str) -> bool:
    return bool(re.fullmatch(r"[0-9]{6}", six)) and int(six[5]) == check_digit(six[:5])


def digits(text: str) -> str:
    """A code as typed, full-width digits folded and spaces dropped."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text))
