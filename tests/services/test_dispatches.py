"""Dispatches: planned within the monthly cap and the year's quotas, confirmed, held, cancelled."""

from __future__ import annotations

import pytest

from banso.engine.clock import parse_datetime
from banso.engine.deadlines import CANCELLED, MET, OPEN
from banso.engine.errors import CreationRefused, PermissionDenied, TransitionRefused
from banso.services import budget
from tests.services.world import CONTACT, HANAKO, JIRO, LEAD, PREFECTURE, World

JUNE = ("2026-06-03T13:30+09:00", "2026-06-10T13:30+09:00", "2026-06-17T13:30+09:00")


def test_a_planned_dispatch_opens_its_record_deadline_and_invites(world: World) -> None:
    eid = world.in_support()
    outcome = world.plan(eid, JUNE[0], user=HANAKO)
    d = outcome.record
    assert (d.state, d.data["month"], d.data["fiscal_year"], d.data["standardization"]) == (
        "planned", "2026-06", 2026, False,
    )  # fmt: skip
    assert d.data["consultant_id"] == world.person_id(HANAKO)
    record = world.deadline("dispatch", d.id, "record")
    # Three business days after the dispatch itself, for its consultant.
    assert (record.due.isoformat(), record.responsible, record.status) == (
        "2026-06-08", HANAKO, OPEN,
    )  # fmt: skip
    assert sorted(world.sent_to("dispatch_invitation")) == [(HANAKO,), (CONTACT,)]


def test_dispatches_need_an_engagement_in_support(world: World) -> None:
    eid = world.engagement()
    world.hearing(eid, HANAKO)
    before = world.store.snapshot()
    with pytest.raises(CreationRefused):
        world.plan(eid, JUNE[0], consultant=HANAKO)
    assert world.store.snapshot() == before  # nothing half-applied: no record, mail or event


def test_a_dispatch_is_inside_the_contract_in_a_known_mode(world: World) -> None:
    eid = world.in_support()
    with pytest.raises(CreationRefused):
        world.plan(eid, "2027-04-05T10:00+09:00")
    with pytest.raises(CreationRefused):
        world.plan(eid, JUNE[0], mode="telepathy")
    assert world.dispatch_count() == 0


def test_the_monthly_cap_is_lifted_only_by_the_lead_or_the_prefecture(world: World) -> None:
    eid = world.in_support()
    world.plan(eid, JUNE[0])
    world.plan(eid, JUNE[1], mode="web")
    with pytest.raises(CreationRefused):
        world.plan(eid, JUNE[2])
    with pytest.raises(CreationRefused):
        world.plan(eid, JUNE[2], user=HANAKO, override="急ぎ")  # a consultant's does not count
    assert world.dispatch_count(month="2026-06") == 2
    world.plan(eid, JUNE[2], override="議会対応のため")
    world.plan(eid, "2026-07-01T10:00+09:00", user=HANAKO)  # a new month, a new cap
    assert world.dispatch_count(month="2026-06") == 3
    (override,) = [d for d in world.find("dispatch") if d.data["at"] == parse_datetime(JUNE[2])]
    with world.services.uow(readonly=True) as uow:
        (created,) = uow.audit.history("dispatch", override.id)
    assert created.payload == {"override": "議会対応のため"}


def test_a_cancelled_dispatch_frees_its_slot(world: World) -> None:
    eid = world.in_support()
    first = world.plan(eid, JUNE[0]).record.id
    world.plan(eid, JUNE[1])
    with pytest.raises(TransitionRefused):
        world.fire(LEAD, "dispatch", first, "cancel")  # a reason is needed
    world.fire(LEAD, "dispatch", first, "cancel", reason="台風のため延期")
    assert world.deadline("dispatch", first, "record").status == CANCELLED
    assert sorted(world.sent_to("dispatch_cancelled")) == [(HANAKO,), (CONTACT,)]
    world.plan(eid, JUNE[2])
    assert world.dispatch_count(month="2026-06") == 3


def test_the_fiscal_year_quota_is_hard(world: World) -> None:
    budget.set_quotas(world.services, PREFECTURE, total=3, standardization=3)
    one = world.in_support("331007", "genai")
    two = world.in_support("332020", "genai", consultant=JIRO)
    world.plan(one, JUNE[0])
    world.plan(one, JUNE[1])
    world.plan(two, JUNE[0], user=JIRO)
    for user in (LEAD, PREFECTURE):
        with pytest.raises(CreationRefused):
            world.plan(two, JUNE[1], user=user, override="どうしても")
    assert world.dispatch_count(fiscal_year=2026) == 3


def test_standardisation_counts_through_the_parent_theme(world: World) -> None:
    budget.set_quotas(world.services, PREFECTURE, standardization=1)
    std = world.in_support("331007", "std-jumin")
    other = world.in_support("332020", "genai", consultant=JIRO)
    first = world.plan(std, JUNE[0])
    assert first.record.data["standardization"] is True and first.notes == ()
    # The target passed is a note on an accepted dispatch, not a refusal.
    second = world.plan(std, JUNE[1])
    assert second.notes and "standardisation target passed: 2" in second.notes[0]
    third = world.plan(other, JUNE[0], user=JIRO)
    assert third.record.data["standardization"] is False and third.notes == ()


def test_a_consultant_plans_and_moves_only_their_own_dispatches(world: World) -> None:
    eid = world.in_support(consultant=HANAKO)
    with pytest.raises(PermissionDenied):
        world.plan(eid, JUNE[0], user=JIRO)
    dispatch = world.plan(eid, JUNE[0], user=HANAKO).record.id
    with pytest.raises(PermissionDenied):
        world.fire(JIRO, "dispatch", dispatch, "confirm")
    assert world.record("dispatch", dispatch).state == "planned"
    world.fire(HANAKO, "dispatch", dispatch, "confirm")
    assert world.record("dispatch", dispatch).state == "confirmed"


def test_a_dispatch_is_recorded_once_it_has_happened(world: World) -> None:
    eid = world.in_support()
    dispatch = world.plan(eid, JUNE[0]).record.id
    world.fire(HANAKO, "dispatch", dispatch, "confirm")
    with pytest.raises(TransitionRefused):
        world.fire(HANAKO, "dispatch", dispatch, "record", summary="実施", hours=2)
    world.at("2026-06-03T16:00+09:00")
    with pytest.raises(TransitionRefused):
        world.fire(HANAKO, "dispatch", dispatch, "record", summary="実施", hours=0)
    world.fire(HANAKO, "dispatch", dispatch, "record", summary="規程案を検討", hours=2)
    held = world.record("dispatch", dispatch)
    assert (held.state, held.data["hours"], held.data["summary"]) == ("held", 2.0, "規程案を検討")
    assert world.deadline("dispatch", dispatch, "record").status == MET


def test_an_engagement_is_reported_after_a_held_dispatch_and_none_left_open(
    world: World,
) -> None:
    eid = world.in_support()
    first = world.plan(eid, JUNE[0]).record.id
    second = world.plan(eid, JUNE[1]).record.id
    with pytest.raises(TransitionRefused):
        world.fire(HANAKO, "engagement", eid, "report", outcome="規程を策定")
    world.fire(HANAKO, "dispatch", first, "confirm")
    world.at("2026-06-04T09:00+09:00")
    world.fire(HANAKO, "dispatch", first, "record", summary="実施")
    with pytest.raises(TransitionRefused):  # the second is still planned
        world.fire(HANAKO, "engagement", eid, "report", outcome="規程を策定")
    world.fire(HANAKO, "dispatch", second, "cancel", reason="不要になった")
    world.fire(HANAKO, "engagement", eid, "report", outcome="規程を策定")
    assert world.record("engagement", eid).state == "reported"


def test_after_an_overridden_reassignment_the_new_consultant_serves(world: World) -> None:
    eid = world.engagement()
    world.hearing(eid, HANAKO)
    world.hearing(eid, JIRO, override="花子さん休暇のため")
    world.fire(JIRO, "engagement", eid, "record_hearing", findings="現状")
    world.fire(JIRO, "engagement", eid, "draft_plan", goals="規程の策定")
    world.fire(PREFECTURE, "engagement", eid, "approve_plan")  # the prefecture agrees JIRO
    world.fire(LEAD, "engagement", eid, "start")
    assert world.plan(eid, JUNE[0], user=JIRO).record.data["consultant_id"] == (
        world.person_id(JIRO)
    )
