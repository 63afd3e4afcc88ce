"""Who hears about what, and what the mail says (issue 10), on the service tier."""

from __future__ import annotations

from datetime import date

import pytest

from banso.engine.clock import parse_datetime
from banso.engine.errors import InvalidValue, PermissionDenied, TransitionRefused
from banso.notifications.render import MailRenderer
from banso.services import (
    daemon,
    delays,
    desk,
    dispatches,
    engagements,
    master,
    meetings,
    people,
    programme,
    transitions,
    views,
)
from banso.services.decisions import OnBehalf
from banso.workflows.mailing import (
    CANCEL_REASONS,
    explain_due,
    mail_settings,
    public_message_id,
    readable_dates,
    who_hears,
)
from tests.services.world import (
    CONTACT,
    HANAKO,
    JIRO,
    KEN,
    LEAD,
    ORGS,
    PREFECTURE,
    SUBCONTRACTOR,
    THEMES,
    World,
)
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


# -- acceptance, delay of the regular meeting, the expert, reassignment, addressing --


def submitted(world: World, kind: str) -> int:
    found = world.find("deliverable", kind=kind)
    record = min(found, key=lambda r: r.id)
    world.fire(LEAD, "deliverable", record.id, "draft")
    world.fire(LEAD, "deliverable", record.id, "submit")
    return record.id


def test_a_monthly_report_is_received_on_the_prefectures_behalf_and_shown(world: World) -> None:
    report = submitted(world, "monthly_report")
    with pytest.raises(TransitionRefused):  # not an ordinary approval
        world.fire(PREFECTURE, "deliverable", report, "approve")
    world.at("2026-05-13T10:00+09:00")
    behalf = OnBehalf(PREFECTURE, date(2026, 5, 12), "受領確認メール")
    transitions.fire(world.services, LEAD, "deliverable", report, "receive", on_behalf=behalf)
    shown = views.deliverable(world.services, report)
    assert shown["state"] == "received" and shown["state_label"] == "受領済"
    assert shown["decision"] == {
        "trigger": "receive", "label": "受領", "by": PREFECTURE, "by_name": "県 太郎",
        "on": "2026-05-12", "at": shown["decision"]["at"], "ref": "受領確認メール",
        "recorded_by": LEAD, "evidence_sha256": None,
    }  # fmt: skip
    (told,) = world.queued("decision_recorded")
    assert told.message.to == (LEAD,) and told.message.subject.endswith("【受領】" + shown["title"])
    assert "令和8年5月12日（火）" in told.message.text and "受領確認メール" in told.message.text


def test_the_completion_report_passes_the_inspection(world: World) -> None:
    report = submitted(world, "completion_report")
    with pytest.raises(TransitionRefused):
        world.fire(PREFECTURE, "deliverable", report, "receive")
    world.at("2027-03-31T15:00+09:00")
    world.fire(PREFECTURE, "deliverable", report, "inspect")
    shown = views.deliverable(world.services, report)
    assert shown["state"] == "inspected"
    assert (shown["decision"]["label"], shown["decision"]["on"]) == ("完了検査", "2027-03-31")
    assert shown["decision"]["recorded_by"] is None
    (told,) = world.queued("decision_recorded")
    assert "完了検査合格" in told.message.subject and "請求" in told.message.text


def test_a_late_regular_meeting_asks_the_lead_and_its_notice_reaches_the_prefecture(
    world: World,
) -> None:
    daemon.run_sweep(world.services, world.at("2026-06-01T09:00+09:00"))  # May's is due 5/29
    asked = [q for q in world.queued("deadline_overdue") if q.message.about_id == 202605]
    assert asked and "banso meeting notify-delay 2026-05 --until" in asked[0].message.text
    with pytest.raises(PermissionDenied):
        delays.notify_meeting_delay(world.services, HANAKO, "2026-05", until=date(2026, 6, 5),
                                    reason="調整中")  # fmt: skip
    with pytest.raises(InvalidValue):
        delays.notify_meeting_delay(world.services, LEAD, "2026-05", until=date(2026, 6, 1),
                                    reason="調整中")  # fmt: skip
    with pytest.raises(InvalidValue):
        delays.notify_meeting_delay(world.services, LEAD, "2026-05", until=date(2027, 4, 5),
                                    reason="調整中")  # fmt: skip
    key = delays.notify_meeting_delay(
        world.services, LEAD, "2026-05", until=date(2026, 6, 5), reason="県との日程調整のため"
    )
    (notice,) = world.queued("meeting_delay_notice")
    assert notice.message.key.startswith(key) and notice.message.to == (PREFECTURE,)
    assert notice.message.subject == "【DX伴走支援】【開催遅延のご連絡】定例報告会（令和8年5月分）"
    assert "令和8年6月5日（金）" in notice.message.text
    assert "県との日程調整のため" in notice.message.text
    assert "banso" not in notice.message.text and "2026-" not in notice.message.text
    # A month whose meeting is held needs no notice.
    held = meetings.schedule_meeting(
        world.services, LEAD, "monthly", at=parse_datetime("2026-06-03T10:00+09:00"), url="x"
    ).record.id
    world.at("2026-06-03T15:00+09:00")
    world.fire(LEAD, "meeting", held, "hold", minutes="進捗報告")
    with pytest.raises(InvalidValue, match="not yet held"):
        delays.notify_meeting_delay(world.services, LEAD, "2026-06", until=date(2026, 6, 30),
                                    reason="x")  # fmt: skip


def test_the_prefecture_is_asked_to_agree_to_the_expert_and_the_organisation_told(
    world: World,
) -> None:
    master.approve_subcontractor(world.services, PREFECTURE, SUBCONTRACTOR, "デジ第5号")
    eid = world.engagement()
    engagements.propose_expert(world.services, LEAD, eid, consultant=KEN,
                               reason="標準化の移行支援の実績があるため")  # fmt: skip
    (asked,) = world.queued("expert_proposal")
    assert asked.message.to == (PREFECTURE,)
    for words in ("鈴木 健", SUBCONTRACTOR, "県の承認を得た再委託先", "標準化の移行支援の実績",
                  "岡山市 情報政策課", "ご返信"):  # fmt: skip
        assert words in asked.message.text, words
    assert "banso" not in asked.message.text
    assert world.queued("expert_agreed") == []  # nothing outside before the agreement
    world.fire(PREFECTURE, "engagement", eid, "agree_expert")
    (told,) = world.queued("expert_agreed")
    assert told.message.to == (CONTACT,) and "鈴木 健" in told.message.text
    assert "担当専門人材のお知らせ" in told.message.subject and "前任" not in told.message.text


def test_a_reassigned_visit_tells_the_organisation_and_moves_the_ics(world: World) -> None:
    eid = world.in_support()
    visit = world.plan(eid, "2026-06-03T13:30+09:00").record.id
    world.mail.invitations.clear()
    work = people.reassign(world.services, LEAD, HANAKO, JIRO)
    assert f"dispatch {visit}" in work.moved
    told = {q.message.to: q.message for q in world.queued("dispatch_reassigned")}
    assert set(told) == {(CONTACT,), (JIRO,)}
    outside = told[(CONTACT,)].text
    assert "山田 次郎" in outside and "前任" in outside and "佐藤 花子" in outside
    assert "banso" not in outside
    (released,) = world.queued("dispatch_released")
    assert released.message.to == (HANAKO,)
    methods = [(i.fields["method"], tuple(i.fields["attendees"])) for i in world.mail.invitations]
    assert ("REQUEST", (CONTACT, JIRO)) in methods and ("CANCEL", (HANAKO,)) in methods
    # The successor is proposed to the prefecture for the engagement itself (§6(2)①).
    (asked,) = world.queued("expert_proposal")[-1:]
    assert "山田 次郎" in asked.message.text and "佐藤 花子" in asked.message.text


def test_the_address_line_has_the_title_and_the_signature_the_leads_phone() -> None:
    w = World(mail=FakeMail(renderer=MailRenderer()))
    s = w.services
    programme.configure(s, {}, "test")
    programme.load_master_data(s, ORGS, THEMES)
    master.add_person(s, None, name="県 太郎", email=PREFECTURE, role="prefecture",
                      org_code="330001", dept="デジタル推進課", title="主任")  # fmt: skip
    master.add_person(s, PREFECTURE, name="責任 者", email=LEAD, role="lead",
                      phone="086-111-2222")  # fmt: skip
    (chart,) = w.find("deliverable", kind="org_chart")
    w.fire(LEAD, "deliverable", chart.id, "draft")
    w.fire(LEAD, "deliverable", chart.id, "submit")
    (request,) = w.queued("approval_request")
    assert request.message.text.startswith("岡山県 デジタル推進課 主任 県 太郎 様\n")
    assert "TEL: 086-111-2222" in request.message.text


def test_dispatch_reassign_hands_one_visit_over(world: World) -> None:
    eid = world.in_support()
    visit = world.plan(eid, "2026-06-03T13:30+09:00").record.id
    with pytest.raises(PermissionDenied):
        dispatches.reassign_dispatch(world.services, HANAKO, visit, consultant=JIRO, reason="x")
    dispatches.reassign_dispatch(world.services, LEAD, visit, consultant=JIRO,
                                 reason="体調不良のため")  # fmt: skip
    assert world.record("dispatch", visit).data["consultant_id"] == world.person_id(JIRO)
    assert sorted(world.sent_to("dispatch_reassigned")) == [(JIRO,), (CONTACT,)]
    assert world.sent_to("dispatch_released") == [(HANAKO,)]
    (outside,) = [q for q in world.queued("dispatch_reassigned") if q.message.to == (CONTACT,)]
    assert "体調不良" not in outside.message.text  # the reason stays inside
    with pytest.raises(TransitionRefused):  # to the one who has it: no change to announce
        dispatches.reassign_dispatch(world.services, LEAD, visit, consultant=JIRO, reason="x")
    assert len(world.queued("dispatch_reassigned")) == 2


def test_the_prefecture_is_never_introduced_to_as_a_stranger(world: World) -> None:
    eid = world.engagement()
    engagements.propose_expert(world.services, LEAD, eid, consultant=HANAKO)
    (asked,) = world.queued("expert_proposal")
    assert "突然" not in asked.message.text and "いつもお世話になっております" in asked.message.text
