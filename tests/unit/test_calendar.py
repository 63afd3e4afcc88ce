"""The business calendar against FY2026 (令和8年度) as DOMAIN.md lists it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from banso.engine.calendar import BusinessCalendar, DueDate, HolidayRule

FY_START = date(2026, 4, 1)
FY_END = date(2027, 3, 31)

# DOMAIN.md "Dates": the national holidays (with 振替休日 and 国民の休日) of FY2026.
FY2026_HOLIDAYS = {
    date(2026, 4, 29): "昭和の日",
    date(2026, 5, 3): "憲法記念日",
    date(2026, 5, 4): "みどりの日",
    date(2026, 5, 5): "こどもの日",
    date(2026, 5, 6): "振替休日",
    date(2026, 7, 20): "海の日",
    date(2026, 8, 11): "山の日",
    date(2026, 9, 21): "敬老の日",
    date(2026, 9, 22): "国民の休日",
    date(2026, 9, 23): "秋分の日",
    date(2026, 10, 12): "スポーツの日",
    date(2026, 11, 3): "文化の日",
    date(2026, 11, 23): "勤労感謝の日",
    date(2027, 1, 1): "元日",
    date(2027, 1, 11): "成人の日",
    date(2027, 2, 11): "建国記念の日",
    date(2027, 2, 23): "天皇誕生日",
    date(2027, 3, 21): "春分の日",  # a Sunday ...
    date(2027, 3, 22): "振替休日",  # ... so the Monday is its substitute holiday
}

YEAR_END = [date(2026, 12, 29) + timedelta(days=i) for i in range(6)]  # 12/29 .. 1/3


def days(start: date, end: date) -> list[date]:
    """Every day from start to end inclusive."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


@pytest.fixture(scope="module")
def cal() -> BusinessCalendar:
    return BusinessCalendar()


# -- closed days ---------------------------------------------------------------


@pytest.mark.parametrize(("day", "name"), sorted(FY2026_HOLIDAYS.items()))
def test_fy2026_national_holidays_are_closed_with_their_names(
    cal: BusinessCalendar, day: date, name: str
) -> None:
    assert not cal.is_business_day(day)
    assert cal.closed_reason(day) == name


@pytest.mark.parametrize("day", YEAR_END)
def test_year_end_closure_is_closed(cal: BusinessCalendar, day: date) -> None:
    assert not cal.is_business_day(day)


def test_only_listed_weekdays_are_closed_in_fy2026(cal: BusinessCalendar) -> None:
    closed_weekdays = {
        d for d in days(FY_START, FY_END) if d.weekday() < 5 and not cal.is_business_day(d)
    }
    expected = {d for d in FY2026_HOLIDAYS if d.weekday() < 5} | {
        d for d in YEAR_END if d.weekday() < 5
    }
    assert closed_weekdays == expected
    # 16 national holidays on weekdays, 4 closure days on weekdays (12/29-12/31, 1/1 is 元日).
    assert len(closed_weekdays) == 20


def test_every_weekend_is_closed_in_fy2026(cal: BusinessCalendar) -> None:
    weekends = [d for d in days(FY_START, FY_END) if d.weekday() >= 5]
    assert all(not cal.is_business_day(d) for d in weekends)


def test_closed_reasons_name_the_weekday_holiday_or_closure(cal: BusinessCalendar) -> None:
    assert cal.closed_reason(date(2026, 10, 10)) == "土曜日"
    assert cal.closed_reason(date(2026, 5, 10)) == "日曜日"
    assert cal.closed_reason(date(2026, 12, 29)) == "年末年始休業"
    assert cal.closed_reason(date(2027, 1, 2)) == "年末年始休業"  # a Saturday, but in the closure
    assert cal.closed_reason(date(2027, 1, 1)) == "元日"  # a holiday inside the closure
    assert cal.closed_reason(date(2026, 6, 10)) is None


def test_year_end_closure_boundaries(cal: BusinessCalendar) -> None:
    assert cal.is_business_day(date(2026, 12, 28))
    assert all(not cal.is_business_day(d) for d in days(date(2026, 12, 29), date(2027, 1, 3)))
    assert cal.is_business_day(date(2027, 1, 4))
    assert cal.add_business_days(date(2026, 12, 25), 1) == date(2026, 12, 28)
    assert cal.add_business_days(date(2026, 12, 28), 1) == date(2027, 1, 4)
    assert cal.previous_business_day(date(2027, 1, 4)) == date(2026, 12, 28)


def test_year_end_closure_can_be_switched_off() -> None:
    cal = BusinessCalendar(year_end_closure=False)
    assert cal.is_business_day(date(2026, 12, 29))
    assert cal.closed_reason(date(2027, 1, 1)) == "元日"
    assert cal.closed_reason(date(2027, 1, 2)) == "土曜日"


def test_extra_closed_days() -> None:
    cal = BusinessCalendar(extra_closed_days=[date(2026, 6, 10), date(2026, 6, 13)])
    assert cal.closed_reason(date(2026, 6, 10)) == "臨時休業"
    assert cal.closed_reason(date(2026, 6, 13)) == "土曜日"  # already closed anyway
    assert cal.next_business_day(date(2026, 6, 9)) == date(2026, 6, 11)


# -- arithmetic ----------------------------------------------------------------


def test_next_and_previous_are_strict(cal: BusinessCalendar) -> None:
    assert cal.next_business_day(date(2026, 6, 10)) == date(2026, 6, 11)
    assert cal.previous_business_day(date(2026, 6, 10)) == date(2026, 6, 9)
    assert cal.next_business_day(date(2026, 6, 12)) == date(2026, 6, 15)  # Fri -> Mon


def test_add_business_days_across_golden_week(cal: BusinessCalendar) -> None:
    # 4/29 (Wed) 昭和の日, 5/2-5/6 closed; 4/30, 5/1 and 5/7 are open.
    assert cal.add_business_days(date(2026, 4, 28), 1) == date(2026, 4, 30)
    assert cal.add_business_days(date(2026, 4, 28), 3) == date(2026, 5, 7)
    assert cal.add_business_days(date(2026, 5, 1), 1) == date(2026, 5, 7)
    assert cal.add_business_days(date(2026, 5, 3), 1) == date(2026, 5, 7)  # from a closed day


def test_add_business_days_negative_and_zero(cal: BusinessCalendar) -> None:
    assert cal.add_business_days(date(2026, 5, 7), -1) == date(2026, 5, 1)
    assert cal.add_business_days(date(2026, 5, 7), -3) == date(2026, 4, 28)
    assert cal.add_business_days(date(2026, 5, 4), -1) == date(2026, 5, 1)
    assert cal.add_business_days(date(2026, 5, 4), 0) == date(2026, 5, 4)
    assert cal.add_business_days(date(2027, 1, 4), -1) == date(2026, 12, 28)


def test_add_business_days_over_many_years_matches_stepping(cal: BusinessCalendar) -> None:
    # Long runs cross year boundaries (and year-end closures) in both directions.
    start = date(2025, 11, 20)  # a Thursday
    forward = backward = start
    for n in range(1, 600):
        forward += timedelta(days=1)
        while not cal.is_business_day(forward):
            forward += timedelta(days=1)
        assert cal.add_business_days(start, n) == forward
        backward -= timedelta(days=1)
        while not cal.is_business_day(backward):
            backward -= timedelta(days=1)
        assert cal.add_business_days(start, -n) == backward


def test_business_days_between(cal: BusinessCalendar) -> None:
    assert cal.business_days_between(date(2026, 4, 28), date(2026, 5, 7)) == 3
    assert cal.business_days_between(date(2026, 6, 10), date(2026, 6, 10)) == 0
    assert cal.business_days_between(date(2026, 6, 11), date(2026, 6, 10)) == 0
    assert cal.business_days_between(date(2026, 12, 28), date(2027, 1, 4)) == 1
    # Whole fiscal year: 365 days, 104 weekend days, 20 weekday closures.
    assert cal.business_days_between(date(2026, 3, 31), FY_END) == 365 - 104 - 20


def test_business_days_between_agrees_with_add(cal: BusinessCalendar) -> None:
    start = date(2026, 3, 15)
    for n in (1, 5, 17, 40, 250, 400):
        assert cal.business_days_between(start, cal.add_business_days(start, n)) == n


# -- due dates -----------------------------------------------------------------

MONTHLY_SHIFTS = [
    # as written, next business day, previous business day, reasons passed over going forward
    (date(2026, 5, 10), date(2026, 5, 11), date(2026, 5, 8), ["日曜日"]),
    (
        date(2026, 10, 10),
        date(2026, 10, 13),
        date(2026, 10, 9),
        ["土曜日", "日曜日", "スポーツの日"],
    ),
    (date(2027, 1, 10), date(2027, 1, 12), date(2027, 1, 8), ["日曜日", "成人の日"]),
]


@pytest.mark.parametrize(("written", "forward", "backward", "reasons"), MONTHLY_SHIFTS)
def test_monthly_report_next_business_day(
    cal: BusinessCalendar, written: date, forward: date, backward: date, reasons: list[str]
) -> None:
    due = cal.resolve_due(written, HolidayRule.NEXT_BUSINESS_DAY, basis="翌月10日まで")
    assert due == DueDate(written, forward, due.explanation)
    assert due.explanation.startswith("翌月10日まで。")
    assert due.explanation.endswith(f"翌営業日の{forward.isoformat()}")
    for reason in reasons:
        assert reason in due.explanation
    assert "\n" not in due.explanation


@pytest.mark.parametrize(("written", "forward", "backward", "reasons"), MONTHLY_SHIFTS)
def test_monthly_report_previous_business_day(
    cal: BusinessCalendar, written: date, forward: date, backward: date, reasons: list[str]
) -> None:
    due = cal.resolve_due(written, HolidayRule.PREVIOUS_BUSINESS_DAY, basis="翌月10日まで")
    assert due.effective == backward
    assert due.explanation.endswith(f"前営業日の{backward.isoformat()}")
    assert f"{written.isoformat()}は" in due.explanation


@pytest.mark.parametrize(("written", "forward", "backward", "reasons"), MONTHLY_SHIFTS)
def test_monthly_report_as_written(
    cal: BusinessCalendar, written: date, forward: date, backward: date, reasons: list[str]
) -> None:
    due = cal.resolve_due(written, HolidayRule.AS_WRITTEN, basis="翌月10日まで")
    assert due.effective == written
    assert due.explanation == (
        f"翌月10日まで。{written}は{reasons[0]}ですが、記載どおりの期日とします"
    )


def test_explanation_wording(cal: BusinessCalendar) -> None:
    basis = "翌月10日まで"
    rule = HolidayRule.NEXT_BUSINESS_DAY
    assert cal.resolve_due(date(2027, 1, 10), rule, basis=basis).explanation == (
        "翌月10日まで。2027-01-10は日曜日、2027-01-11は成人の日のため、翌営業日の2027-01-12"
    )
    assert cal.resolve_due(
        date(2026, 5, 10), HolidayRule.PREVIOUS_BUSINESS_DAY, basis=basis
    ).explanation == (
        # Every closed day passed over is listed, walking back from the written date.
        "翌月10日まで。2026-05-10は日曜日、2026-05-09は土曜日のため、前営業日の2026-05-08"
    )
    assert cal.resolve_due(date(2026, 6, 10), rule, basis=basis).explanation == (
        "翌月10日まで。2026-06-10は営業日のため、そのまま"
    )
    # Without a basis the sentence starts at the date.
    assert cal.resolve_due(date(2026, 5, 10), rule).explanation == (
        "2026-05-10は日曜日のため、翌営業日の2026-05-11"
    )


def test_every_closed_day_passed_over_is_listed(cal: BusinessCalendar) -> None:
    due = cal.resolve_due(date(2026, 12, 29), HolidayRule.NEXT_BUSINESS_DAY)
    assert due.effective == date(2027, 1, 4)
    assert due.explanation == (
        "2026-12-29は年末年始休業、2026-12-30は年末年始休業、2026-12-31は年末年始休業、"
        "2027-01-01は元日、2027-01-02は年末年始休業、2027-01-03は年末年始休業"
        "のため、翌営業日の2027-01-04"
    )


def test_open_day_is_never_moved(cal: BusinessCalendar) -> None:
    for rule in HolidayRule:
        due = cal.resolve_due(date(2026, 6, 10), rule)
        assert due.effective == due.as_written == date(2026, 6, 10)


def test_rule_accepts_the_setting_string(cal: BusinessCalendar) -> None:
    due = cal.resolve_due(date(2026, 5, 10), HolidayRule("previous_business_day"))
    assert due.effective == date(2026, 5, 8)


def test_clamped_to_contract_end(cal: BusinessCalendar) -> None:
    due = cal.resolve_due(
        date(2027, 4, 10), HolidayRule.NEXT_BUSINESS_DAY, basis="翌月10日まで", latest=FY_END
    )
    assert due.as_written == date(2027, 4, 10)
    assert due.effective == FY_END
    assert due.explanation == (
        "翌月10日まで（2027-04-10）。契約終了日を超えるため、契約終了日の2027-03-31に繰り上げ"
    )


@pytest.mark.parametrize("rule", list(HolidayRule))
def test_clamp_applies_under_every_rule(cal: BusinessCalendar, rule: HolidayRule) -> None:
    due = cal.resolve_due(date(2027, 4, 10), rule, latest=FY_END)
    assert due.effective == FY_END
    assert "契約終了日" in due.explanation


def test_not_clamped_when_within_contract(cal: BusinessCalendar) -> None:
    due = cal.resolve_due(date(2027, 3, 10), HolidayRule.NEXT_BUSINESS_DAY, latest=FY_END)
    assert due.effective == date(2027, 3, 10)
    assert "契約終了日" not in due.explanation


def test_clamp_to_a_closed_contract_end_stays_and_says_so(cal: BusinessCalendar) -> None:
    end = date(2027, 3, 28)  # a Sunday
    late = cal.resolve_due(date(2027, 4, 10), HolidayRule.NEXT_BUSINESS_DAY, latest=end)
    assert late.effective == end
    assert late.explanation == (
        "2027-04-10は契約終了日を超えるため、日曜日ですが契約終了日の2027-03-28に繰り上げ"
    )
    # Written before the end, but the next business day would be after it.
    pushed = cal.resolve_due(date(2027, 3, 27), HolidayRule.NEXT_BUSINESS_DAY, latest=end)
    assert pushed.effective == end
    assert pushed.explanation == (
        "2027-03-27は土曜日、2027-03-28は日曜日のため翌営業日は2027-03-29となり契約終了日を"
        "超えるため、日曜日ですが契約終了日の2027-03-28とします"
    )


def test_basis_is_kept_on_one_line(cal: BusinessCalendar) -> None:
    due = cal.resolve_due(
        date(2026, 5, 10), HolidayRule.NEXT_BUSINESS_DAY, basis="翌月\n10日まで。"
    )
    assert due.explanation.startswith("翌月 10日まで。2026-05-10")


# -- bad arguments ---------------------------------------------------------------


def test_bad_arguments_raise_value_error(cal: BusinessCalendar) -> None:
    with pytest.raises(ValueError):
        cal.is_business_day(datetime(2026, 5, 10, 9, 0))
    with pytest.raises(ValueError):
        cal.is_business_day("2026-05-10")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        cal.add_business_days(date(2026, 5, 10), 1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        cal.resolve_due(date(2026, 5, 10), "sometime")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        BusinessCalendar(extra_closed_days=[datetime(2026, 6, 10, 0, 0)])


def test_years_without_holiday_data_are_refused(cal: BusinessCalendar) -> None:
    # The holidays package silently knows no holidays outside its range.
    with pytest.raises(ValueError, match="covers"):
        cal.is_business_day(date(2100, 1, 1))
    with pytest.raises(ValueError, match="covers"):
        cal.is_business_day(date(1948, 12, 31))
