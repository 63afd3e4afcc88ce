"""Dates within the programme's years (issue 13): a dispatch, meeting, hearing, day of
work or promised delivery outside a year either side of the contract is one bad-input
refusal naming the option and the range, and nothing is written."""

from __future__ import annotations

from datetime import date

import pytest

from banso.engine.clock import parse_datetime
from banso.services import delays, engagements, meetings, work
from banso.services.dates import DateOutsideProgramme
from banso.workflows.validation import programme_window
from tests.services.world import HANAKO, LEAD, World

# The test programme's contract: 2026-04-01 to 2027-03-31 (FY2026).
EARLIEST, LATEST = date(2025, 4, 1), date(2028, 3, 31)


def test_the_window_is_a_year_either_side_of_the_contract() -> None:
    assert programme_window(date(2026, 4, 1), date(2027, 3, 31)) == (EARLIEST, LATEST)
    # A contract starting in January belongs to the fiscal year before.
    assert programme_window(date(2027, 1, 15), date(2027, 3, 31))[0] == date(2025, 4, 1)
    assert programme_window(date(2026, 4, 1), date(2028, 2, 29))[1] == date(2029, 2, 28)


def _refused(world: World, where: str, call: object) -> DateOutsideProgramme:
    before = world.store.snapshot()
    with pytest.raises(DateOutsideProgramme) as caught:
        assert callable(call)
        call()
    assert world.store.snapshot() == before  # nothing written, no mail, no event
    exc = caught.value
    assert (exc.where, exc.earliest, exc.latest, exc.exit_code) == (where, EARLIEST, LATEST, 2)
    assert "2025-04-01 to 2028-03-31" in str(exc)
    return exc


def test_a_dispatch_outside_the_programme_years_is_bad_input(world: World) -> None:
    eid = world.in_support()
    exc = _refused(world, "--at", lambda: world.plan(eid, "2028-04-03T10:00+09:00"))
    assert exc.value == "2028-04-03 10:00"
    _refused(world, "--at", lambda: world.plan(eid, "2025-03-31T10:00+09:00"))


def test_the_edges_of_the_window_are_judged_by_the_rules_not_by_it(world: World) -> None:
    eid = world.in_support()
    # Inside the window but after the contract: the dispatch rule refuses it (exit 1).
    with pytest.raises(Exception) as caught:
        world.plan(eid, "2028-03-31T10:00+09:00")
    assert not isinstance(caught.value, DateOutsideProgramme)
    assert caught.value.exit_code == 1  # type: ignore[attr-defined]


def test_meetings_hearings_work_and_delays_are_held_to_the_same_years(world: World) -> None:
    _refused(world, "--at", lambda: meetings.schedule_meeting(
        world.services, LEAD, "monthly", at=parse_datetime("2031-05-20T14:00+09:00"),
        place="県庁",
    ))  # fmt: skip
    eid = world.engagement()
    world.agreed(eid, HANAKO)
    _refused(world, "--at", lambda: engagements.schedule_hearing(
        world.services, LEAD, eid, at=parse_datetime("2024-12-10T10:00+09:00"),
        consultant=HANAKO,
    ))  # fmt: skip
    support = world.in_support("332020")
    _refused(world, "--date", lambda: work.record_work(
        world.services, HANAKO, support, day=date(2029, 1, 5), hours=1, summary="資料作成"
    ))  # fmt: skip
    chart = world.find("deliverable")[0]
    _refused(world, "--until", lambda: delays.notify_delay(
        world.services, LEAD, chart.id, until=date(2030, 1, 1), reason="確認中"
    ))  # fmt: skip
