"""The dispatch budget as the prefecture sees it, and the quotas it sets."""

from __future__ import annotations

import pytest

from banso.engine.errors import InvalidValue, PermissionDenied, Refused
from banso.services import budget, desk
from tests.services.world import HANAKO, JIRO, LEAD, PREFECTURE, World


def test_the_budget_counts_held_and_committed_dispatches_per_theme(world: World) -> None:
    genai = world.in_support("331007", "genai")
    std = world.in_support("332020", "std-jumin", consultant=JIRO)
    held = world.plan(genai, "2026-06-03T13:30+09:00").record.id
    cancelled = world.plan(genai, "2026-06-10T13:30+09:00").record.id
    world.plan(std, "2026-06-05T10:00+09:00", user=JIRO)
    world.plan(std, "2026-07-06T10:00+09:00", user=JIRO)
    world.fire(HANAKO, "dispatch", held, "confirm")
    world.fire(LEAD, "dispatch", cancelled, "cancel", reason="延期")
    world.at("2026-06-05T09:00+09:00")
    world.fire(HANAKO, "dispatch", held, "record", summary="実施")
    desk.new_consultation(world.services, PREFECTURE, "336238", "RPAの導入", "mail")

    view = budget.budget(world.services)
    assert view["fiscal_year"] == 2026
    assert view["total"] == {"held": 1, "committed": 2, "limit": 470, "left": 467}
    assert view["standardization"] == {
        "held": 0, "committed": 2, "target": 360, "left": 358, "warning": None,
    }  # fmt: skip
    # Both plans approved 4 dispatches: genai used 1 (one cancelled), std-jumin 2.
    assert view["plans"] == {"planned": 8, "to_plan": 5, "left_after_plans": 462}
    assert [(t["theme"], t["held"], t["committed"]) for t in view["themes"]] == [
        ("genai", 1, 0),
        ("std-jumin", 0, 2),
    ]
    assert view["months_left"] == 10  # June 2026 to March 2027
    assert view["monthly_cap"] == 2
    assert view["consultations"] == {"count": 1, "expected": 50}


def test_quotas_are_the_prefectures_and_never_below_what_is_used(world: World) -> None:
    eid = world.in_support()
    world.plan(eid, "2026-06-03T13:30+09:00")
    world.plan(eid, "2026-06-10T13:30+09:00")
    quota = world.settings("quota")
    with pytest.raises(PermissionDenied):
        budget.set_quotas(world.services, LEAD, total=400)
    with pytest.raises(Refused) as below:
        budget.set_quotas(world.services, PREFECTURE, total=1, standardization=1)
    assert not isinstance(below.value, PermissionDenied)
    with pytest.raises(InvalidValue):
        budget.set_quotas(world.services, PREFECTURE, standardization=471)
    assert world.settings("quota") == quota

    new = budget.set_quotas(world.services, PREFECTURE, total=2, standardization=2, monthly_cap=3)
    assert new == {"total": 2, "standardization": 2, "monthly_cap": 3} == world.settings("quota")
    with world.services.uow(readonly=True) as uow:
        # The quotas init stored are in the chain too (audit verify compares them).
        first, event = uow.audit.history("budget", 2026)
    assert (first.actor, first.trigger, first.payload["after"]) == ("system", "init", quota)
    assert (event.actor, event.trigger, event.payload["after"]["total"]) == (PREFECTURE, "set", 2)


def test_a_negative_monthly_cap_is_refused(world: World) -> None:
    with pytest.raises(InvalidValue):
        budget.set_quotas(world.services, PREFECTURE, monthly_cap=-1)
