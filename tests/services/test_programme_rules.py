"""The programme rules of issue 12 on the fakes: closed days, the monthly cap per
top-level theme, the budget and the plan's number, the hearing deadline from the
survey, the kickoff, and work between visits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from banso.engine.clock import parse_datetime
from banso.engine.errors import CreationRefused, InvalidValue, Refused, TransitionRefused
from banso.services import budget, engagements, meetings, programme
from tests.services.world import HANAKO, JIRO, LEAD, PREFECTURE, World


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
        meetings.schedule_meeting(
            world.services, LEAD, "monthly", at=at, url="https://m.example.jp"
        )
    assert "2026-12-30は年末年始休業です" in str(refused.value.unmet)
    meetings.schedule_meeting(
        world.services, LEAD, "monthly", at=at, url="https://m.example.jp", override="県の依頼"
    )


def test_sub_themes_share_their_top_level_themes_monthly_cap(world: World) -> None:
    # 岡山市 on 標準化 and on its sub-theme 住民基本台帳: two engagements, one cap.
    std = world.in_support("331007", "standardization")
    sub = world.in_support("331007", "std-jumin")
    world.plan(std, "2026-06-03T10:00+09:00")
    world.plan(sub, "2026-06-04T10:00+09:00")
    before = world.store.snapshot()
    with pytest.raises(CreationRefused) as refused:
        world.plan(sub, "2026-06-05T10:00+09:00")
    reason = str(refused.value)
    assert f"engagements {std}, {sub} on 情報システム標準化" in reason
    assert "already have 2 of 2 dispatches in 2026-06" in reason
    assert world.store.snapshot() == before
    world.plan(sub, "2026-06-05T10:00+09:00", override="法改正対応の期限が迫るため")
    world.plan(sub, "2026-07-01T10:00+09:00")  # another month, another cap


def test_a_sub_theme_is_served_by_its_parents_consultant(world: World) -> None:
    world.in_support("331007", "standardization", consultant=HANAKO)
    sub = world.engagement("331007", "std-jumin")
    with pytest.raises(TransitionRefused) as refused:
        world.hearing(sub, JIRO)
    assert HANAKO in str(refused.value)
    world.hearing(sub, HANAKO)


def test_opening_a_sub_theme_next_to_its_running_parent_says_so(world: World) -> None:
    parent = world.engagement("331007", "standardization")
    outcome = engagements.new_engagement(world.services, LEAD, "331007", "std-jumin", None)
    (note,) = outcome.notes
    assert f"counts with engagement {parent} (standardization)" in note
    assert "monthly cap and consultant" in note
    alone = engagements.new_engagement(world.services, LEAD, "332020", "std-jumin", None)
    assert alone.notes == ()


def test_dispatches_past_the_plans_number_need_a_reason_or_a_revised_plan(world: World) -> None:
    eid = world.in_support()  # the plan approved 4 dispatches
    for day in ("2026-06-03", "2026-06-10", "2026-07-01", "2026-07-08"):
        world.plan(eid, f"{day}T10:00+09:00")
    with pytest.raises(CreationRefused) as refused:
        world.plan(eid, "2026-08-05T10:00+09:00")
    (unmet,) = refused.value.unmet
    assert unmet.reason.startswith(f"approved plan: engagement {eid} planned 4 dispatches")
    assert unmet.remedy == "revise_plan"
    with pytest.raises(CreationRefused):
        world.plan(eid, "2026-08-05T10:00+09:00", user=HANAKO, override="団体の希望")
    world.plan(eid, "2026-08-05T10:00+09:00", override="団体の希望で追加")
    with pytest.raises(TransitionRefused):
        world.fire(PREFECTURE, "engagement", eid, "revise_plan", planned_dispatches=6)
    world.fire(PREFECTURE, "engagement", eid, "revise_plan", planned_dispatches=6,
               reason="研修会を追加")  # fmt: skip
    world.plan(eid, "2026-08-12T10:00+09:00")
    assert budget.budget(world.services)["plans"] == {
        "planned": 6, "to_plan": 0, "left_after_plans": 464,
    }  # fmt: skip


def test_the_standardisation_target_warns_and_the_budget_refuses(world: World) -> None:
    budget.set_quotas(world.services, PREFECTURE, total=4, standardization=2)
    std = world.in_support("331007", "standardization")
    other = world.in_support("332020", "genai", consultant=JIRO)
    assert world.plan(std, "2026-06-03T10:00+09:00").notes == ()
    assert world.plan(std, "2026-06-10T10:00+09:00").notes == ()
    third = world.plan(std, "2026-07-01T10:00+09:00")  # the target's 3rd of 2: accepted
    assert third.record.state == "planned"
    assert third.notes[0].startswith("standardisation target passed: 3 standardisation")
    view = budget.budget(world.services)
    assert view["standardization"]["left"] == -1
    assert (
        "3 standardisation dispatches against the 2 expected" in view["standardization"]["warning"]
    )
    assert "warning: standardisation target passed" in budget.budget_text(view)
    world.plan(other, "2026-06-03T10:00+09:00", user=JIRO)  # the 4th of a budget of 4
    before = world.store.snapshot()
    with pytest.raises(CreationRefused) as refused:
        world.plan(other, "2026-06-10T10:00+09:00", user=JIRO, override="急ぎ")
    assert [u.remedy for u in refused.value.unmet] == ["set_budget"]
    assert "fiscal-year quota: 4 of 4 dispatches used" in str(refused.value)
    assert world.store.snapshot() == before
    # The target may be set below the use; the budget may not.
    budget.set_quotas(world.services, PREFECTURE, standardization=1)
    with pytest.raises(Refused):
        budget.set_quotas(world.services, PREFECTURE, total=3)


@dataclass(frozen=True)
class Row:
    row: int
    org_code: str
    theme_code: str
    preferred_months: tuple[str, ...]
    request: str = "庁内のDX推進"
    contact_name: str = "田中 一郎"
    contact_email: str = "tanaka@city.okayama.example.jp"
    contact_dept: str = "情報政策課"


def hearing_deadline(world: World, rows: list[Row], **kw: Any) -> list[tuple[str, str]]:
    done = engagements.import_survey(world.services, LEAD, rows, **kw)
    out = []
    for entry in done.created:
        d = world.deadline("engagement", entry["engagement"], "hearing")
        out.append((d.due.isoformat(), d.explanation))
    return out


def test_the_hearing_is_due_at_the_start_of_the_preferred_period(world: World) -> None:
    rows = [
        Row(2, "331007", "genai", ("2026-07", "2026-08", "2026-09")),
        Row(3, "332020", "genai", ()),
        Row(4, "336238", "genai", ("2026-08",)),
    ]
    (july, none, august) = hearing_deadline(world, rows)
    assert july == (
        "2026-07-01",
        "希望時期（令和8年7月〜令和8年9月）の始まり2026-07-01まで。2026-07-01は営業日のため、そのまま",
    )
    assert none[0] == "2026-04-15" and "から10営業日以内" in none[1]  # no period: the days
    # 2026-08-01 is a Saturday: the next business day, and the explanation says so.
    assert august[0] == "2026-08-03" and "2026-08-01は土曜日" in august[1]
    (stored,) = world.find("engagement", org_id=2)
    assert (stored.data["preferred_from"], stored.data["preferred_to"]) == ("2026-07", "2026-09")


def test_the_import_may_say_one_date_or_the_business_days(world: World) -> None:
    row = Row(2, "331007", "genai", ("2026-07",))
    ((due, why),) = hearing_deadline(world, [row], hearing_by=date(2026, 6, 30))
    assert due == "2026-06-30" and why.startswith("調査取込時の指定により2026-06-30まで")
    ((due, why),) = hearing_deadline(world, [Row(2, "332020", "genai", ("2026-07",))],
                                     hearing_by="days")  # fmt: skip
    assert due == "2026-04-15" and "10営業日以内" in why
    with pytest.raises(InvalidValue):
        engagements.import_survey(world.services, LEAD, [row], hearing_by="soon")


def submission(world: World, kind: str) -> tuple[str, str, str]:
    (d,) = world.find("deliverable", kind=kind, period=None)
    found = world.deadline("deliverable", d.id, "submission")
    return found.due.isoformat(), found.status, found.explanation


def test_without_a_kickoff_date_the_plan_is_not_due_on_day_one(world: World) -> None:
    assert world.settings("contract")["kickoff"] is None  # type: ignore[index]
    due, status, why = submission(world, "implementation_plan")
    assert (due, status) == ("2026-04-30", "open")  # 20 business days into the contract
    assert "日程未定のため" in why


def test_scheduling_and_moving_the_kickoff_meeting_moves_the_plan_and_roster(
    world: World,
) -> None:
    at = parse_datetime("2026-04-15T14:00+09:00")
    first = meetings.schedule_meeting(world.services, LEAD, "kickoff", at=at, url="https://k.jp")
    assert first.notes == (
        "moved: 業務実施計画書の提出: 2026-04-30 → 2026-04-15",
        "moved: 専門人材一覧表（第1版）の提出: 2026-04-30 → 2026-04-15",
    )
    assert submission(world, "implementation_plan")[2].startswith("キックオフ会議時（2026-04-15）")
    # The roster is submitted; the plan is not. Moving the meeting moves only the plan.
    (roster,) = world.find("deliverable", kind="expert_roster")
    with world.services.uow() as uow:
        uow.deadlines.meet("deliverable", roster.id, "submission", world.now)
        uow.commit()
    meetings.schedule_meeting(
        world.services, LEAD, "kickoff", at=parse_datetime("2026-04-22T14:00+09:00"),
        url="https://k.jp",
    )  # fmt: skip
    assert world.settings("contract")["kickoff"] == "2026-04-22"  # type: ignore[index]
    assert submission(world, "implementation_plan")[:2] == ("2026-04-22", "open")
    assert submission(world, "expert_roster")[:2] == ("2026-04-15", "met")


def test_changing_the_contract_dates_moves_the_open_programme_deadlines(world: World) -> None:
    changes = programme.configure(world.services, {"contract_end": "2027-03-26"}, "test")
    assert "moved: 業務完了報告書の提出: 2027-03-31 → 2027-03-26" in changes
    assert not any("実施計画書" in c for c in changes)  # nothing else moved
