"""The programme rules of issue 12 on the fakes: closed days, the monthly cap per
top-level theme, the budget and the plan's number, the hearing deadline from the
survey, the kickoff, and work between visits."""

from __future__ import annotations

import pytest

from banso.engine.clock import parse_datetime
from banso.engine.errors import CreationRefused, TransitionRefused
from banso.services import meetings
from tests.services.world import LEAD, World


def test_a_sunday_dispatch_is_refused_then_accepted_with_a_reason(world: World) -> None:
    eid = world.in_support()
    before = world.store.snapshot()
    with pytest.raises(CreationRefused) as refused:
        world.plan(eid, "2026-05-10T10:00+09:00")
    assert "2026-05-10は日曜日です" in str(refused.value.unmet)
    assert world.store.snapshot() == before
    outcome = world.plan(eid, "2026-05-10T10:00+09:00", override="町の防災訓練に合わせるため")
    assert outcome.event.payload["override"] == "町の防災訓練に合わせるため"


def test_a_hearing_on_a_national_holiday_or_at_night_is_refused(world: World) -> None:
    eid = world.engagement()
    with pytest.raises(TransitionRefused) as refused:
        world.hearing(eid, at="2026-09-22T10:00+09:00")
    assert "2026-09-22は国民の休日です" in str(refused.value.unmet)
    with pytest.raises(TransitionRefused):
        world.hearing(eid, at="2026-04-10T21:00+09:00")
    world.hearing(eid, at="2026-04-10T19:30+09:00")


def test_a_meeting_in_the_year_end_closure_is_refused(world: World) -> None:
    at = parse_datetime("2026-12-30T14:00+09:00")
    with pytest.raises(CreationRefused) as refused:
        meetings.schedule_meeting(world.services, LEAD, "monthly", at=at, url="https://m.example.jp")
    assert "2026-12-30は年末年始休業です" in str(refused.value.unmet)
    meetings.schedule_meeting(
        world.services, LEAD, "monthly", at=at, url="https://m.example.jp", override="県の依頼"
    )
