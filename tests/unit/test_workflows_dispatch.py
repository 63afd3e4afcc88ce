"""Planning and recording dispatches: the engagement's state, the consultant,
the monthly cap (soft) and the fiscal-year quotas (hard), spec §6(2)③."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from banso.engine.errors import CreationRefused, PermissionDenied, TransitionRefused, Unmet
from banso.engine.workflow import Actor, GuardContext, RecordView
from banso.workflows import Quotas, dispatch
from banso.workflows.dispatch import DispatchFacts
from banso.workflows.people_rules import ConsultantFacts
from banso.workflows.quotas import QuotaUse, ordinal, quota_notes, quota_unmet

D = dispatch.DEFINITION
NOW = datetime(2026, 10, 9, 0, 0, tzinfo=UTC)
VISIT = datetime(2026, 10, 22, 5, 0, tzinfo=UTC)  # 14:00 in Tokyo

DATA: dict[str, Any] = {
    "engagement_id": 3,
    "consultant_id": 7,
    "at": VISIT,
    "mode": "onsite",
    "month": "2026-10",
    "fiscal_year": 2026,
    "standardization": False,
}

# Everything fine: an engagement in support, its own consultant, room everywhere.
USE = QuotaUse(engagement_id=3, month="2026-10", month_count=0, fy_count=100, std_count=50)
CONSULTANT = ConsultantFacts(
    role="consultant", active=True, assigned_consultant_id=7, assigned_consultant="bob@example.jp"
)
FACTS = DispatchFacts(
    engagement_state="in_support",
    contract_start=date(2026, 4, 1),
    contract_end=date(2027, 3, 31),
    quotas=Quotas(),
    use=USE,
    consultant=CONSULTANT,
)

MONTHLY = Unmet(
    "monthly cap: engagement 3 already has 2 of 2 dispatches in 2026-10; "
    "a third needs an override, with its reason, by the lead or the prefecture",
    field="override",
)
FISCAL_YEAR = Unmet(
    "fiscal-year quota: 470 of 470 dispatches used, the budget agreed with the prefecture, "
    "a hard limit only the prefecture moves",
    field="total",
    remedy="set_budget",
)
WRONG_STATE = Unmet("engagement 3 is hearing (ヒアリング); dispatches need in_support (支援中)")


def ctx(
    role: str = "lead",
    payload: Mapping[str, Any] | None = None,
    facts: object = None,
    now: datetime = NOW,
) -> GuardContext:
    actor = Actor(email=f"{role}@example.jp", role=role)
    return GuardContext(actor=actor, now=now, payload=payload or {}, facts=facts)


def plan(
    role: str = "lead",
    override: str | None = None,
    data: Mapping[str, Any] | None = None,
    *,
    consultant: ConsultantFacts = CONSULTANT,
    quotas: Quotas | None = None,
    engagement_state: str = "in_support",
    month_count: int = USE.month_count,
    fy_count: int = USE.fy_count,
    std_count: int = USE.std_count,
) -> tuple[Unmet, ...]:
    """The unmet conditions of planning a dispatch; () when it may be planned."""
    use = replace(USE, month_count=month_count, fy_count=fy_count, std_count=std_count)
    facts = replace(
        FACTS,
        engagement_state=engagement_state,
        quotas=quotas or FACTS.quotas,
        use=use,
        consultant=consultant,
    )
    try:
        D.check_create({**DATA, **(data or {})}, ctx(role, {"override": override}, facts))
    except CreationRefused as refused:
        return refused.unmet
    return ()


def test_a_dispatch_with_room_everywhere() -> None:
    assert plan() == ()
    assert plan("consultant") == ()
    D.check_create(DATA, ctx("lead", facts=FACTS))
    assert D.initial == "planned"


def test_planning_needs_the_lead_a_consultant_or_the_prefecture() -> None:
    with pytest.raises(PermissionDenied) as denied:
        D.check_create(DATA, ctx("municipal", facts=FACTS))
    assert str(denied.value) == (
        "municipal@example.jp may not create a dispatch: "
        "only a lead or consultant or prefecture may"
    )


def test_every_unmet_condition_at_once() -> None:
    unmet = plan(month_count=2, fy_count=470, engagement_state="hearing")
    assert unmet == (WRONG_STATE, MONTHLY, FISCAL_YEAR)


def test_the_refusal_says_them_all_in_one_sentence() -> None:
    with pytest.raises(CreationRefused) as caught:
        D.check_create(DATA, ctx("lead", facts=replace(FACTS, engagement_state="hearing")))
    assert str(caught.value) == f"new dispatch refused: {WRONG_STATE.reason}"
    assert caught.value.kind == "dispatch"


@pytest.mark.parametrize(
    ("state", "label"),
    [("requested", "要望受付"), ("plan_approved", "計画承認済"), ("reported", "報告済")],
)
def test_only_engagements_in_support_get_dispatches(state: str, label: str) -> None:
    assert plan(engagement_state=state) == (
        Unmet(f"engagement 3 is {state} ({label}); dispatches need in_support (支援中)"),
    )


def test_web_is_a_mode_and_bus_is_not() -> None:
    assert plan(data={"mode": "web"}) == ()
    assert plan(data={"mode": "bus"}) == (
        Unmet("the mode is 'bus', not one of onsite, web", field="mode"),
    )


# -- the consultant -----------------------------------------------------------------


def test_the_consultant_rules_apply_to_dispatches() -> None:
    person = replace(
        CONSULTANT,
        active=False,
        subcontractor="Kibi Data",
        subcontractor_approved=False,
        assigned_consultant_id=5,
        assigned_consultant="alice@example.jp",
    )
    assert plan(consultant=person) == (
        Unmet("person 7 is inactive; choose an active consultant", field="consultant_id"),
        Unmet(
            "subcontractor Kibi Data has no written approval from the prefecture",
            remedy="approve_subcontractor",
        ),
        Unmet(
            "org×theme is served by alice@example.jp; "
            "a different consultant needs an override, with its reason",
            field="override",
        ),
    )


def test_an_approved_subcontractor_may_be_dispatched() -> None:
    person = replace(CONSULTANT, subcontractor="Kibi Data", subcontractor_approved=True)
    assert plan(consultant=person) == ()


def test_another_consultant_with_an_override() -> None:
    other = replace(CONSULTANT, assigned_consultant_id=5, assigned_consultant="alice@x")
    assert plan(override="alice is on leave", consultant=other) == ()
    assert plan("consultant", override="covering for alice", consultant=other) == ()


def test_the_first_dispatch_of_an_unassigned_org_theme() -> None:
    unassigned = replace(CONSULTANT, assigned_consultant_id=None, assigned_consultant=None)
    assert plan(consultant=unassigned) == ()


# -- the monthly cap (soft) ---------------------------------------------------------


def test_monthly_cap_edge() -> None:
    assert plan(month_count=1) == ()
    assert plan(month_count=2) == (MONTHLY,)


def test_a_lead_override_lifts_the_monthly_cap() -> None:
    assert plan("lead", override="budget agreed with the prefecture", month_count=2) == ()


def test_a_prefecture_override_lifts_the_monthly_cap() -> None:
    assert plan("prefecture", override="agreed", month_count=2) == ()
    use = QuotaUse(engagement_id=3, month="2026-10", month_count=2, fy_count=0, std_count=0)
    lifted = quota_unmet(
        Quotas(), use, standardization=False, override="agreed", actor_role="prefecture"
    )
    assert lifted == []


def test_a_consultant_override_does_not_lift_the_monthly_cap_and_says_so() -> None:
    unmet = plan("consultant", override="the town asked", month_count=2)
    assert unmet == (
        replace(MONTHLY, reason=MONTHLY.reason + "; a consultant's override does not count"),
    )


def test_a_blank_override_is_no_override() -> None:
    assert plan("lead", override="  ", month_count=2) == (MONTHLY,)


def test_the_cap_follows_the_prefecture_setting() -> None:
    quotas = Quotas(monthly_cap=3)
    assert plan(quotas=quotas, month_count=2) == ()
    assert plan(quotas=quotas, month_count=3) == (
        Unmet(
            "monthly cap: engagement 3 already has 3 of 3 dispatches in 2026-10; "
            "a fourth needs an override, with its reason, by the lead or the prefecture",
            field="override",
        ),
    )


# -- the fiscal-year quotas (hard) --------------------------------------------------


def test_the_470th_dispatch_is_accepted_and_the_471st_refused() -> None:
    assert plan(fy_count=469) == ()
    assert plan(fy_count=470) == (FISCAL_YEAR,)


@pytest.mark.parametrize("role", ["lead", "consultant", "prefecture"])
def test_nobody_overrides_the_fiscal_year_quota(role: str) -> None:
    assert plan(role, override="urgent", fy_count=470) == (FISCAL_YEAR,)


def test_the_361st_standardisation_dispatch_is_accepted_with_a_note() -> None:
    # 360 is a target (うち標準化支援360回を見込む), not a limit: past it, a warning.
    std = {"standardization": True}
    assert plan(data=std, std_count=359) == ()
    assert plan(data=std, std_count=360) == ()
    use = replace(USE, std_count=359)
    assert quota_notes(Quotas(), use, standardization=True) == []
    (note,) = quota_notes(Quotas(), replace(USE, std_count=360), standardization=True)
    assert note.startswith("standardisation target passed: 361 standardisation dispatches")
    assert quota_notes(Quotas(), replace(USE, std_count=360), standardization=False) == []


def test_a_standardisation_dispatch_is_refused_only_by_the_budget() -> None:
    unmet = plan(data={"standardization": True}, fy_count=470, std_count=360)
    assert [u.field for u in unmet] == ["total"]


def test_quotas_follow_the_budget() -> None:
    assert plan(quotas=Quotas(total=500), fy_count=470) == ()


def test_quota_defaults_follow_the_spec() -> None:
    assert Quotas() == Quotas(total=470, standardization=360, monthly_cap=2)


@pytest.mark.parametrize(
    ("n", "word"), [(1, "first"), (3, "third"), (9, "9th"), (11, "11th"), (22, "22nd")]
)
def test_ordinals(n: int, word: str) -> None:
    assert ordinal(n) == word


@pytest.mark.parametrize("facts", [None, CONSULTANT], ids=["none", "another-type"])
def test_missing_facts_are_a_programming_error(facts: object) -> None:
    with pytest.raises(TypeError, match="DispatchFacts"):
        D.check_create(DATA, ctx("lead", facts=facts))


# -- after planning ---------------------------------------------------------------


def view(state: str, **data: Any) -> RecordView:
    return RecordView(kind="dispatch", id=11, state=state, version=1, data={**DATA, **data})


def test_record_before_the_dispatch_is_refused() -> None:
    with pytest.raises(TransitionRefused) as caught:
        D.check(view("confirmed"), "record", ctx("consultant", {"summary": "訪問"}))
    assert caught.value.unmet == (
        Unmet(
            "the dispatch is at 2026-10-22 14:00+09:00, still to come "
            "(record it once it has taken place; now is 2026-10-09 09:00+09:00)"
        ),
    )


def test_record_at_or_after_the_dispatch() -> None:
    for now in (VISIT, VISIT + timedelta(hours=3)):
        payload = {"summary": "訪問しました", "hours": 2.5}
        record = view("confirmed")
        assert D.check(record, "record", ctx("lead", payload, now=now)).dest == "held"
        assert D.next_state(record, "record") == "held"


@pytest.mark.parametrize("hours", [0, -1, True, "2"])
def test_record_refuses_odd_hours_and_an_empty_summary(hours: object) -> None:
    with pytest.raises(TransitionRefused) as caught:
        D.check(view("confirmed"), "record", ctx("lead", {"hours": hours}, now=VISIT))
    assert caught.value.unmet == (
        Unmet("the summary is empty", field="summary"),
        Unmet(f"the hours must be more than 0, not {hours!r}", field="hours"),
    )


def test_a_planned_dispatch_is_confirmed_before_it_is_recorded() -> None:
    assert D.check(view("planned"), "confirm", ctx("consultant")).dest == "confirmed"
    assert D.next_state(view("planned"), "confirm") == "confirmed"
    with pytest.raises(TransitionRefused) as caught:
        D.check(view("planned"), "record", ctx("lead", {"summary": "x"}, now=VISIT))
    assert caught.value.unmet == ()
    assert str(caught.value) == (
        "dispatch 11 is planned (予定): record refused, record is not allowed from this state "
        "(allowed now: cancel, confirm, reassign)"
    )


@pytest.mark.parametrize("role", ["lead", "consultant", "prefecture"])
def test_cancel_with_a_reason(role: str) -> None:
    assert D.check(view("planned"), "cancel", ctx(role, {"reason": "台風"})).dest == "cancelled"
    assert D.next_state(view("confirmed"), "cancel") == "cancelled"
    with pytest.raises(TransitionRefused) as caught:
        D.check(view("confirmed"), "cancel", ctx(role))
    assert caught.value.unmet == (Unmet("the reason is empty", field="reason"),)


@pytest.mark.parametrize(
    "at",
    [
        datetime(2027, 4, 12, 1, tzinfo=UTC),
        datetime(2025, 6, 2, 1, tzinfo=UTC),
        datetime(2026, 3, 31, 23, tzinfo=UTC),  # 2026-04-01 08:00 in Tokyo: inside
    ],
)
def test_a_dispatch_must_fall_inside_the_contract(at: datetime) -> None:
    inside = date(2026, 4, 1) <= (at + timedelta(hours=9)).date() <= date(2027, 3, 31)
    unmet = plan(data={**DATA, "at": at})
    assert (unmet == ()) is inside
    if not inside:
        (outside,) = unmet
        assert outside.field == "at"
        assert "outside the contract (2026-04-01 to 2027-03-31)" in outside.reason
