"""The programme rules of issue 12, read against spec §6 and §9: office hours and
closed days, the monthly cap per top-level theme, the budget and the plan's number,
the hearing deadline from the survey, the kickoff and the deadlines that follow it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from banso.engine.errors import Unmet
from banso.workflows.office_hours import closed_time_unmet


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
