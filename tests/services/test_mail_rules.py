"""Who hears about what, and what the mail says (issue 10), on the service tier."""

from __future__ import annotations

from datetime import date

import pytest

from banso.engine.clock import parse_datetime
from banso.engine.errors import InvalidValue, PermissionDenied
from banso.notifications.render import MailRenderer
from banso.services import daemon, delays, desk, meetings
from banso.workflows.mailing import (
    CANCEL_REASONS,
    explain_due,
    mail_settings,
    public_message_id,
    readable_dates,
    who_hears,
)
from tests.services.world import CONTACT, HANAKO, LEAD, PREFECTURE, World
from tests.support.fakes import FakeMail

END = date(2027, 3, 31)


@pytest.fixture
def world() -> World:
    """The service tier with the real templates: these tests read what the mail says."""
    w = World(mail=FakeMail(renderer=MailRenderer()))
    w.set_up()
    return w


def test_internal_targets_are_capped_and_contractual_ones_ask_for_a_delay_notice() -> None:
    def hears(obligation: str, kind: str, number: int = 0, day: date = date(2026, 6, 1),
              completion: bool = False) -> tuple[bool, bool]:  # fmt: skip
        h = who_hears(obligation, completion, kind, number, day, END, 3)
        return h.send, h.ask_delay_notice

    assert hears("hearing", "before") == (True, False)
    assert hears("hearing", "overdue", 3) == (True, False)
    assert hears("hearing", "overdue", 4) == (False, False)
    assert hears("submission", "overdue", 1) == (True, True)
    assert hears("submission", "overdue", 2) == (True, False)
    assert hears("monthly_meeting", "overdue", 1) == (True, True)
    # After the contract end: only the completion report is followed up.
    assert hears("submission", "overdue", 1, date(2027, 4, 1)) == (False, False)
    assert hears("submission", "overdue", 1, date(2027, 4, 1), completion=True) == (True, True)


def test_explanations_say_nothing_when_nothing_moved_and_no_iso_dates() -> None:
    still = "翌月10日まで。2026-06-10は営業日のため、そのまま"
    assert explain_due(still, date(2026, 6, 10), date(2026, 6, 10)) == "翌月10日まで"
    moved = "翌月10日まで。2026-10-10は土曜日のため、翌営業日の2026-10-13"
    text = explain_due(moved, date(2026, 10, 13), date(2026, 10, 10))
    assert text == (
        "翌月10日まで。本来の期日令和8年10月10日が県の閉庁日にあたるため、"
        "開庁日の令和8年10月13日としています"
    )
    assert readable_dates("起算日2026-04-01から") == "起算日令和8年4月1日から"


def test_mail_settings_are_checked() -> None:
    assert mail_settings({}).subject_tag == "【DX伴走支援】"
    assert mail_settings({"overdue_cap": 5}).overdue_cap == 5
    for bad in ({"overdue_cap": -1}, {"bogus": 1}, {"message_id_domain": "x"},
                {"subject_tag": "a\nb"}, {"march_report_from_day": 31}):  # fmt: skip
        with pytest.raises(InvalidValue):
            mail_settings(bad)
    assert public_message_id("<abc@banso.invalid>", "banso.example.jp") == "<abc@banso.example.jp>"


def test_the_kickoff_counts_as_aprils_regular_meeting(world: World) -> None:
    kickoff = meetings.schedule_meeting(
        world.services, LEAD, "kickoff", at=parse_datetime("2026-04-14T10:00+09:00"),
        place="県庁",
    ).record.id  # fmt: skip
    world.at("2026-04-14T15:00+09:00")
    world.fire(LEAD, "meeting", kickoff, "hold", minutes="キックオフ")
    assert world.deadline("programme", 202604, "monthly_meeting").next_fire_at is None


def test_overdue_deliverable_asks_the_lead_and_the_delay_notice_reaches_the_prefecture(
    world: World,
) -> None:
    (chart,) = world.find("deliverable", kind="org_chart")
    daemon.run_sweep(world.services, world.at("2026-04-09T09:00+09:00"))  # due 04-08
    (asked,) = [q for q in world.queued("deadline_overdue") if q.message.about_id == chart.id]
    assert asked.message.to == (LEAD,) and f"notify-delay {chart.id}" in asked.message.text
    with pytest.raises(PermissionDenied):
        delays.notify_delay(world.services, HANAKO, chart.id, until=date(2026, 4, 15),
                            reason="確認中")  # fmt: skip
    with pytest.raises(InvalidValue):
        delays.notify_delay(world.services, LEAD, chart.id, until=date(2026, 4, 1), reason="x")
    delays.notify_delay(world.services, LEAD, chart.id, until=date(2026, 4, 15), reason="確認中")
    (notice,) = world.queued("delay_notice")
    assert notice.message.to == (PREFECTURE,)
    assert "令和8年4月15日（水）" in notice.message.text and "専門人材派遣" in notice.message.text
    assert "banso" not in notice.message.text and "2026-" not in notice.message.text


def test_decisions_reach_the_lead_and_an_approved_plan_the_organisation(world: World) -> None:
    world.in_support()
    (told,) = world.queued("decision_recorded")
    assert told.message.to == (LEAD,) and "承認" in told.message.subject
    (approved,) = world.queued("plan_approved")
    assert approved.message.to == (CONTACT,) and "banso" not in approved.message.text
    # The survey's 担当部署 is in the address line.
    assert approved.message.text.startswith("岡山市 情報政策課 田中 一郎 様\n")
    (request,) = world.queued("approval_request")
    for words in ("現状・課題", "窓口業務の現状と課題", "規程の策定", "担当専門人材", "4回"):
        assert words in request.message.text, words
    assert "banso" not in request.message.text


def test_the_first_mail_introduces_the_contractor(world: World) -> None:
    eid = world.engagement()
    world.hearing(eid, HANAKO)
    world.hearing(eid, HANAKO, at="2026-04-13T10:00+09:00")
    # The organisation first hears who its consultant is, then of the hearing.
    first, *later = [q.message for q in world.queued() if q.message.to == (CONTACT,)]
    assert first.kind == "expert_agreed" and "突然のご連絡失礼いたします" in first.text
    assert [m.kind for m in later] == ["hearing_invitation"] * 2
    assert not [m for m in later if "突然" in m.text]
    (inside, _) = [
        q.message for q in world.queued("hearing_invitation") if q.message.to == (HANAKO,)
    ]
    assert "お疲れ様です" in inside.text


def test_a_planned_dispatch_is_tentative_and_a_cancellation_outside_hides_the_reason(
    world: World,
) -> None:
    eid = world.in_support()
    dispatch = world.plan(eid, "2026-06-03T13:30+09:00").record.id
    assert world.mail.invitations[-1].fields["tentative"] is True
    world.fire(LEAD, "dispatch", dispatch, "confirm")
    assert world.mail.invitations[-1].fields["tentative"] is False
    world.fire(LEAD, "dispatch", dispatch, "cancel", reason="先方の都合により中止",
               reason_code="weather")  # fmt: skip
    outside = [q for q in world.queued("dispatch_cancelled") if q.message.to == (CONTACT,)]
    assert CANCEL_REASONS["weather"] in outside[0].message.text
    assert "先方の都合" not in outside[0].message.text
    assert outside[0].message.subject.startswith("【DX伴走支援】【中止】")


def test_consultation_assign_mails_the_consultant_the_contact(world: World) -> None:
    cid = desk.new_consultation(
        world.services, PREFECTURE, "331007", "RPAの導入", None,
        {"contact_name": "田中", "contact_email": CONTACT, "contact_phone": "086-000-0000"},
    ).record.id  # fmt: skip
    desk.assign_consultation(world.services, LEAD, cid, HANAKO)
    (mail,) = world.queued("consultation_assigned")
    assert mail.message.to == (HANAKO,)
    assert "RPAの導入" in mail.message.text and "086-000-0000" in mail.message.text


def test_the_report_meeting_invites_every_organisations_contact(world: World) -> None:
    world.engagement()
    meetings.schedule_meeting(
        world.services, LEAD, "report", at=parse_datetime("2027-03-10T14:00+09:00"), place="講堂"
    )
    to = {q.message.to for q in world.queued("meeting_invitation")}
    assert (CONTACT,) in to and (PREFECTURE,) in to and (HANAKO,) in to
