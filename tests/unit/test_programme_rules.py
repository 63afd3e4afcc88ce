"""The programme rules of issue 12, read against spec §6 and §9: office hours and
closed days, the monthly cap per top-level theme, the budget and the plan's number,
the hearing deadline from the survey, the kickoff and the deadlines that follow it."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from banso.documents.survey import read_survey
from banso.engine.errors import InvalidValue, Unmet
from banso.workflows.office_hours import closed_time_unmet
from banso.workflows.programme import hearing_due


def tokyo(text: str) -> datetime:
    return datetime.fromisoformat(f"{text}+09:00")


@pytest.mark.parametrize(
    ("at", "reason"),
    [
        ("2026-05-10T10:00", "2026-05-10は日曜日です"),
        ("2026-09-22T10:00", "2026-09-22は国民の休日です"),
        ("2026-12-30T10:00", "2026-12-30は年末年始休業です"),
        ("2027-01-01T10:00", "2027-01-01は元日です"),
    ],
)
def test_a_closed_day_is_named(at: str, reason: str) -> None:
    unmet = closed_time_unmet(tokyo(at), None, "a dispatch")
    assert len(unmet) == 1
    assert unmet[0].reason.startswith(reason)
    assert unmet[0].field == "override"
    assert "a dispatch on a closed day needs an override" in unmet[0].reason


def test_hours_outside_eight_to_eight_are_refused_a_saturday_night_twice() -> None:
    unmet = closed_time_unmet(tokyo("2026-05-09T22:00"), None, "a meeting")
    assert [u.reason.split(":")[0] for u in unmet] == [
        "2026-05-09は土曜日です",
        "22",
    ]
    assert "22:00 is outside 08:00–20:00" in unmet[1].reason


@pytest.mark.parametrize("at", ["2026-05-11T08:00", "2026-05-11T20:00", "2026-09-24T13:30"])
def test_open_days_in_hours_pass(at: str) -> None:
    assert closed_time_unmet(tokyo(at), None, "a dispatch") == []


def test_the_day_is_tokyos_not_utcs() -> None:
    # 2026-05-10 23:30 UTC is Monday 08:30 in Tokyo.
    assert closed_time_unmet(datetime(2026, 5, 10, 23, 30, tzinfo=UTC), None, "x") == []
    assert closed_time_unmet(datetime(2026, 5, 11, 0, 30, tzinfo=UTC), None, "x") == []
    assert closed_time_unmet(datetime(2026, 5, 9, 23, 30, tzinfo=UTC), None, "x") != []


@pytest.mark.parametrize("override", [None, "", "   "])
def test_only_a_reason_lifts_it(override: str | None) -> None:
    assert closed_time_unmet(tokyo("2026-05-10T10:00"), override, "x") != []


def test_an_override_with_a_reason_lifts_it() -> None:
    assert closed_time_unmet(tokyo("2026-05-10T22:00"), "住民説明会に合わせるため", "x") == []


def test_the_unmet_is_structured() -> None:
    (unmet,) = closed_time_unmet(tokyo("2026-09-22T10:00"), None, "a hearing")
    assert isinstance(unmet, Unmet) and unmet.remedy is None


# -- the hearing deadline from the survey's 希望時期 ---------------------------------


def test_hearing_due_follows_the_preferred_period_a_date_or_the_days() -> None:
    months = ("2026-07", "2026-08", "2026-09")
    assert hearing_due(months, "preferred") == (
        date(2026, 7, 1),
        "希望時期（令和8年7月〜令和8年9月）の始まり2026-07-01まで",
    )
    assert hearing_due(("2026-11",), "preferred") == (
        date(2026, 11, 1),
        "希望時期（令和8年11月）の始まり2026-11-01まで",
    )
    assert hearing_due((), "preferred") is None  # no period: the setting's days
    assert hearing_due(months, "days") is None
    assert hearing_due(months, date(2026, 6, 30)) == (
        date(2026, 6, 30),
        "調査取込時の指定により2026-06-30まで",
    )


@pytest.mark.parametrize(
    ("cell", "months"),
    [
        ("7月～9月", ("2026-07", "2026-08", "2026-09")),
        ("令和8年7月〜9月", ("2026-07", "2026-08", "2026-09")),
        ("令和8年7月", ("2026-07",)),
        ("令和9年1月", ("2027-01",)),
        ("7～9月", ("2026-07", "2026-08", "2026-09")),
        ("7月 ～ 9月", ("2026-07", "2026-08", "2026-09")),
        ("11月～2月", ("2026-11", "2026-12", "2027-01", "2027-02")),
        ("2026-07~2026-08", ("2026-07", "2026-08")),
        ("5月、7月から8月", ("2026-05", "2026-07", "2026-08")),
    ],
)
def test_preferred_periods_in_japanese(tmp_path: Path, cell: str, months: tuple[str, ...]) -> None:
    path = tmp_path / "s.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["団体名", "テーマ", "要望内容", "担当者名", "メールアドレス", "希望時期"])
        writer.writerow(["岡山市", "genai", "x", "田中", "t@city.example.jp", cell])
    (row,) = read_survey(path, orgs={"岡山市": "331007"}, themes={"genai": "genai"})
    assert row.preferred_months == months
    assert (row.preferred_first, row.preferred_last) == (months[0], months[-1])


@pytest.mark.parametrize("cell", ["9月～7月", "7月～", "～9月", "令和8年13月", "平成8年7月"])
def test_bad_periods_are_refused(tmp_path: Path, cell: str) -> None:
    path = tmp_path / "s.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["団体名", "テーマ", "要望内容", "担当者名", "メールアドレス", "希望時期"])
        writer.writerow(["岡山市", "genai", "x", "田中", "t@city.example.jp", cell])
    with pytest.raises(InvalidValue, match="column 希望時期"):
        read_survey(path, orgs={"岡山市": "331007"}, themes={"genai": "genai"})
