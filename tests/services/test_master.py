"""People, subcontractors and who may act: the master-data use cases."""

from __future__ import annotations

import pytest

from banso.engine.errors import InvalidValue, NotFound, PermissionDenied, Refused, TransitionRefused
from banso.services import engagements, master
from tests.services.world import HANAKO, JIRO, KEN, LEAD, PREFECTURE, SUBCONTRACTOR, World


def test_the_first_person_is_staff_and_registers_themself(bare: World) -> None:
    with pytest.raises(Refused):
        master.add_person(bare.services, None, name="花子", email=HANAKO, role="consultant")
    person, roster = master.add_person(
        bare.services, None, name="県 太郎", email=PREFECTURE, role="prefecture"
    )
    assert (person["email"], person["role"], person["active"], roster) == (
        PREFECTURE, "prefecture", True, None,
    )  # fmt: skip
    with bare.services.uow(readonly=True) as uow:
        (event,) = uow.audit.history("person", person["id"])
    assert (event.actor, event.trigger) == (PREFECTURE, "add")
    # From now on someone must be acting, and be staff.
    with pytest.raises(PermissionDenied):
        master.add_person(bare.services, None, name="責任 者", email=LEAD, role="lead")


def test_only_staff_add_people_and_each_address_once(world: World) -> None:
    s = world.services
    with pytest.raises(PermissionDenied):
        master.add_person(s, HANAKO, name="新人", email="new@contractor.example.jp", role="lead")
    with pytest.raises(NotFound):
        master.add_person(s, "nobody@example.jp", name="新人", email="new@example.jp", role="lead")
    with pytest.raises(InvalidValue):
        master.add_person(s, LEAD, name="重複", email=HANAKO, role="consultant")
    with pytest.raises(InvalidValue):
        master.add_person(s, LEAD, name="誤記", email="hanako@@example", role="consultant")
    with pytest.raises(InvalidValue):
        master.add_person(s, LEAD, name="外注", email="x@example.jp", role="consultant",
                          company="未登録の会社")  # fmt: skip
    assert [p["email"] for p in master.people(s, "consultant")] == [HANAKO, JIRO, KEN]


def test_a_consultant_changed_after_the_roster_was_drafted_opens_a_new_roster(
    world: World,
) -> None:
    (first,) = world.find("deliverable", kind="expert_roster")
    # While the first roster is still pending, a change simply goes into it.
    _, roster = master.edit_person(world.services, LEAD, HANAKO, fields=["生成AI"])
    assert roster is None
    world.fire(LEAD, "deliverable", first.id, "draft")
    data, roster = master.add_person(
        world.services, LEAD, name="高橋 三郎", email="saburo@contractor.example.jp",
        role="consultant", fields=["BPR"],
    )  # fmt: skip
    assert roster is not None and data["fields"] == ["BPR"]
    second = [r for r in world.find("deliverable", kind="expert_roster") if r.id != first.id]
    assert [r.data["roster_version"] for r in second] == [2]
    assert world.deadline("deliverable", second[0].id, "submission").due.isoformat() == "2026-04-08"


def test_a_removed_consultant_may_no_longer_serve(world: World) -> None:
    data, _ = master.remove_person(world.services, LEAD, JIRO)
    assert data["active"] is False
    eid = world.engagement()
    with pytest.raises(TransitionRefused):
        world.hearing(eid, JIRO)
    assert world.record("engagement", eid).state == "requested"


def test_a_removed_person_may_no_longer_act(world: World) -> None:
    master.remove_person(world.services, PREFECTURE, LEAD)
    with pytest.raises((PermissionDenied, NotFound)):
        engagements.new_engagement(world.services, LEAD, "331007", "genai", "依頼")


def test_a_subcontractors_consultant_works_only_after_the_prefectures_approval(
    world: World,
) -> None:
    eid = world.engagement()
    with pytest.raises(TransitionRefused):
        world.hearing(eid, KEN)
    with pytest.raises(PermissionDenied):
        master.approve_subcontractor(world.services, LEAD, SUBCONTRACTOR, "デジ第123号")
    sub = master.approve_subcontractor(world.services, PREFECTURE, SUBCONTRACTOR, "デジ第123号")
    assert (sub.approved_by, sub.approval_ref, sub.approved_at) == (
        PREFECTURE, "デジ第123号", world.now,
    )  # fmt: skip
    world.hearing(eid, KEN)
    assert world.record("engagement", eid).data["consultant_id"] == world.person_id(KEN)
