"""Meetings: the monthly regular meeting and its deadline, the report meeting, the desk."""

from __future__ import annotations

from datetime import date

import pytest

from banso.engine.clock import parse_datetime
from banso.engine.deadlines import MET, OPEN
from banso.engine.errors import CreationRefused, InvalidValue, PermissionDenied, TransitionRefused
from banso.services import desk, meetings, transitions, views
from banso.services.decisions import Evidence, OnBehalf
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


def test_the_lead_enters_a_consultation_the_prefecture_passed_on(world: World) -> None:
    # The prefecture received it by phone and passed it on (§6(1)); no 文書番号 exists.
    phoned = OnBehalf(PREFECTURE, date(2026, 4, 1), None)
    contact = {"contact_name": "佐藤 花子", "contact_phone": "086-000-1111"}
    consultation = desk.new_consultation(
        world.services, LEAD, "331007", "RPAの相談", "phone", contact, on_behalf=phoned
    ).record
    assert consultation.state == "received"
    assert consultation.data["contact_name"] == "佐藤 花子"
    (event,) = views.history(world.services, "consultation", consultation.id)
    assert event.actor == PREFECTURE  # the prefecture received it; the lead typed it
    assert event.payload["on_behalf"] == {
        "decided_by": PREFECTURE, "recorded_by": LEAD, "date": "2026-04-01"
    }  # fmt: skip
    # Passed on by mail: its reference and the forwarded mail are kept as for a decision.
    mailed = OnBehalf(PREFECTURE, date(2026, 3, 31), " デジ第9号 ", Evidence("fwd.eml", b"Fwd"))
    second = desk.new_consultation(
        world.services, LEAD, "331007", "生成AIの相談", "mail", on_behalf=mailed
    ).record
    (event,) = views.history(world.services, "consultation", second.id)
    assert (event.payload["on_behalf"]["ref"], event.payload["on_behalf"]["evidence"]["name"]) == (
        "デジ第9号", "fwd.eml"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("user", "behalf", "error"),
    [
        (LEAD, None, PermissionDenied),  # the lead says whose receipt it records
        (JIRO, OnBehalf(PREFECTURE, date(2026, 4, 1), None), PermissionDenied),  # lead only
        (PREFECTURE, OnBehalf(PREFECTURE, date(2026, 4, 1), None), PermissionDenied),
        (LEAD, OnBehalf(HANAKO, date(2026, 4, 1), None), InvalidValue),  # not the prefecture
        (LEAD, OnBehalf(PREFECTURE, date(2026, 4, 2), None), InvalidValue),  # after today
        (LEAD, OnBehalf(PREFECTURE, date(2026, 4, 1), "  "), InvalidValue),  # an empty --ref
    ],
)
def test_a_consultation_on_behalf_is_the_leads_with_a_prefecture_person_and_a_past_day(
    world: World, user: str, behalf: OnBehalf | None, error: type[Exception]
) -> None:
    with pytest.raises(error):
        desk.new_consultation(world.services, user, "331007", "RPAの相談", "phone",
                              on_behalf=behalf)  # fmt: skip
    assert world.find("consultation") == []


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
