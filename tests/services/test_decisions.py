"""Prefecture decisions: made directly, or recorded by the lead on the prefecture's behalf;
the expert agreed before the hearing; one plan record for the plan and its 支援計画書."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import pytest

from banso.engine.errors import InvalidValue, PermissionDenied, Refused, TransitionRefused
from banso.services import budget, engagements, master, people, transitions, views
from banso.services.decisions import Evidence, OnBehalf
from banso.services.programme import configure, ignored_settings, set_programme
from tests.services.world import HANAKO, JIRO, LEAD, PREFECTURE, World

REPLY = b"From: taro@pref.okayama.example.jp\r\nSubject: Re: \xe6\x89\xbf\xe8\xaa\x8d\r\n\r\nOK\r\n"
BEHALF = OnBehalf(
    PREFECTURE, date(2026, 4, 1), "デジ第12号", Evidence("C:\\mail\\reply.eml", REPLY)
)


def submitted_chart(world: World) -> int:
    (chart,) = world.find("deliverable", kind="org_chart")
    world.fire(LEAD, "deliverable", chart.id, "draft")
    world.fire(LEAD, "deliverable", chart.id, "submit")
    return chart.id


def test_the_lead_records_an_approval_on_the_prefectures_behalf(world: World) -> None:
    chart = submitted_chart(world)
    outcome = transitions.fire(
        world.services, LEAD, "deliverable", chart, "approve", on_behalf=BEHALF
    )
    assert outcome.to_state == "approved"
    event = views.history(world.services, "deliverable", chart)[-1]
    assert event.actor == PREFECTURE  # the decision is the prefecture person's
    behalf = event.payload["on_behalf"]
    assert (behalf["decided_by"], behalf["recorded_by"], behalf["date"], behalf["ref"]) == (
        PREFECTURE, LEAD, "2026-04-01", "デジ第12号",
    )  # fmt: skip
    evidence = behalf["evidence"]
    assert (evidence["name"], evidence["size"]) == ("reply.eml", len(REPLY))
    assert evidence["sha256"] == hashlib.sha256(REPLY).hexdigest()
    assert world.services.files.load(evidence["location"]) == REPLY
    assert views.verify_audit(world.services).ok


def test_the_prefecture_still_decides_directly(world: World) -> None:
    chart = submitted_chart(world)
    world.fire(PREFECTURE, "deliverable", chart, "approve")
    event = views.history(world.services, "deliverable", chart)[-1]
    assert event.actor == PREFECTURE and "on_behalf" not in event.payload


@pytest.mark.parametrize("who", [PREFECTURE, HANAKO])
def test_only_the_lead_records_on_the_prefectures_behalf(world: World, who: str) -> None:
    chart = submitted_chart(world)
    before = world.store.snapshot()
    with pytest.raises(PermissionDenied) as denied:
        transitions.fire(world.services, who, "deliverable", chart, "approve", on_behalf=BEHALF)
    assert denied.value.allowed_roles == ("lead",)
    assert world.store.snapshot() == before


@pytest.mark.parametrize(
    ("behalf", "where"),
    [
        (OnBehalf(HANAKO, date(2026, 4, 1), "デジ第12号"), "--on-behalf-of"),
        (OnBehalf(PREFECTURE, date(2026, 4, 2), "デジ第12号"), "--date"),  # after today
        (OnBehalf(PREFECTURE, date(2026, 4, 1), "  "), "--ref"),
    ],
)
def test_a_decision_on_behalf_names_an_active_prefecture_person_a_past_day_and_a_reference(
    world: World, behalf: OnBehalf, where: str
) -> None:
    chart = submitted_chart(world)
    before = world.store.snapshot()
    with pytest.raises(InvalidValue) as bad:
        transitions.fire(world.services, LEAD, "deliverable", chart, "approve", on_behalf=behalf)
    assert bad.value.where == where
    assert world.store.snapshot() == before


def test_a_deactivated_prefecture_person_decides_nothing_any_more(world: World) -> None:
    master.add_person(world.services, PREFECTURE, name="県 花子",
                      email="hanako@pref.okayama.example.jp", role="prefecture")  # fmt: skip
    master.remove_person(world.services, PREFECTURE, "hanako@pref.okayama.example.jp")
    chart = submitted_chart(world)
    gone = OnBehalf("hanako@pref.okayama.example.jp", date(2026, 4, 1), "デジ第12号")
    with pytest.raises(InvalidValue):
        transitions.fire(world.services, LEAD, "deliverable", chart, "approve", on_behalf=gone)


def test_only_a_prefecture_decision_may_be_recorded_on_its_behalf(world: World) -> None:
    (chart,) = world.find("deliverable", kind="org_chart")
    with pytest.raises(Refused, match="not a decision of the prefecture"):
        transitions.fire(world.services, LEAD, "deliverable", chart.id, "draft",
                         on_behalf=BEHALF)  # fmt: skip


# -- the expert agreement (§6(2)①) ------------------------------------------------------


def test_the_hearing_waits_for_the_prefectures_agreement_to_the_expert(world: World) -> None:
    eid = world.engagement()
    with pytest.raises(TransitionRefused) as refused:
        engagements.schedule_hearing(
            world.services, LEAD, eid, at=world.now, consultant=HANAKO
        )
    assert refused.value.unmet[0].remedy == "propose_expert"
    engagements.propose_expert(world.services, LEAD, eid, consultant=HANAKO)
    with pytest.raises(TransitionRefused) as refused:
        engagements.schedule_hearing(
            world.services, LEAD, eid, at=world.now, consultant=HANAKO
        )
    assert refused.value.unmet[0].remedy == "agree_expert"
    with pytest.raises(PermissionDenied):
        world.fire(LEAD, "engagement", eid, "agree_expert")
    transitions.fire(world.services, LEAD, "engagement", eid, "agree_expert", on_behalf=BEHALF)
    record = world.record("engagement", eid)
    assert record.data["agreed_consultant_id"] == world.person_id(HANAKO)
    assert record.data["proposed_consultant_id"] is None
    # Another consultant than the agreed one still may not hold the hearing.
    with pytest.raises(TransitionRefused):
        engagements.schedule_hearing(world.services, LEAD, eid, at=world.now, consultant=JIRO)
    shown = views.engagement(world.services, eid)
    assert (shown["proposed_consultant"], shown["agreed_consultant"]) == (None, HANAKO)
    world.hearing(eid, HANAKO)
    (invited,) = [c for c in world.mail.composed
                  if c.kind == "hearing_invitation" and c.to == (HANAKO,)]  # fmt: skip
    assert invited.about_id == eid


def test_a_consultant_changed_during_support_needs_a_new_agreement(world: World) -> None:
    eid = world.in_support()
    engagements.propose_expert(world.services, LEAD, eid, consultant=JIRO, override="異動のため")
    assert world.record("engagement", eid).data["consultant_id"] == world.person_id(HANAKO)
    world.fire(PREFECTURE, "engagement", eid, "agree_expert")
    record = world.record("engagement", eid)
    assert record.data["consultant_id"] == record.data["agreed_consultant_id"]
    assert record.data["consultant_id"] == world.person_id(JIRO)
    with world.services.uow(readonly=True) as uow:
        assigned = uow.directory.assigned_consultant(record.data["org_id"], record.data["theme_id"])
    assert assigned == world.person_id(JIRO)  # the work is handed over


# -- one plan record -----------------------------------------------------------------------


def plan_of(world: World, eid: int) -> int:
    org_id = world.record("engagement", eid).data["org_id"]
    own = world.find("deliverable", kind="support_plan", engagement_id=eid)
    (plan,) = own or world.find("deliverable", kind="support_plan", org_id=org_id,
                                engagement_id=None)  # fmt: skip
    return plan.id


def drafted(world: World, org: str, theme: str) -> int:
    eid = world.engagement(org, theme)
    world.hearing(eid, HANAKO)
    world.fire(HANAKO, "engagement", eid, "record_hearing", findings="現状")
    world.fire(HANAKO, "engagement", eid, "draft_plan", goals="目標")
    return eid


def test_approving_the_plan_approves_its_support_plan_document(world: World) -> None:
    eid = drafted(world, "331007", "genai")
    plan = plan_of(world, eid)
    assert world.record("deliverable", plan).state == "submitted"
    with pytest.raises(TransitionRefused) as refused:
        world.fire(PREFECTURE, "deliverable", plan, "approve")
    assert refused.value.unmet[0].remedy == "approve_plan"
    transitions.fire(world.services, LEAD, "engagement", eid, "approve_plan", on_behalf=BEHALF)
    assert world.record("deliverable", plan).state == "approved"
    approval = views.history(world.services, "deliverable", plan)[-1]
    assert approval.actor == PREFECTURE
    assert approval.payload["plan_of"] == eid
    assert approval.payload["on_behalf"]["ref"] == "デジ第12号"


def test_one_document_per_organisation_is_approved_when_every_theme_is(world: World) -> None:
    first = drafted(world, "331007", "genai")
    second = drafted(world, "331007", "security")
    plan = plan_of(world, first)
    assert plan_of(world, second) == plan  # one 支援計画書 for 岡山市
    world.fire(PREFECTURE, "engagement", first, "approve_plan")
    assert world.record("deliverable", plan).state == "submitted"  # security still waits
    world.fire(PREFECTURE, "engagement", second, "approve_plan")
    assert world.record("deliverable", plan).state == "approved"


def test_one_document_per_engagement_is_a_setting(world: World) -> None:
    set_programme(world.services, PREFECTURE, {"support_plan_per": "engagement"})
    first = drafted(world, "331007", "genai")
    second = drafted(world, "331007", "security")
    assert plan_of(world, first) != plan_of(world, second)
    world.fire(PREFECTURE, "engagement", first, "approve_plan")
    assert world.record("deliverable", plan_of(world, first)).state == "approved"
    assert world.record("deliverable", plan_of(world, second)).state == "submitted"
    with pytest.raises(InvalidValue):
        set_programme(world.services, PREFECTURE, {"support_plan_per": "theme"})


# -- the programme's settings and people ---------------------------------------------------


def test_init_on_an_existing_database_changes_no_setting_and_says_which(world: World) -> None:
    table = {"contract_end": "2026-12-31", "contractor": "株式会社ほか", "total": 999}
    assert ignored_settings(world.services, table) == ["contract_end", "contractor", "total"]
    before = world.store.snapshot()
    configure(world.services, table, "test")
    assert world.store.snapshot() == before


def test_contract_dates_change_only_by_the_prefectures_audited_decision(world: World) -> None:
    with pytest.raises(PermissionDenied):
        set_programme(world.services, LEAD, {"contract_end": "2027-02-28"})
    with pytest.raises(InvalidValue):
        set_programme(world.services, PREFECTURE, {"total": 999})  # quotas: budget set
    changed = set_programme(world.services, LEAD, {"contract_end": "2027-02-28"},
                            on_behalf=BEHALF)  # fmt: skip
    assert changed == {
        "contract_end": {"before": "2027-03-31", "after": "2027-02-28"},
        # The open programme deadlines follow the new end (met ones would stay).
        "moved": [
            "月次業務報告書（令和9年2月分）の提出: 2027-03-10 → 2027-02-28",
            "業務完了報告書の提出: 2027-03-31 → 2027-02-28",
        ],
    }
    stored = world.settings("contract")
    assert stored is not None and stored["end"] == "2027-02-28"
    (event,) = views.history(world.services, "programme", 1)
    assert event.actor == PREFECTURE and event.payload["on_behalf"]["recorded_by"] == LEAD
    assert event.payload["settings"] == {"contract_end": changed["contract_end"]}
    assert event.payload["moved"] == changed["moved"]
    assert set_programme(world.services, PREFECTURE, {"contract_end": "2027-02-28"}) == {}


def test_quotas_change_on_the_prefectures_behalf_with_its_reference(world: World) -> None:
    with pytest.raises(PermissionDenied):
        budget.set_quotas(world.services, LEAD, total=480)
    budget.set_quotas(world.services, LEAD, total=480, on_behalf=BEHALF)
    event = views.history(world.services, "budget", 2026)[-1]
    assert event.payload["after"]["total"] == 480
    assert event.payload["on_behalf"]["ref"] == "デジ第12号"


def test_a_prefecture_person_is_added_by_the_prefecture_or_on_its_written_notice(
    world: World,
) -> None:
    new: dict[str, Any] = {"name": "県 次郎", "role": "prefecture"}
    with pytest.raises(InvalidValue) as bad:
        master.add_person(world.services, LEAD, email="jiro@pref.okayama.example.jp", **new)
    assert bad.value.where == "--notice-ref"
    master.add_person(world.services, LEAD, email="jiro@pref.okayama.example.jp",
                      notice_ref="デジ第77号", **new)  # fmt: skip
    master.add_person(world.services, PREFECTURE, email="saburo@pref.okayama.example.jp", **new)
    added = views.history(world.services, "person", world.person_id("jiro@pref.okayama.example.jp"))
    assert added[0].payload["notice_ref"] == "デジ第77号"


def test_a_deactivated_consultants_work_is_listed_and_moved(world: World) -> None:
    eid = world.in_support()
    planned = world.plan(eid, "2026-05-12T10:00+09:00", user=HANAKO).record.id
    master.remove_person(world.services, LEAD, HANAKO)  # deactivated, never deleted
    assert world.person_id(HANAKO)  # still known, for the history
    listed = people.reassign(world.services, LEAD, HANAKO, None)
    assert (listed.engagements, listed.dispatches) == ([eid], [planned])
    moved = people.reassign(world.services, LEAD, HANAKO, JIRO)
    assert moved.moved == [f"dispatch {planned}"] and moved.awaiting_agreement == [eid]
    assert world.record("dispatch", planned).data["consultant_id"] == world.person_id(JIRO)
    assert world.record("engagement", eid).data["consultant_id"] == world.person_id(HANAKO)
    world.fire(PREFECTURE, "engagement", eid, "agree_expert")
    assert world.record("engagement", eid).data["consultant_id"] == world.person_id(JIRO)
    assert people.reassign(world.services, LEAD, HANAKO, None).engagements == []
    with pytest.raises(PermissionDenied):
        people.reassign(world.services, JIRO, JIRO, None)
