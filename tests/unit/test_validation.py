"""The one rule per kind of value (banso.workflows.validation) and the strict e-mail rule."""

from __future__ import annotations

from datetime import date

import pytest

from banso.workflows import validation as v
from banso.workflows.email import email_problem


@pytest.mark.parametrize(
    "address",
    [
        "a..b@city.example.jp",
        "x<evil@city.example.jp>",
        "taro@city.example.jp\n",
        "tarö@city.example.jp",
        "a" * 250 + "@x.jp",
        "taro@city.example.jp\r\nBcc: evil@x.jp",
        " taro@city.example.jp",
        "taro@localhost",
        "",
    ],
)
def test_the_mail_rule_refuses_what_no_mail_can_go_to(address: str) -> None:
    assert email_problem(address) is not None


def test_the_mail_rule_takes_a_plain_address() -> None:
    assert email_problem("hanako.sato+dx@city.kurashiki.example.jp") is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("岡山市\r\n", "line break"),
        ("岡山\x00市", "control character"),
        ("岡山\u202e市", "formatting character"),
        ("\udcff\udcfe", "undecodable"),
        ("x" * 201, "201 characters"),
        ("   ", "empty"),
        (" 岡山市", "spaces before or after"),
    ],
)
def test_a_name_is_one_clean_line_that_fits_its_column(value: str, reason: str) -> None:
    problem = v.name_problem(value)
    assert problem is not None and reason in problem


def test_free_text_keeps_its_line_breaks_but_no_other_control_character() -> None:
    assert v.text_problem("所見：\n・窓口の混雑\r\n・紙の申請書\t多数") is None
    assert v.text_problem("所見\x1b[31m") is not None
    assert v.text_problem("x" * (v.MAX_TEXT + 1)) is not None


@pytest.mark.parametrize("code", ["331007", "std-jumin", "genai", "a.b_c"])
def test_codes_that_are_codes(code: str) -> None:
    assert v.code_problem(code) is None


@pytest.mark.parametrize("code", [" 331007", "33 1007", "３３１００７", "-x", "x" * 17, "a/b"])
def test_codes_that_are_not(code: str) -> None:
    assert v.code_problem(code) is not None


def test_ids_fit_a_postgresql_integer() -> None:
    assert v.id_problem(1) is None and v.id_problem(2**31 - 1) is None
    for bad in (0, -1, 2**31, 2**63, True):
        assert v.id_problem(bad) is not None


def test_hours_and_counts_are_finite_and_in_range() -> None:
    assert v.hours_problem(2.5) is None
    for bad in (0, -1, float("nan"), float("inf"), 25):
        assert v.hours_problem(bad) is not None
    assert v.count_problem(v.MAX_COUNT + 1) is not None


def test_dates_stay_within_the_programme_years() -> None:
    assert v.date_problem(date(2026, 10, 9)) is None
    for bad in (date(1, 1, 1), date(1900, 1, 1), date(2100, 1, 1), date(9999, 12, 31)):
        assert v.date_problem(bad) is not None


@pytest.mark.parametrize("url", ["https://meet.example.jp/room/1", "http://10.0.0.1:8080/x?y=1"])
def test_meeting_urls(url: str) -> None:
    assert v.url_problem(url) is None


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "https://meet.example.jp/\nBcc: x", "ftp://x.jp", "https://", "x"],
)
def test_urls_nobody_can_open(url: str) -> None:
    assert v.url_problem(url) is not None


def test_a_forged_header_stays_on_one_line() -> None:
    line = v.one_line("banso: no person with e-mail x@y.jp\r\nBcc: evil@x.jp")
    assert "\n" not in line and "\r" not in line and "Bcc: evil" in line


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://banso:s3cret@db.example.jp:5432/banso",
        "postgresql://banso:s3cret@db example.jp:x/banso",
        "smtp://mailer:s3cret@mail.example.jp:587",
    ],
)
def test_passwords_are_hidden_even_in_a_mistyped_url(url: str) -> None:
    shown = v.hide_passwords(f"cannot open {url}: refused")
    assert "s3cret" not in shown and "***" in shown
