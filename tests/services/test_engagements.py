"""Engagements from request to report: hearing, plan, approval, support, outcome."""

from __future__ import annotations

import pytest

from banso.engine.clock import parse_datetime
from banso.engine.deadlines import CANCELLED, MET, OPEN
from banso.engine.errors import (
    NotFound,
    PermissionDenied,
    Refused,
    TransitionRefused,
)
from banso.services import engagements
from tests.services.world import (
    CONTACT,
    HANAKO,
    JIRO,
    LEAD,
    PREFECTURE,
    SurveyRow,
    World,
)


def test_a_new_engagement_comes_with_its_plan_deliverable_and_hearing_deadline(
    world: World,
) -> None:
    outcome = engagements.new_engagement(world.services, LEAD, "331007", "genai", "生成AI活用")
    eid = outcome.record.id
    assert (outcome.record.state, outcome.record.data["request"]) == ("requested", "生成AI活用")
    # One 支援計画書 per organisation (the default), a section per theme.
    (plan,) = world.find("deliverable", kind="support_plan", org_id=outcome.record.data["org_id"])
    assert (plan.state, plan.data["engagement_id"], plan.data["title"]) == (
        "pending", None, "支援計画書（岡山市）",
    )  # fmt: skip
    hearing = world.deadline("engagement", eid, "hearing")
    # 10 business days from 2026-04-01, for the lead (no consultant yet).
    assert (hearing.due.isoformat(), hearing.responsible, hearing.status) == (
        "2026-04-15", "lead", OPEN,
    )  # fmt: skip
    assert hearing.org_id is not None


def test_one_engagement_per_organisation_and_theme_at_a_time(world: World) -> None:
    eid = world.engagement()
    before = world.store.snapshot()
    with pytest.raises(Refused):
        engagements.new_engagement(world.services, LEAD, "331007", "genai", None)
    assert world.store.snapshot() == before
    world.fire(PREFECTURE, "engagement", eid, "withdraw", reason="団体の事情により")
    again = engagements.new_engagement(world.services, LEAD, "331007", "genai", None)
    assert again.record.id != eid


def test_who_may_open_an_engagement_and_on_what(world: World) -> None:
    with pytest.raises(PermissionDenied):
        engagements.new_engagement(world.services, HANAKO, "331007", "genai", None)
    with pytest.raises(PermissionDenied):
        engagements.new_engagement(world.services, None, "331007", "genai", None)
    with pytest.raises(NotFound):
        engagements.new_engagement(world.services, LEAD, "999999", "genai", None)
    with pytest.raises(NotFound):
        engagements.new_engagement(world.services, LEAD, "331007", "blockchain", None)
    assert world.find("engagement") == []


def test_scheduling_the_hearing_assigns_the_consultant_and_invites(world: World) -> None:
    eid = world.engagement()
    outcome = world.hearing(eid, HANAKO)
    assert outcome.record.state == "hearing"
    assert outcome.record.data["consultant_id"] == world.person_id(HANAKO)
    with world.services.uow(readonly=True) as uow:
        data = outcome.record.data
        assert uow.directory.assigned_consultant(data["org_id"], data["theme_id"]) == (
            world.person_id(HANAKO)
        )
    # One message per recipient, each with the calendar invitation.
    invitations = world.queued("hearing_invitation")
    assert sorted(q.message.to for q in invitations) == [(HANAKO,), (CONTACT,)]
    for q in invitations:
        (ics,) = q.message.attachments
        assert ics.content_type == "text/calendar; method=REQUEST"
        assert (q.message.about_kind, q.message.about_id) == ("engagement", eid)
    hearing = [c for c in world.mail.composed if c.kind == "hearing_invitation"]
    assert {c.context["rescheduled"] for c in hearing} == {False}


def test_only_a_consultant_may_be_scheduled_for_the_hearing(world: World) -> None:
    eid = world.engagement()
    with pytest.raises(TransitionRefused):
        world.hearing(eid, LEAD)
    with pytest.raises(NotFound):
        world.hearing(eid, "nobody@example.jp")
    with pytest.raises(PermissionDenied):
        engagements.schedule_hearing(
            world.services, PREFECTURE, eid, at=world.now, consultant=HANAKO
        )
    assert world.record("engagement", eid).state == "requested"
    assert world.queued("hearing_invitation") == []


def test_a_hearing_moved_to_another_consultant_tells_the_former_one(world: World) -> None:
    eid = world.engagement()
    world.hearing(eid, HANAKO)
    # The organisation × theme is HANAKO's now: another consultant needs a reason.
    with pytest.raises(TransitionRefused):
        world.hearing(eid, JIRO, at="2026-04-13T10:00+09:00")
    world.hearing(eid, JIRO, at="2026-04-13T10:00+09:00", override="花子さん休暇のため")
    record = world.record("engagement", eid)
    # create; propose, agree, schedule (HANAKO); propose, agree, schedule (JIRO)
    assert (record.state, record.version) == ("hearing", 6)
    assert record.data["consultant_id"] == record.data["agreed_consultant_id"]
    assert record.data["consultant_id"] == world.person_id(JIRO)
    (reassigned,) = world.queued("hearing_reassigned")
    assert reassigned.message.to == (HANAKO,)
    assert reassigned.message.attachments[0].content_type == "text/calendar; method=CANCEL"
    composed = next(c for c in world.mail.composed if c.kind == "hearing_reassigned")
    assert composed.context["at"] == parse_datetime("2026-04-10T10:00+09:00")  # the old time
    again = [c for c in world.mail.composed if c.kind == "hearing_invitation"][-2:]
    assert sorted(c.to for c in again) == [(JIRO,), (CONTACT,)]
    assert all(c.context["rescheduled"] for c in again)


def test_a_hearing_moved_in_time_only_tells_nobody_it_was_taken_away(world: World) -> None:
    eid = world.engagement()
    world.hearing(eid, HANAKO)
    world.hearing(eid, HANAKO, at="2026-04-14T10:00+09:00")
    assert world.queued("hearing_reassigned") == []
    assert len(world.queued("hearing_invitation")) == 4


def test_recording_the_hearing_meets_it_and_opens_the_plan_deadline(world: World) -> None:
    eid = world.engagement()
    world.hearing(eid, HANAKO)
    with pytest.raises(TransitionRefused):
        world.fire(HANAKO, "engagement", eid, "record_hearing", findings="  ")
    world.fire(HANAKO, "engagement", eid, "record_hearing", findings="窓口の現状")
    assert world.deadline("engagement", eid, "hearing").status == MET
    plan = world.deadline("engagement", eid, "plan")
    assert (plan.responsible, plan.status) == (HANAKO, OPEN)


def test_the_plan_rests_on_the_hearing_and_the_prefecture_approves_it(world: World) -> None:
    eid = world.engagement()
    world.hearing(eid, HANAKO)
    with pytest.raises(TransitionRefused) as refused:
        world.fire(HANAKO, "engagement", eid, "draft_plan", goals="規程の策定")
    assert refused.value.unmet  # it says what is missing
    world.fire(HANAKO, "engagement", eid, "record_hearing", findings="窓口の現状")
    world.fire(HANAKO, "engagement", eid, "draft_plan", goals="規程の策定", planned_dispatches=4)
    assert world.deadline("engagement", eid, "plan").status == MET
    assert world.sent_to("approval_request") == [(PREFECTURE,)]
    with pytest.raises(PermissionDenied):
        world.fire(LEAD, "engagement", eid, "approve_plan")
    world.fire(PREFECTURE, "engagement", eid, "approve_plan")
    with pytest.raises(PermissionDenied):
        world.fire(HANAKO, "engagement", eid, "start")
    world.fire(LEAD, "engagement", eid, "start")
    record = world.record("engagement", eid)
    assert (record.state, record.data["planned_dispatches"]) == ("in_support", 4)


def test_a_consultant_acts_only_on_their_own_engagement(world: World) -> None:
    eid = world.engagement()
    world.hearing(eid, HANAKO)
    with pytest.raises(PermissionDenied):
        world.fire(JIRO, "engagement", eid, "record_hearing", findings="他人の案件")
    assert world.record("engagement", eid).data["findings"] is None
    world.fire(HANAKO, "engagement", eid, "record_hearing", findings="自分の案件")


def test_the_survey_creates_engagements_and_reports_duplicates(world: World) -> None:
    existing = world.engagement("336238", "security")
    rows = [
        SurveyRow(2, "331007", "genai"),
        SurveyRow(3, "332020", "genai", contact_email="sato@city.kurashiki.example.jp"),
        SurveyRow(4, "331007", "genai"),  # the same org × theme twice in one file
        SurveyRow(5, "336238", "security"),  # already going
    ]
    told: list[int] = []  # the command's progress bar is told as each row is taken up
    done = engagements.import_survey(world.services, LEAD, rows, progress=told.append)
    assert told == [1, 2, 3, 4]
    assert [c["row"] for c in done.created] == [2, 3]
    assert [(d["row"], d["engagement"]) for d in done.duplicates] == [
        (4, done.created[0]["engagement"]),
        (5, existing),
    ]
    first = world.record("engagement", done.created[0]["engagement"])
    assert (first.data["contact_email"], first.data["preferred_months"]) == (
        CONTACT, ["2026-05", "2026-06"],
    )  # fmt: skip
    vocabulary = engagements.survey_vocabulary(world.services, LEAD)
    assert vocabulary.orgs["岡山市"] == "331007" and vocabulary.contract_months == (
        "2026-04", "2027-03",
    )  # fmt: skip


def test_a_survey_with_one_bad_row_imports_nothing(world: World) -> None:
    before = world.store.snapshot()
    rows = [SurveyRow(2, "331007", "genai"), SurveyRow(3, "999999", "genai")]
    with pytest.raises(NotFound):
        engagements.import_survey(world.services, LEAD, rows)
    with pytest.raises(PermissionDenied):
        engagements.import_survey(world.services, HANAKO, rows[:1])
    assert world.store.snapshot() == before


def test_withdrawing_needs_a_reason_and_cancels_the_hearing_deadline(world: World) -> None:
    eid = world.engagement()
    with pytest.raises(TransitionRefused):
        world.fire(PREFECTURE, "engagement", eid, "withdraw")
    world.fire(PREFECTURE, "engagement", eid, "withdraw", reason="団体の事情により")
    assert world.record("engagement", eid).state == "withdrawn"
    assert world.deadline("engagement", eid, "hearing").status == CANCELLED
