"""Deliverables: drafted, submitted (meeting the deadline), returned (reopening it), approved."""

from __future__ import annotations

import pytest

from banso.engine.deadlines import MET, OPEN
from banso.engine.errors import PermissionDenied, TransitionRefused
from tests.services.world import LEAD, PREFECTURE, World


def only(world: World, kind: str) -> int:
    (found,) = world.find("deliverable", kind=kind)
    return found.id


def test_a_submission_meets_the_deadline_and_a_return_reopens_it(world: World) -> None:
    chart = only(world, "org_chart")
    world.fire(LEAD, "deliverable", chart, "draft")
    with pytest.raises(PermissionDenied):
        world.fire(PREFECTURE, "deliverable", chart, "submit")
    world.fire(LEAD, "deliverable", chart, "submit")
    assert world.deadline("deliverable", chart, "submission").status == MET
    (request,) = world.queued("approval_request")
    assert (request.message.to, request.message.about_id) == ((PREFECTURE,), chart)

    world.at("2026-04-06T10:00+09:00")
    with pytest.raises(TransitionRefused):
        world.fire(PREFECTURE, "deliverable", chart, "send_back")  # a reason is needed
    world.fire(PREFECTURE, "deliverable", chart, "send_back", reason="連絡先がない")
    reopened = world.deadline("deliverable", chart, "submission")
    assert reopened.status == OPEN and reopened.next_fire_at is not None
    assert reopened.next_fire_at > world.now  # reminding from the next step, not the past

    world.fire(LEAD, "deliverable", chart, "draft")
    world.fire(LEAD, "deliverable", chart, "submit")
    world.fire(PREFECTURE, "deliverable", chart, "approve")
    assert world.record("deliverable", chart).state == "approved"
    assert len(world.queued("approval_request")) == 2


def test_a_deliverable_submitted_for_information_asks_for_no_approval(world: World) -> None:
    plan = only(world, "implementation_plan")
    world.fire(LEAD, "deliverable", plan, "draft")
    world.fire(LEAD, "deliverable", plan, "submit")
    assert world.record("deliverable", plan).state == "submitted"
    assert world.queued("approval_request") == []
