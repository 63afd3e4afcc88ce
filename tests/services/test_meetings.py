"""Meetings: the monthly regular meeting and its deadline, the report meeting, the desk."""

from __future__ import annotations

import pytest

from banso.engine.clock import parse_datetime
from banso.engine.deadlines import MET, OPEN
from banso.engine.errors import CreationRefused, PermissionDenied, TransitionRefused
from banso.services import desk, meetings, transitions
from tests.services.world import HANAKO, JIRO, KEN, LEAD, PREFECTURE, World

APRIL_MEETING = "2026-04-20T14:00+09:00"


def schedule(world: World, kind: str, at: str, user: str = LEAD) -> int:
    outcome = meetings.schedule_meeting(
        world.services, user, kind, at=parse_datetime(at), place="県庁 3階会議室"
    )
    return outcome.record.id


def test_the_monthly_meeting_invites_the_prefecture_and_the_lead(world: World) -> None:
    mid = schedule(world, "monthly", APRIL_MEETING)
    meeting = world.record("meeting", mid)
    assert (meeting.state, meeting.data["month"]) == ("scheduled", "2026-04")
    assert sorted(world.sent_to("meeting_invitation")) == [(LEAD,), (PREFECTURE,)]
    with pytest.raises(CreationRefused):
        schedule(world, "monthly", "2026-04-27T14:00+09:00")
    with pytest.raises(PermissionDenied):
        schedule(world, "monthly", "2026-05-18T14:00+09:00", user=HANAKO)
    schedule(world, "monthly", "2026-05-18T14:00+09:00")
    assert len(world.find("meeting", kind="monthly")) == 2


def test_holding_the_monthly_meeting_meets_that_months_deadline(world: World) -> None:
    mid = schedule(world, "monthly", APRIL_MEETING)
    with pytest.raises(TransitionRefused):  # it has not taken place yet
        world.fire(LEAD, "meeting", mid, "hold", minutes="進捗報告")
    world.at("2026-04-20T16:00+09:00")
    with pytest.raises(TransitionRefused):
        world.fire(LEAD, "meeting", mid, "hold")
    world.fire(LEAD, "meeting", mid, "hold", minutes="進捗報告")
    assert world.record("meeting", mid).state == "held"
    assert world.deadline("programme", 202604, "monthly_meeting").status == MET
    assert world.deadline("programme", 202605, "monthly_meeting").status == OPEN


def test_a_cancelled_meeting_tells_its_attendees(world: World) -> None:
    mid = schedule(world, "kickoff", "2026-04-03T10:00+09:00")
    # The kickoff also invites every active consultant.
    assert sorted(world.sent_to("meeting_invitation")) == sorted(
        (p,) for p in (PREFECTURE, LEAD, HANAKO, JIRO, KEN)
    )
    with pytest.raises(TransitionRefused):
        world.fire(LEAD, "meeting", mid, "cancel")
    world.fire(PREFECTURE, "meeting", mid, "cancel", reason="日程再調整")
    cancelled = world.queued("meeting_cancelled")
    assert len(cancelled) == 5
    assert {q.message.attachments[0].content_type for q in cancelled} == {
        "text/calendar; method=CANCEL"
    }


def test_the_report_meeting_makes_every_open_engagement_due_before_it(world: World) -> None:
    going = world.in_support()
    requested = world.engagement("332020", "security")
    withdrawn = world.engagement("336238", "genai")
    world.fire(PREFECTURE, "engagement", withdrawn, "withdraw", reason="辞退")
    schedule(world, "report", "2027-02-15T14:00+09:00")
    due = world.deadline("engagement", going, "report_before_meeting")
    assert (due.due.isoformat(), due.responsible) == ("2027-02-12", HANAKO)  # the Friday before
    assert world.deadline("engagement", requested, "report_before_meeting").responsible == "lead"
    assert not world.has_deadline("engagement", withdrawn, "report_before_meeting")


def test_the_desk_receives_consultations_and_hands_them_to_a_consultant(world: World) -> None:
    with pytest.raises(PermissionDenied):
        desk.new_consultation(world.services, LEAD, "331007", "RPAの相談", "phone")
    consultation = desk.new_consultation(
        world.services, PREFECTURE, "331007", "RPAの相談", "phone"
    ).record
    assert (consultation.state, consultation.data["fiscal_year"]) == ("received", 2026)
    with pytest.raises(TransitionRefused):
        desk.assign_consultation(world.services, LEAD, consultation.id, PREFECTURE)
    desk.assign_consultation(world.services, LEAD, consultation.id, JIRO)
    first = world.deadline("consultation", consultation.id, "first_contact")
    assert (first.responsible, first.status) == (JIRO, OPEN)
    with pytest.raises(PermissionDenied):
        world.fire(HANAKO, "consultation", consultation.id, "answer", answer_channel="web",
                   summary="回答")  # fmt: skip
    transitions.fire(
        world.services, JIRO, "consultation", consultation.id, "answer",
        payload={"channel": "web"}, changes={"answer_channel": "web", "summary": "比較を回答"},
    )  # fmt: skip
    assert world.record("consultation", consultation.id).state == "answered"
    assert world.deadline("consultation", consultation.id, "first_contact").status == MET
