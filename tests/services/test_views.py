"""What people look at: listings, one engagement, the history and its chain, the calendar."""

from __future__ import annotations

from datetime import date

import pytest

from banso.engine.deadlines import MET
from banso.engine.errors import NotFound, PermissionDenied
from banso.engine.outbox import DEAD, QUEUED
from banso.services import views
from tests.services.world import CONTACT, HANAKO, JIRO, LEAD, World


def test_engagements_are_listed_with_the_names_people_know(world: World) -> None:
    going = world.in_support()
    other = world.engagement("332020", "security")
    listed = views.engagements(world.services)
    assert [e["id"] for e in listed] == [going, other]
    assert (listed[0]["org_name"], listed[0]["theme"], listed[0]["consultant"]) == (
        "岡山市", "genai", HANAKO,
    )  # fmt: skip
    assert listed[0]["state_label"] == "支援中" and listed[1]["consultant"] is None
    assert [e["id"] for e in views.engagements(world.services, state="requested")] == [other]
    assert [e["id"] for e in views.engagements(world.services, org_code="332020")] == [other]
    with pytest.raises(NotFound):
        views.engagements(world.services, org_code="999999")


def test_one_engagement_with_its_dispatches_in_time_order(world: World) -> None:
    eid = world.in_support()
    late = world.plan(eid, "2026-06-17T13:30+09:00").record.id
    early = world.plan(eid, "2026-06-03T13:30+09:00").record.id
    shown = views.engagement(world.services, eid)
    assert [d["id"] for d in shown["dispatches"]] == [early, late]
    assert shown["hearing_at"] == "2026-04-10T01:00:00+00:00"  # JSON-ready, in UTC
    rows = views.dispatches(world.services, month="2026-06")
    assert [(view.id, row["consultant"]) for view, row in rows] == [(early, HANAKO), (late, HANAKO)]


def test_history_follows_every_change_and_the_chain_verifies(world: World) -> None:
    eid = world.in_support()
    triggers = [e.trigger for e in views.history(world.services, "engagement", eid)]
    assert triggers == [
        "create", "propose_expert", "agree_expert", "schedule_hearing", "record_hearing",
        "draft_plan", "approve_plan", "start",
    ]  # fmt: skip
    with pytest.raises(NotFound):
        views.history(world.services, "engagement", 999)
    report = views.verify_audit(world.services)
    assert report.ok and report.checked > len(triggers)


def test_the_calendar_lists_deadlines_from_the_contract_start(world: World) -> None:
    eid = world.engagement()
    world.hearing(eid, HANAKO)
    world.fire(HANAKO, "engagement", eid, "record_hearing", findings="現状")
    first, found = views.calendar(world.services, None, date(2026, 4, 30), None)
    assert first == date(2026, 4, 1)
    assert [d.due for d in found] == sorted(d.due for d in found)
    assert {"hearing", "plan", "monthly_meeting", "submission"} <= {d.obligation for d in found}
    _, met = views.calendar(world.services, None, None, MET)
    assert [(d.obligation, d.about_id) for d in met] == [("hearing", eid)]


def test_only_staff_put_a_dead_message_back_in_the_queue(world: World) -> None:
    eid = world.engagement()
    world.hearing(eid, HANAKO)
    world.delivery.failing[CONTACT] = True
    world.services.delivery(now=world.now, sender=LEAD)
    (dead,) = [q for q in views.outbox(world.services, DEAD, 10) if q.message.to == (CONTACT,)
               and q.message.kind == "hearing_invitation"]  # fmt: skip
    with pytest.raises(PermissionDenied):
        views.retry_message(world.services, JIRO, dead.id)
    assert views.retry_message(world.services, LEAD, dead.id) == LEAD
    assert world.services.outbox_store().get(dead.id).state == QUEUED
