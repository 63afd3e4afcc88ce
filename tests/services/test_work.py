"""Research and materials between visits (§6(2)③) on the fakes: who may record, on which
engagements, the hours, the dates and the summary; counted in the monthly report and
never against the dispatch quota."""

from __future__ import annotations

from datetime import date

import pytest

from banso.engine.errors import CreationRefused, PermissionDenied
from banso.services import content as c
from banso.services import documents, work
from banso.services.identity import Viewer
from banso.workflows.permissions import OWN
from tests.services.world import HANAKO, JIRO, LEAD, PREFECTURE, World
from tests.support.fakes import FakeRenderer


def record(world: World, user: str, eid: int, day: str = "2026-05-20", hours: float = 2.5,
           summary: str = "移行計画の比較資料を作成") -> int:  # fmt: skip
    done = work.record_work(
        world.services, user, eid, day=date.fromisoformat(day), hours=hours, summary=summary
    )
    return done.record.id


def refused(world: World, user: str, eid: int, **kw: object) -> str:
    before = world.find("work")
    with pytest.raises(CreationRefused) as caught:
        record(world, user, eid, **kw)  # type: ignore[arg-type]
    assert world.find("work") == before
    return str(caught.value)


@pytest.fixture
def eid(world: World) -> int:
    world.at("2026-05-01T09:00+09:00")
    found = world.in_support()
    world.at("2026-05-31T18:00+09:00")
    return found


def test_the_consultant_records_hours_and_the_entry_is_audited(world: World, eid: int) -> None:
    wid = record(world, HANAKO, eid)
    view = world.record("work", wid)
    assert (view.data["hours"], view.data["day"], view.data["month"]) == (
        2.5, date(2026, 5, 20), "2026-05",
    )  # fmt: skip
    assert view.data["consultant_id"] == world.person_id(HANAKO)
    with world.services.uow(readonly=True) as uow:
        (event,) = uow.audit.history("work", wid)
    assert (event.actor, event.to_state) == (HANAKO, "recorded")


def test_the_lead_records_for_the_engagements_consultant(world: World, eid: int) -> None:
    wid = record(world, LEAD, eid, hours=1)
    assert world.record("work", wid).data["consultant_id"] == world.person_id(HANAKO)


def test_another_consultant_and_the_prefecture_are_refused(world: World, eid: int) -> None:
    with pytest.raises(PermissionDenied, match="assigned to hanako"):
        record(world, JIRO, eid)
    with pytest.raises(PermissionDenied):
        record(world, PREFECTURE, eid)
    assert world.find("work") == []


@pytest.mark.parametrize("hours", [0, -1, 24.5, float("nan")])
def test_hours_above_zero_and_at_most_a_day(world: World, eid: int, hours: float) -> None:
    assert "the hours must be more than 0 and at most 24" in refused(world, HANAKO, eid,
                                                                      hours=hours)  # fmt: skip


def test_a_full_day_is_accepted(world: World, eid: int) -> None:
    assert record(world, HANAKO, eid, hours=24)


def test_dates_in_the_future_or_outside_the_contract_are_refused(world: World, eid: int) -> None:
    assert "is in the future" in refused(world, HANAKO, eid, day="2026-06-01")
    assert "outside the contract" in refused(world, HANAKO, eid, day="2026-03-31")


def test_a_summary_is_required_and_a_few_lines(world: World, eid: int) -> None:
    assert "the summary is empty" in refused(world, HANAKO, eid, summary="  ")
    long = "\n".join(f"{n}行目" for n in range(6))
    assert "at most 5 lines" in refused(world, HANAKO, eid, summary=long)


def test_only_an_approved_plan_or_support_takes_work(world: World) -> None:
    world.at("2026-05-01T09:00+09:00")
    eid = world.engagement()
    world.hearing(eid)
    assert "work between visits needs plan_approved" in refused(world, LEAD, eid,
                                                                 day="2026-05-01")  # fmt: skip
    world.fire(HANAKO, "engagement", eid, "record_hearing", findings="現状")
    world.fire(HANAKO, "engagement", eid, "draft_plan", goals="規程", planned_dispatches=2)
    world.fire(PREFECTURE, "engagement", eid, "approve_plan")
    assert record(world, HANAKO, eid, day="2026-05-01")


def test_a_consultant_lists_only_their_own(world: World, eid: int) -> None:
    other = world.in_support(org="332020", consultant=JIRO)
    record(world, HANAKO, eid)
    record(world, JIRO, other, day="2026-05-21")
    viewer = Viewer(HANAKO, "consultant", world.person_id(HANAKO), OWN)
    mine = work.work_entries(world.services, viewer=viewer)
    assert [item["engagement_id"] for item in mine] == [eid]
    assert len(work.work_entries(world.services, month="2026-05")) == 2
    assert work.work_entries(world.services, month="2026-04") == []


def test_hours_are_in_the_monthly_report_and_not_against_the_quota(world: World, eid: int) -> None:
    record(world, HANAKO, eid, hours=2.5)
    record(world, HANAKO, eid, day="2026-05-21", hours=1.25)
    world.at("2026-06-01T09:00+09:00")
    (may,) = world.find("deliverable", kind="monthly_report", period="2026-05")
    documents.generate(world.services, LEAD, may.id)
    renderer = world.services.renderer
    assert isinstance(renderer, FakeRenderer)
    report = renderer.rendered[-1][0]
    assert isinstance(report, c.MonthlyReport)
    (line,) = report.work
    assert (line.org_name, line.hours, line.entries) == ("岡山市", 3.75, 2)
    assert report.dispatches == () and report.quota.used == 0
    assert world.dispatch_count() == 0
