"""Dates, times, modes and channels as people type them (workflows.parse)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from banso.engine.errors import InvalidValue
from banso.workflows.orgcode import check_digit, with_check_digit
from banso.workflows.parse import (
    parse_channel,
    parse_date,
    parse_datetime,
    parse_mode,
    parse_month,
    parse_time,
)


@pytest.mark.parametrize(
    "text",
    ["2026-06-10", "2026/6/10", "2026/06/10", "2026年6月10日", "令和8年6月10日", "R8.6.10",
     "r8/6/10", "２０２６／６／１０", "令和８年６月１０日", "Ｒ８．６．１０", " 2026-06-10 "],
)  # fmt: skip
def test_date_forms_are_one_day(text: str) -> None:
    assert parse_date(text, "--from") == date(2026, 6, 10)


def test_first_year_of_an_era() -> None:
    assert parse_date("令和元年5月1日") == date(2019, 5, 1)
    assert parse_date("H31.4.30") == date(2019, 4, 30)


@pytest.mark.parametrize(
    "text",
    ["2026-13-01", "2026/2/30", "令和1年4月30日", "平成32年1月1日", "R8.6", "6/10", "tomorrow", ""],
)
def test_bad_dates_name_the_field_and_value(text: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        parse_date(text, "--from")
    assert caught.value.where == "--from" and caught.value.value == text


@pytest.mark.parametrize("text", ["13:30", "13時30分", "１３：３０", "１３時３０分", "13時半"])
def test_time_forms(text: str) -> None:
    assert parse_time(text).strftime("%H:%M") == "13:30"


@pytest.mark.parametrize("text", ["24:00", "13:60", "13時60分", "1330", "午後1時"])
def test_bad_times(text: str) -> None:
    with pytest.raises(InvalidValue):
        parse_time(text, "--at")


JUNE_10_1330 = datetime(2026, 6, 10, 4, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    ["2026-06-10T13:30", "2026-06-10 13:30", "2026-06-10T13:30+09:00", "2026-06-10T04:30Z",
     "2026/6/10 13:30", "令和8年6月10日 13時30分", "令和8年6月10日13時30分", "R8.6.10 13:30",
     "２０２６／６／１０　１３：３０"],
)  # fmt: skip
def test_datetime_forms_are_one_moment(text: str) -> None:
    assert parse_datetime(text, "--at") == JUNE_10_1330


@pytest.mark.parametrize("text", ["2026-06-10", "2026/6/10 25:00", "令和8年6月10日 昼", "13:30"])
def test_bad_datetimes(text: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        parse_datetime(text, "--at")
    assert caught.value.where == "--at"


@pytest.mark.parametrize(
    "text", ["2026-10", "2026/10", "2026年10月", "令和8年10月", "R8.10", "２０２６－１０"]
)
def test_month_forms(text: str) -> None:
    assert parse_month(text) == "2026-10"


@pytest.mark.parametrize(
    ("text", "code"),
    [("訪問", "onsite"), ("onsite", "onsite"), ("対面", "onsite"), ("WEB", "web"), ("web", "web"),
     ("ＷＥＢ", "web"), ("WEB会議", "web"), ("オンライン", "web")],
)  # fmt: skip
def test_modes(text: str, code: str) -> None:
    assert parse_mode(text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [("メール", "mail"), ("mail", "mail"), ("電話", "phone"), ("phone", "phone"),
     ("WEB会議", "web"), ("web", "web")],
)  # fmt: skip
def test_channels(text: str, code: str) -> None:
    assert parse_channel(text) == code


@pytest.mark.parametrize("text", ["bike", "", "訪門"])
def test_bad_modes_and_channels(text: str) -> None:
    with pytest.raises(InvalidValue):
        parse_mode(text)
    with pytest.raises(InvalidValue):
        parse_channel(text)


def test_check_digits_of_okayama() -> None:
    # 総務省's published codes: 岡山県, 岡山市, 倉敷市, 津山市, 笠岡市, 新庄村.
    for code in ("330001", "331007", "332020", "332038", "332054", "335860"):
        assert with_check_digit(code[:5]) == code
    assert check_digit("33205") == 4
