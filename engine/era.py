"""Japanese era (和暦) dates and fiscal years, as the prefecture writes them.

Written by hand because libraries tend to get 元年 (the first year of an era,
never "1年") or the change-over days wrong. Dates before 明治 are refused.

The fiscal year (年度) starts on 1 April and is a separate label from the era
year: 2027-01-15 is 令和9年1月15日 but belongs to 令和8年度.
"""

from __future__ import annotations

from datetime import date, datetime

from banso.engine.clock import TOKYO

# Newest first, so the first era that started on or before a date is its era.
# 明治 is taken to start on 1868-01-25 (Gregorian) for our purposes.
_ERAS: tuple[tuple[date, str], ...] = (
    (date(2019, 5, 1), "令和"),
    (date(1989, 1, 8), "平成"),
    (date(1926, 12, 25), "昭和"),
    (date(1912, 7, 30), "大正"),
    (date(1868, 1, 25), "明治"),
)

_FISCAL_YEAR_START_MONTH = 4


def _require_date(value: object, what: str) -> date:
    # A datetime's calendar day depends on its timezone; format_datetime is
    # the place for moments, so datetimes are refused here.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"{what} must be a date (not a datetime), got {value!r}")
    return value


def _year_label(era_year: int) -> str:
    """'元' for the first year of an era, else the plain number (no padding)."""
    return "元" if era_year == 1 else str(era_year)


def era_of(d: date) -> tuple[str, int]:
    """The era name and era year of ``d``, e.g. ("令和", 8) for 2026-10-09."""
    _require_date(d, "d")
    for start, name in _ERAS:
        if d >= start:
            return name, d.year - start.year + 1
    raise ValueError(f"{d} is before 明治 (1868-01-25); no era year for it")


def format_date(d: date) -> str:
    """``d`` as 和暦, e.g. "令和8年10月9日", "令和元年5月1日"."""
    name, year = era_of(d)
    return f"{name}{_year_label(year)}年{d.month}月{d.day}日"


def format_year(d: date) -> str:
    """The era year of ``d``, e.g. "令和元年", "令和9年"."""
    name, year = era_of(d)
    return f"{name}{_year_label(year)}年"


def fiscal_year(d: date) -> int:
    """The Japanese fiscal year (starting 1 April) of ``d``: 2027-01-15 -> 2026."""
    _require_date(d, "d")
    return d.year if d.month >= _FISCAL_YEAR_START_MONTH else d.year - 1


def format_fiscal_year(fy: int) -> str:
    """A fiscal year as 和暦, e.g. 2026 -> "令和8年度", 2019 -> "令和元年度".

    A fiscal year is named by the era in force at the end of calendar year
    ``fy`` (the newest era that began in or before it): 1988 -> 昭和63年度,
    1989 -> 平成元年度.
    """
    if isinstance(fy, bool) or not isinstance(fy, int):
        raise ValueError(f"fiscal year must be an int like 2026, got {fy!r}")
    for start, name in _ERAS:
        if start.year <= fy:
            return f"{name}{_year_label(fy - start.year + 1)}年度"
    raise ValueError(f"fiscal year {fy} is before 明治 (1868); no era name for it")


def format_datetime(dt: datetime) -> str:
    """An aware moment shown in Tokyo time, e.g. "令和8年10月9日 9:00"."""
    if not isinstance(dt, datetime):
        raise ValueError(f"expected a datetime, got {dt!r}")
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"datetime must be timezone-aware, got naive {dt!r}")
    local = dt.astimezone(TOKYO)
    return f"{format_date(local.date())} {local.hour}:{local.minute:02d}"
