"""Every kind of mail the use cases compose renders with the real templates.

The one place the service tier uses a real adapter: FakeMail checks the keys
``notifications.render.KINDS`` lists, and here a walk through the programme is
also rendered by ``MailRenderer`` (templates read from the package), so the fake
cannot drift into accepting contexts the real templates refuse.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from jinja2 import UndefinedError

from banso.engine.clock import parse_datetime
from banso.notifications.render import KINDS, MailRenderer
from banso.services import daemon, delays, desk, meetings
from tests.services.world import CONTACT, HANAKO, JIRO, LEAD, PREFECTURE, World
from tests.support.fakes import FakeMail, MissingContext


@pytest.fixture(scope="module")
def walked() -> World:
    world = World(mail=FakeMail(renderer=MailRenderer()))
    world.set_up()
    eid = world.engagement()
    world.hearing(eid, HANAKO)
    world.hearing(eid, JIRO, override="担当交代")
    world.fire(JIRO, "engagement", eid, "record_hearing", findings="現状")
    world.fire(JIRO, "engagement", eid, "draft_plan", goals="規程の策定")
    world.fire(PREFECTURE, "engagement", eid, "approve_plan")
    world.fire(LEAD, "engagement", eid, "start")
    dispatch = world.plan(eid, "2026-06-03T13:30+09:00", override="担当交代").record.id
    world.fire(LEAD, "dispatch", dispatch, "cancel", reason="延期")
    world.services.mail_settings = replace(
        world.services.mail_settings, visit_record_to_contact=True
    )
    # A visit handed to another consultant: the organisation and the new one are told,
    # the former one gets a CANCEL.
    moved = world.plan(eid, "2026-06-17T13:30+09:00").record.id
    world.fire(LEAD, "dispatch", moved, "reassign", consultant_id=world.person_id(HANAKO),
               reason="担当交代")  # fmt: skip
    held = world.plan(eid, "2026-06-10T13:30+09:00").record.id
    world.fire(LEAD, "dispatch", held, "confirm")
    world.at("2026-06-11T10:00+09:00")
    world.fire(LEAD, "dispatch", held, "record", summary="規程案を確認", hours=2)
    world.at("2026-04-02T10:00+09:00")
    asked = desk.new_consultation(
        world.services, PREFECTURE, "331007", "RPAの導入", None,
        {"contact_name": "田中", "contact_email": CONTACT, "contact_phone": "086-000-0000"},
    ).record.id  # fmt: skip
    desk.assign_consultation(world.services, LEAD, asked, HANAKO)
    kickoff = meetings.schedule_meeting(
        world.services, LEAD, "kickoff", at=parse_datetime("2026-04-03T10:00+09:00"),
        url="https://meet.example.jp/kickoff",
    ).record.id  # fmt: skip
    world.fire(LEAD, "meeting", kickoff, "cancel", reason="日程再調整")
    (chart,) = world.find("deliverable", kind="org_chart")
    world.fire(LEAD, "deliverable", chart.id, "draft")
    world.fire(LEAD, "deliverable", chart.id, "submit")
    daemon.run_sweep(world.services, world.at("2026-04-08T09:00+09:00"))
    (implementation,) = world.find("deliverable", kind="implementation_plan")
    delays.notify_delay(
        world.services, LEAD, implementation.id, until=date(2026, 4, 20), reason="確認中のため"
    )
    # A title made unsendable by hand (a forged header line): that reminder is set
    # aside and the lead told, the sweep goes on with the rest.
    tables = world.store.tables
    poisoned = next(i for i, d in tables.deadlines.items() if d.deadline.status == "open")
    stored = tables.deadlines[poisoned]
    title = stored.deadline.title + "\r\nBcc: evil@example.jp"
    tables.deadlines[poisoned] = replace(stored, deadline=replace(stored.deadline, title=title))
    daemon.run_sweep(world.services, world.at("2026-05-01T09:00+09:00"))
    delays.notify_meeting_delay(
        world.services, LEAD, "2026-04", until=date(2026, 5, 8), reason="日程調整中のため"
    )
    world.delivery.failing[CONTACT] = True
    daemon.send_pass(world.services, world.now)
    return world


def test_the_walk_composes_every_kind_and_each_renders(walked: World) -> None:
    assert set(walked.mail.kinds()) == set(KINDS)
    for q in walked.queued():
        assert q.message.subject and q.message.text.strip(), q.message.key
    invitations = [q for q in walked.queued("hearing_invitation") if q.message.attachments]
    assert b"BEGIN:VCALENDAR" in invitations[0].message.attachments[0].data


def test_the_fake_refuses_what_the_real_renderer_refuses(walked: World) -> None:
    renderer = MailRenderer()
    for composed in {c.kind: c for c in walked.mail.composed}.values():
        for key in KINDS[composed.kind]:
            context = {k: v for k, v in composed.context.items() if k != key}
            with pytest.raises(MissingContext):
                FakeMail().compose(key="k", kind=composed.kind, to=composed.to, context=context)
            with pytest.raises(UndefinedError, match=key):
                renderer.compose(key="k", kind=composed.kind, to=composed.to, context=context)
