"""Who is acting and what they may see: authentication, the permission table, scoping."""

from __future__ import annotations

from datetime import date

import pytest

from banso.engine.clock import parse_datetime
from banso.engine.errors import InvalidValue, NotFound, PermissionDenied, Refused
from banso.services import master, programme, views
from banso.services.identity import (
    DATABASE,
    OS,
    TRUST,
    Login,
    Viewer,
    admit,
    authenticate,
    bind,
)
from banso.workflows.permissions import ALL, COMMANDS, OWN, permission
from banso.workflows.roles import CONSULTANT, LEAD, MUNICIPAL, PREFECTURE
from tests.services.world import HANAKO, JIRO, START, World
from tests.services.world import LEAD as LEAD_EMAIL
from tests.support.fakes import memory_services

MUNI = "muni@city.okayama.example.jp"


def _viewer(world: World, email: str) -> Viewer:
    with world.services.uow(readonly=True) as uow:
        viewer = admit(uow, email, "engagement list")
    assert viewer is not None
    return viewer


def _add_municipal(world: World) -> None:
    master.add_person(
        world.services, LEAD_EMAIL, name="岡山 市子", email=MUNI, role=MUNICIPAL, org_code="331007"
    )


def test_in_os_mode_the_account_is_bound_and_as_may_only_name_its_person(world: World) -> None:
    with world.services.uow() as uow:
        bind(uow, Login(OS, "hanako", None), world.person_id(HANAKO))
        uow.commit()
    with world.services.uow(readonly=True) as uow:
        assert authenticate(uow, Login(OS, "hanako", None)) == HANAKO
        assert authenticate(uow, Login(OS, "hanako", HANAKO.upper())) == HANAKO
        with pytest.raises(Refused, match="may only name yourself"):
            authenticate(uow, Login(OS, "hanako", LEAD_EMAIL))
        with pytest.raises(NotFound):
            authenticate(uow, Login(OS, "hanako", "nobody@example.jp"))
        # An account bound to nobody may not claim anyone.
        with pytest.raises(Refused, match="not bound"):
            authenticate(uow, Login(DATABASE, "mallory", LEAD_EMAIL))
        with pytest.raises(Refused, match="not bound"):
            authenticate(uow, Login(OS, "mallory", None))
        # Trust believes the claim (the demo and the tests).
        assert authenticate(uow, Login(TRUST, None, LEAD_EMAIL)) == LEAD_EMAIL


def test_the_first_person_added_is_bound_to_the_account_running_it() -> None:
    services = memory_services(parse_datetime(START))
    programme.configure(services, {}, "test")
    data, _ = master.add_person(
        services, None, name="伴走 一郎", email="first@example.jp", role=LEAD,
        running=Login(OS, "ichiro", None),
    )  # fmt: skip
    assert data["login"] == "ichiro"
    with services.uow(readonly=True) as uow:
        assert authenticate(uow, Login(OS, "ichiro", None)) == "first@example.jp"
    # Later people are bound by the lead, explicitly; an account binds one person.
    data, _ = master.add_person(
        services, "first@example.jp", name="佐藤 花子", email="hanako@example.jp",
        role=CONSULTANT, login="hanako", running=Login(OS, "ichiro", None),
    )  # fmt: skip
    assert data["login"] == "hanako"
    with pytest.raises(InvalidValue, match="--login"):
        master.add_person(
            services, "first@example.jp", name="別人", email="other@example.jp",
            role=CONSULTANT, login="hanako",
        )  # fmt: skip


def test_every_command_has_a_permission_and_municipal_contacts_have_none() -> None:
    for name, rule in COMMANDS.items():
        assert rule.open or rule.scope(MUNICIPAL) is None, name
        assert rule.open or rule.scope(LEAD) == ALL, name
    assert permission("survey import").scope(CONSULTANT) is None
    assert permission("engagement show").scope(CONSULTANT) == OWN
    assert permission("a command nobody listed").roles == {PREFECTURE: ALL, LEAD: ALL}


def test_permissions_come_before_any_rule_or_read(world: World) -> None:
    _add_municipal(world)
    world.engagement()  # 岡山市 × genai: a second would be refused by a rule, but…
    with world.services.uow(readonly=True) as uow:
        for command in ("engagement new", "survey import", "engagement list", "calendar"):
            with pytest.raises(PermissionDenied) as caught:
                admit(uow, MUNI, command)
            assert "genai" not in str(caught.value) and "331007" not in str(caught.value)
        with pytest.raises(PermissionDenied):
            admit(uow, HANAKO, "survey import")
        with pytest.raises(NotFound):
            admit(uow, "nobody@example.jp", "engagement list")
        with pytest.raises(PermissionDenied):
            admit(uow, None, "engagement list")


def test_a_consultant_reads_their_own_records_only(world: World) -> None:
    mine = world.in_support()  # HANAKO's
    theirs = world.engagement("332020", "security")
    world.hearing(theirs, consultant=JIRO)
    hanako = _viewer(world, HANAKO)
    assert hanako.scope == OWN
    assert [e["id"] for e in views.engagements(world.services, viewer=hanako)] == [mine]
    assert views.engagement(world.services, mine, hanako)["id"] == mine
    with pytest.raises(NotFound):
        views.engagement(world.services, theirs, hanako)
    with pytest.raises(NotFound):
        views.history(world.services, "engagement", theirs, hanako)
    assert views.history(world.services, "engagement", mine, hanako)
    world.plan(mine, "2026-06-03T13:30+09:00")
    assert all(
        row["consultant"] == HANAKO for _, row in views.dispatches(world.services, viewer=hanako)
    )
    _, deadlines = views.calendar(world.services, date(2026, 4, 1), None, None, hanako)
    assert deadlines and {d.responsible for d in deadlines} == {HANAKO}
    _, everything = views.calendar(world.services, date(2026, 4, 1), None, None)
    assert len(everything) > len(deadlines)
    lead = _viewer(world, LEAD_EMAIL)
    assert {e["id"] for e in views.engagements(world.services, viewer=lead)} == {mine, theirs}
