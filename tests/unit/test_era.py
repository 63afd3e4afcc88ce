"""和暦 formatting: era change-over days, 元年, and fiscal years kept apart from era years."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from banso.engine.era import (
    era_of,
    fiscal_year,
    format_date,
    format_datetime,
    format_fiscal_year,
    format_year,
)


@pytest.mark.parametrize(
    ("day", "era", "text"),
    [
        (date(2019, 4, 30), ("平成", 31), "平成31年4月30日"),
        (date(2019, 5, 1), ("令和", 1), "令和元年5月1日"),
        (date(2019, 12, 31), ("令和", 1), "令和元年12月31日"),
        (date(2020, 1, 1), ("令和", 2), "令和2年1月1日"),
        (date(1989, 1, 7), ("昭和", 64), "昭和64年1月7日"),
        (date(1989, 1, 8), ("平成", 1), "平成元年1月8日"),
        (date(1926, 12, 24), ("大正", 15), "大正15年12月24日"),
        (date(1926, 12, 25), ("昭和", 1), "昭和元年12月25日"),
        (date(1912, 7, 29), ("明治", 45), "明治45年7月29日"),
        (date(1912, 7, 30), ("大正", 1), "大正元年7月30日"),
        (date(1868, 1, 25), ("明治", 1), "明治元年1月25日"),
        (date(2026, 10, 9), ("令和", 8), "令和8年10月9日"),
        (date(2027, 1, 15), ("令和", 9), "令和9年1月15日"),
    ],
)
def test_era_of_and_format_date(day: date, era: tuple[str, int], text: str) -> None:
    assert era_of(day) == era
    assert format_date(day) == text


def test_format_year() -> None:
    assert format_year(date(2019, 5, 1)) == "令和元年"
    assert format_year(date(2027, 1, 15)) == "令和9年"
    assert format_year(date(2019, 4, 30)) == "平成31年"


@pytest.mark.parametrize(
    ("day", "fy"),
    [
        (date(2026, 4, 1), 2026),
        (date(2027, 1, 15), 2026),
        (date(2027, 3, 31), 2026),
        (date(2027, 4, 1), 2027),
        (date(2026, 3, 31), 2025),
    ],
)
def test_fiscal_year_starts_in_april(day: date, fy: int) -> None:
    assert fiscal_year(day) == fy


@pytest.mark.parametrize(
    ("fy", "label"),
    [
        (2026, "令和8年度"),
        (2019, "令和元年度"),
        (2018, "平成30年度"),
        (1989, "平成元年度"),
        (1988, "昭和63年度"),
        (1926, "昭和元年度"),
        (1868, "明治元年度"),
    ],
)
def test_format_fiscal_year(fy: int, label: str) -> None:
    assert format_fiscal_year(fy) == label


def test_fiscal_year_label_is_apart_from_era_year() -> None:
    day = date(2027, 1, 15)
    assert format_date(day) == "令和9年1月15日"
    assert format_fiscal_year(fiscal_year(day)) == "令和8年度"


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 10, 9, 0, 0, tzinfo=UTC), "令和8年10月9日 9:00"),
        (datetime(2026, 10, 9, 14, 30, tzinfo=UTC), "令和8年10月9日 23:30"),
        # 15:05 UTC on 30 April 2019 is already 令和 in Tokyo.
        (datetime(2019, 4, 30, 15, 5, tzinfo=UTC), "令和元年5月1日 0:05"),
        (datetime(2026, 10, 9, 9, 0, tzinfo=timezone(timedelta(hours=9))), "令和8年10月9日 9:00"),
    ],
)
def test_format_datetime_in_tokyo(moment: datetime, text: str) -> None:
    assert format_datetime(moment) == text


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        format_datetime(datetime(2026, 10, 9, 9, 0))


def test_date_for_datetime_is_refused() -> None:
    with pytest.raises(ValueError):
        format_datetime(date(2026, 10, 9))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        format_date(datetime(2026, 10, 9, 9, 0, tzinfo=UTC))


@pytest.mark.parametrize(
    "call",
    [
        lambda: era_of(date(1868, 1, 24)),
        lambda: format_date(date(1800, 1, 1)),
        lambda: format_year(date(1868, 1, 24)),
        lambda: format_fiscal_year(1867),
        lambda: format_datetime(datetime(1868, 1, 24, 0, 0, tzinfo=UTC)),
    ],
)
def test_before_meiji_is_refused(call: object) -> None:
    assert callable(call)
    with pytest.raises(ValueError, match="明治"):
        call()


def test_fiscal_year_must_be_an_int() -> None:
    with pytest.raises(ValueError):
        format_fiscal_year("2026")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        format_fiscal_year(True)
