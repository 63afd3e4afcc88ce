"""The programme's workflows against CLI.md's state table and the spec's rules.

No I/O: records and contexts are built by hand, facts are what the use case
would compute inside its transaction.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from banso.engine.errors import CreationRefused, PermissionDenied, TransitionRefused, Unmet
from banso.engine.workflow import Actor, Guard, GuardContext, RecordView, WorkflowDefinition
from banso.workflows import (
    DEFINITIONS,
    DELIVERABLE_KINDS,
    MEETING_KINDS,
    Quotas,
    consultation,
    deliverable,
    dispatch,
    engagement,
    meeting,
    worklog,
)
from banso.workflows.dispatch import DispatchFacts
from banso.workflows.engagement import DispatchTally
from banso.workflows.meeting import MonthlyMeetingFacts
from banso.workflows.people_rules import ConsultantFacts
from banso.workflows.quotas import QuotaUse
from banso.workflows.roles import ROLE_LABELS, ROLES

NOW = datetime(2026, 10, 9, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
BY_KIND: dict[str, WorkflowDefinition] = {d.kind: d for d in DEFINITIONS}


def who(role: str) -> Actor:
    return Actor(email=f"{role}@example.jp", role=role)


def ctx(
    role: str = "lead",
    payload: Mapping[str, Any] | None = None,
    facts: object = None,
    now: datetime = NOW,
) -> GuardContext:
    return GuardContext(actor=who(role), now=now, payload=payload or {}, facts=facts)


def view(kind: str, state: str, /, **data: Any) -> RecordView:
    return RecordView(kind=kind, id=3, state=state, version=1, data=data)


def refusal(
    definition: WorkflowDefinition, record: RecordView, trigger: str, context: GuardContext
) -> tuple[Unmet, ...]:
    """The unmet conditions of a trigger that must be refused."""
    with pytest.raises(TransitionRefused) as caught:
        definition.check(record, trigger, context)
    return caught.value.unmet


def moves_to(
    definition: WorkflowDefinition, record: RecordView, trigger: str, context: GuardContext
) -> str:
    """The state ``trigger`` takes ``record`` to, once its role and guards let it through."""
    transition = definition.check(record, trigger, context)
    state = definition.next_state(record, trigger)
    assert state == (transition.dest or record.state)
    return state


def created_in(
    definition: WorkflowDefinition, data: Mapping[str, Any], context: GuardContext
) -> str:
    """The state a new record starts in, once the creation role and guards let it through."""
    definition.check_create(data, context)
    return definition.initial


def has(unmet: tuple[Unmet, ...], *fragments: str, field: str | None = None) -> bool:
    """Some condition's reason contains every fragment (and names ``field``, if given)."""
    return any(
        all(f in u.reason for f in fragments) and (field is None or u.field == field) for u in unmet
    )


# -- the definitions as a whole ------------------------------------------------


def test_the_kinds_with_japanese_names() -> None:
    assert {d.kind: d.label for d in DEFINITIONS} == {
        "engagement": "支援案件",
        "dispatch": "専門人材派遣",
        "consultation": "相談",
        "deliverable": "成果物",
        "meeting": "会議",
        "work": "調査・資料作成",
    }


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: d.kind)
def test_every_state_and_trigger_has_a_japanese_label(definition: WorkflowDefinition) -> None:
    for state in definition.states.values():
        assert JAPANESE.search(state.label), state
    labels: dict[str, set[str]] = {}
    for t in definition.transitions:
        assert JAPANESE.search(t.label), t.trigger
        labels.setdefault(t.trigger, set()).add(t.label)
    # a trigger declared from several sources is still called one thing
    assert all(len(names) == 1 for names in labels.values()), labels


def test_roles_and_their_japanese_names() -> None:
    assert ROLES == ("prefecture", "lead", "consultant", "municipal", "system")
    assert ROLE_LABELS == {
        "prefecture": "県",
        "lead": "プロジェクト責任者",
        "consultant": "専門人材",
        "municipal": "市町村担当",
        "system": "システム",
    }


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: d.kind)
def test_roles_named_by_transitions_are_banso_roles(definition: WorkflowDefinition) -> None:
    named = set(definition.create_roles)
    for t in definition.transitions:
        assert t.roles, f"{definition.kind}.{t.trigger} must say who may fire it"
        named |= set(t.roles)
    assert named <= set(ROLES)


# CLI.md "States": the states in order, then the others.
STATE_ORDER = {
    "engagement": ["requested", "hearing", "plan_approved", "in_support", "reported", "withdrawn"],
    "consultation": ["received", "assigned", "answered", "closed"],
    "dispatch": ["planned", "confirmed", "held", "cancelled"],
    "deliverable": ["pending", "drafted", "submitted", "approved", "returned", "received",
                    "inspected"],
    "meeting": ["scheduled", "held", "cancelled"],
}

# (kind, trigger, source, destination); None is an internal transition.
MOVES: list[tuple[str, str, str, str | None]] = [
    *(("engagement", t, s, None) for t in ("propose_expert", "agree_expert")
      for s in ("requested", "hearing", "plan_approved", "in_support")),
    ("engagement", "schedule_hearing", "requested", "hearing"),
    ("engagement", "schedule_hearing", "hearing", None),
    ("engagement", "record_hearing", "hearing", None),
    ("engagement", "draft_plan", "hearing", None),
    ("engagement", "approve_plan", "hearing", "plan_approved"),
    ("engagement", "revise_plan", "plan_approved", None),
    ("engagement", "revise_plan", "in_support", None),
    ("engagement", "start", "plan_approved", "in_support"),
    ("engagement", "report", "in_support", "reported"),
    ("engagement", "withdraw", "requested", "withdrawn"),
    ("engagement", "withdraw", "hearing", "withdrawn"),
    ("engagement", "withdraw", "plan_approved", "withdrawn"),
    ("engagement", "withdraw", "in_support", "withdrawn"),
    ("consultation", "assign", "received", "assigned"),
    ("consultation", "assign", "assigned", None),
    ("consultation", "answer", "assigned", "answered"),
    ("consultation", "close", "answered", "closed"),
    ("dispatch", "confirm", "planned", "confirmed"),
    ("dispatch", "record", "confirmed", "held"),
    ("dispatch", "cancel", "planned", "cancelled"),
    ("dispatch", "reassign", "planned", None),
    ("dispatch", "reassign", "confirmed", None),
    ("dispatch", "cancel", "confirmed", "cancelled"),
    ("deliverable", "draft", "pending", "drafted"),
    ("deliverable", "submit", "drafted", "submitted"),
    ("deliverable", "approve", "submitted", "approved"),
    ("deliverable", "send_back", "submitted", "returned"),
    ("deliverable", "receive", "submitted", "received"),
    ("deliverable", "inspect", "submitted", "inspected"),
    ("deliverable", "draft", "returned", "drafted"),
    *(("deliverable", "submit_plan", s, "submitted")
      for s in ("pending", "drafted", "returned", "submitted", "approved")),
    ("meeting", "hold", "scheduled", "held"),
    ("meeting", "cancel", "scheduled", "cancelled"),
]

INITIAL = {
    "engagement": "requested",
    "consultation": "received",
    "dispatch": "planned",
    "deliverable": "pending",
    "meeting": "scheduled",
}


@pytest.mark.parametrize("kind", sorted(STATE_ORDER))
def test_states_in_the_cli_order_and_initial(kind: str) -> None:
    assert list(BY_KIND[kind].states) == STATE_ORDER[kind]
    assert BY_KIND[kind].initial == INITIAL[kind]


@pytest.mark.parametrize(("kind", "trigger", "source", "dest"), MOVES)
def test_each_move_of_the_state_table(
    kind: str, trigger: str, source: str, dest: str | None
) -> None:
    definition = BY_KIND[kind]
    transition = definition.transition_for(trigger, source)
    assert transition is not None
    assert transition.dest == dest
    assert definition.next_state(view(kind, source), trigger) == (dest or source)


@pytest.mark.parametrize("kind", sorted(STATE_ORDER))
def test_no_move_beyond_the_state_table(kind: str) -> None:
    declared = {(t.trigger, src) for t in BY_KIND[kind].transitions for src in t.source}
    assert declared == {(trig, src) for (k, trig, src, _) in MOVES if k == kind}


@pytest.mark.parametrize(
    ("kind", "state"),
    [
        ("engagement", "reported"),
        ("engagement", "withdrawn"),
        ("consultation", "closed"),
        ("dispatch", "held"),
        ("dispatch", "cancelled"),
        ("meeting", "held"),
        ("meeting", "cancelled"),
    ],
)
def test_final_states_allow_nothing(kind: str, state: str) -> None:
    assert BY_KIND[kind].allowed(state) == []


def test_an_approved_deliverable_moves_only_as_a_support_plan_with_a_new_section() -> None:
    assert BY_KIND["deliverable"].allowed("approved") == ["submit_plan"]


# Who may fire what (DOMAIN.md "Who is involved").
ROLES_OF: list[tuple[str, str, set[str]]] = [
    ("engagement", "create", {"lead", "prefecture"}),
    ("engagement", "schedule_hearing", {"lead"}),
    ("engagement", "propose_expert", {"lead"}),
    ("engagement", "agree_expert", {"prefecture"}),
    ("engagement", "record_hearing", {"lead", "consultant"}),
    ("engagement", "draft_plan", {"lead", "consultant"}),
    ("engagement", "approve_plan", {"prefecture"}),
    ("engagement", "revise_plan", {"prefecture"}),
    ("engagement", "start", {"lead"}),
    ("engagement", "report", {"lead", "consultant"}),
    ("engagement", "withdraw", {"lead", "prefecture"}),
    ("dispatch", "create", {"lead", "consultant", "prefecture"}),
    ("dispatch", "confirm", {"lead", "consultant"}),
    ("dispatch", "record", {"lead", "consultant"}),
    ("dispatch", "cancel", {"lead", "consultant", "prefecture"}),
    ("consultation", "create", {"prefecture"}),
    ("consultation", "assign", {"lead", "prefecture"}),
    ("consultation", "answer", {"consultant", "lead"}),
    ("consultation", "close", {"lead", "prefecture"}),
    ("deliverable", "create", {"lead", "system", "prefecture"}),
    ("deliverable", "draft", {"lead", "system"}),
    ("deliverable", "submit", {"lead"}),
    ("deliverable", "approve", {"prefecture"}),
    ("deliverable", "send_back", {"prefecture"}),
    ("deliverable", "receive", {"prefecture"}),
    ("deliverable", "inspect", {"prefecture"}),
    ("deliverable", "submit_plan", {"system"}),
    ("meeting", "create", {"lead", "prefecture"}),
    ("meeting", "hold", {"lead"}),
    ("meeting", "cancel", {"lead", "prefecture"}),
]


@pytest.mark.parametrize(("kind", "trigger", "roles"), ROLES_OF)
def test_who_may_fire_what(kind: str, trigger: str, roles: set[str]) -> None:
    definition = BY_KIND[kind]
    if trigger == "create":
        assert set(definition.create_roles) == roles
        return
    for t in definition.transitions:
        if t.trigger == trigger:
            assert set(t.roles) == roles


# -- engagement ------------------------------------------------------------------

E = engagement.DEFINITION

GOOD_CONSULTANT = ConsultantFacts(role="consultant", active=True)
HEARING_AT = datetime(2026, 10, 20, 1, 0, tzinfo=UTC)


def agreed(state: str) -> RecordView:
    """An engagement whose consultant 7 the prefecture has agreed to (§6(2)①)."""
    return view("engagement", state, agreed_consultant_id=7)


def schedule(override: str | None = None, facts: ConsultantFacts = GOOD_CONSULTANT) -> GuardContext:
    return ctx(
        "lead",
        payload={"at": HEARING_AT, "consultant_id": 7, "override": override},
        facts=facts,
    )


@pytest.mark.parametrize(("state", "dest"), [("requested", "hearing"), ("hearing", "hearing")])
def test_schedule_hearing_with_a_free_consultant(state: str, dest: str) -> None:
    assert moves_to(E, agreed(state), "schedule_hearing", schedule()) == dest


def test_schedule_hearing_needs_a_time_and_a_consultant() -> None:
    unmet = refusal(E, agreed("requested"), "schedule_hearing", ctx("lead"))
    assert unmet == (
        Unmet("the hearing time is missing", field="at"),
        Unmet("no consultant is named", field="consultant_id"),
    )


def test_schedule_hearing_refuses_a_naive_time() -> None:
    payload = {"at": datetime(2026, 10, 20, 10, 0), "consultant_id": 7, "override": None}
    unmet = refusal(
        E,
        agreed("requested"),
        "schedule_hearing",
        ctx("lead", payload=payload, facts=GOOD_CONSULTANT),
    )
    assert unmet == (Unmet("the hearing time is missing", field="at"),)


def test_schedule_hearing_lists_every_problem_with_the_person() -> None:
    facts = ConsultantFacts(
        role="lead",
        active=False,
        subcontractor="Kibi Data",
        subcontractor_approved=False,
        assigned_consultant_id=5,
        assigned_consultant="alice@example.jp",
    )
    unmet = refusal(E, agreed("requested"), "schedule_hearing", schedule(facts=facts))
    assert len(unmet) == 4
    assert has(unmet, "person 7", "not a consultant", field="consultant_id")
    assert has(unmet, "person 7", "inactive", field="consultant_id")
    assert (
        Unmet(
            "subcontractor Kibi Data has no written approval from the prefecture",
            remedy="approve_subcontractor",
        )
        in unmet
    )
    assert (
        Unmet(
            "org×theme is served by alice@example.jp; "
            "a different consultant needs an override, with its reason",
            field="override",
        )
        in unmet
    )


def test_a_person_is_named_by_e_mail_when_known() -> None:
    facts = replace(GOOD_CONSULTANT, email="bob@example.jp", active=False)
    unmet = refusal(E, agreed("requested"), "schedule_hearing", schedule(facts=facts))
    assert unmet == (
        Unmet("bob@example.jp is inactive; choose an active consultant", field="consultant_id"),
    )


def test_an_unknown_person_is_said_once() -> None:
    unknown = ConsultantFacts(role=None, active=False, assigned_consultant_id=5)
    unmet = refusal(E, agreed("requested"), "schedule_hearing", schedule(facts=unknown))
    assert unmet == (
        Unmet("person 7 is not known to Banso", field="consultant_id", remedy="add_consultant"),
    )


def test_an_approved_subcontractor_may_serve() -> None:
    facts = replace(GOOD_CONSULTANT, subcontractor="Kibi Data", subcontractor_approved=True)
    context = schedule(facts=facts)
    assert moves_to(E, agreed("requested"), "schedule_hearing", context) == "hearing"


def test_consistency_same_consultant_needs_no_override() -> None:
    facts = replace(GOOD_CONSULTANT, assigned_consultant_id=7, assigned_consultant="bob@x")
    context = schedule(facts=facts)
    assert moves_to(E, agreed("requested"), "schedule_hearing", context) == "hearing"


@pytest.mark.parametrize("override", [None, "", "   "])
def test_consistency_another_consultant_without_override(override: str | None) -> None:
    facts = replace(GOOD_CONSULTANT, assigned_consultant_id=5, assigned_consultant="alice@x")
    unmet = refusal(E, agreed("hearing"), "schedule_hearing", schedule(override, facts))
    assert has(unmet, "served by alice@x", field="override")


def test_consistency_another_consultant_with_override() -> None:
    facts = replace(GOOD_CONSULTANT, assigned_consultant_id=5, assigned_consultant="alice@x")
    context = schedule("alice is on leave", facts)
    assert moves_to(E, agreed("hearing"), "schedule_hearing", context) == "hearing"


def test_only_the_lead_schedules_hearings() -> None:
    with pytest.raises(PermissionDenied) as denied:
        E.check(agreed("requested"), "schedule_hearing", ctx("consultant"))
    assert (denied.value.trigger, denied.value.kind, denied.value.record_id) == (
        "schedule_hearing",
        "engagement",
        3,
    )
    assert str(denied.value) == (
        "consultant@example.jp may not schedule_hearing engagement 3: only a lead may"
    )


@pytest.mark.parametrize("findings", [None, "", "  \n"])
def test_record_hearing_needs_findings(findings: str | None) -> None:
    unmet = refusal(
        E,
        view("engagement", "hearing"),
        "record_hearing",
        ctx("consultant", payload={"findings": findings}),
    )
    assert unmet == (Unmet("the findings are empty", field="findings"),)


def test_record_hearing_with_findings() -> None:
    context = ctx("consultant", payload={"findings": "紙の申請が多い"})
    assert moves_to(E, view("engagement", "hearing"), "record_hearing", context) == "hearing"


def test_draft_plan_needs_the_hearing_and_goals() -> None:
    unmet = refusal(E, view("engagement", "hearing"), "draft_plan", ctx("consultant"))
    assert unmet == (
        Unmet("the goals are empty", field="goals"),
        Unmet("the hearing is not recorded", field="findings", remedy="record_hearing"),
    )


@pytest.mark.parametrize("n", [-1, True, "3", 1.5])
def test_draft_plan_refuses_odd_planned_dispatches(n: object) -> None:
    record = view("engagement", "hearing", findings="課題あり")
    payload = {"goals": "書かない窓口", "planned_dispatches": n}
    unmet = refusal(E, record, "draft_plan", ctx("lead", payload=payload))
    assert unmet == (
        Unmet(
            f"planned dispatches must be a whole number ≥ 0, not {n!r}",
            field="planned_dispatches",
        ),
    )


@pytest.mark.parametrize("n", [None, 0, 12])
def test_draft_plan_accepts_planned_dispatches(n: int | None) -> None:
    record = view("engagement", "hearing", findings="課題あり")
    context = ctx("lead", payload={"goals": "目標", "planned_dispatches": n})
    assert moves_to(E, record, "draft_plan", context) == "hearing"


def test_approve_plan_on_a_bare_engagement_says_all_three() -> None:
    unmet = refusal(E, view("engagement", "hearing"), "approve_plan", ctx("prefecture"))
    assert unmet == (
        Unmet("the hearing is not recorded", field="findings", remedy="record_hearing"),
        Unmet("the support plan is not drafted", field="goals", remedy="draft_plan"),
        Unmet("no consultant is chosen", field="consultant_id", remedy="schedule_hearing"),
    )


def test_a_refusal_says_it_all_in_plain_words_with_the_trigger_as_data() -> None:
    with pytest.raises(TransitionRefused) as caught:
        E.check(view("engagement", "hearing"), "approve_plan", ctx("prefecture"))
    assert str(caught.value) == (
        "engagement 3 is hearing (ヒアリング): approve_plan refused, unmet: "
        "the hearing is not recorded; the support plan is not drafted; no consultant is chosen "
        "(allowed now: agree_expert, approve_plan, draft_plan, propose_expert, record_hearing, "
        "schedule_hearing, withdraw)"
    )
    assert (caught.value.trigger, caught.value.state, caught.value.state_label) == (
        "approve_plan",
        "hearing",
        "ヒアリング",
    )


def test_a_hearing_needs_the_consultant_agreed_with_the_prefecture() -> None:
    proposed = view("engagement", "requested", proposed_consultant_id=7)
    assert refusal(E, proposed, "schedule_hearing", schedule()) == (
        Unmet("the prefecture has not agreed to person 7 for this engagement yet",
              remedy="agree_expert"),
    )  # fmt: skip
    other = view("engagement", "hearing", agreed_consultant_id=5)
    (unmet,) = refusal(E, other, "schedule_hearing", schedule())
    assert (unmet.field, unmet.remedy) == ("consultant_id", "propose_expert")


def test_the_prefecture_agrees_to_a_proposal_not_to_nobody() -> None:
    assert refusal(E, view("engagement", "requested"), "agree_expert", ctx("prefecture")) == (
        Unmet("no consultant is proposed to the prefecture", remedy="propose_expert"),
    )
    proposed = view("engagement", "in_support", proposed_consultant_id=7)
    assert moves_to(E, proposed, "agree_expert", ctx("prefecture")) == "in_support"
    with pytest.raises(PermissionDenied):
        E.check(proposed, "agree_expert", ctx("lead"))


def test_a_proposal_judges_the_consultant_and_names_an_agreed_one() -> None:
    facts = replace(GOOD_CONSULTANT, email="bob@example.jp", active=False)
    context = ctx("lead", {"proposed_consultant_id": 7}, facts)
    assert [u.reason for u in refusal(E, agreed("requested"), "propose_expert", context)] == [
        "bob@example.jp is inactive; choose an active consultant",
        "bob@example.jp is already agreed for this engagement",
    ]


def test_an_approval_needs_the_agreed_consultant_to_have_held_the_hearing() -> None:
    record = view("engagement", "hearing", findings="課題", goals="目標", consultant_id=7,
                  agreed_consultant_id=5)  # fmt: skip
    (unmet,) = refusal(E, record, "approve_plan", ctx("prefecture"))
    assert unmet.remedy == "schedule_hearing"


def test_a_support_plan_is_approved_with_its_engagement_only() -> None:
    plan = view("deliverable", "submitted", kind="support_plan", engagement_id=3)
    (unmet,) = refusal(D, plan, "approve", ctx("prefecture"))
    assert unmet.remedy == "approve_plan" and "engagement 3" in unmet.reason
    assert moves_to(D, plan, "approve", ctx("prefecture", {"plan_of": 3})) == "approved"


def test_a_report_is_received_or_inspected_not_approved() -> None:
    monthly = view("deliverable", "submitted", kind="monthly_report")
    completion = view("deliverable", "submitted", kind="completion_report")
    chart = view("deliverable", "submitted", kind="org_chart")
    (unmet,) = refusal(D, monthly, "approve", ctx("prefecture"))
    assert unmet.remedy == "receive" and "受領" in unmet.reason
    (unmet,) = refusal(D, completion, "receive", ctx("prefecture"))
    assert unmet.remedy == "inspect"
    (unmet,) = refusal(D, chart, "inspect", ctx("prefecture"))
    assert unmet.remedy == "approve"
    assert moves_to(D, monthly, "receive", ctx("prefecture")) == "received"
    assert moves_to(D, completion, "inspect", ctx("prefecture")) == "inspected"
    assert moves_to(D, chart, "approve", ctx("prefecture")) == "approved"
    with pytest.raises(PermissionDenied):
        D.check(monthly, "receive", ctx("lead"))
    # Received or inspected is final: nothing moves it again.
    assert D.allowed("received") == [] and D.allowed("inspected") == []


def test_approve_plan_when_complete() -> None:
    record = view("engagement", "hearing", findings="課題", goals="目標", consultant_id=7,
                  agreed_consultant_id=7)  # fmt: skip
    assert moves_to(E, record, "approve_plan", ctx("prefecture")) == "plan_approved"


@pytest.mark.parametrize("role", ["consultant", "lead", "municipal", "system"])
def test_only_the_prefecture_approves_a_plan(role: str) -> None:
    record = view("engagement", "hearing", findings="課題", goals="目標", consultant_id=7)
    with pytest.raises(PermissionDenied):
        E.check(record, "approve_plan", ctx(role))


def test_approve_plan_from_requested_is_not_a_guard_matter() -> None:
    unmet = refusal(E, view("engagement", "requested"), "approve_plan", ctx("prefecture"))
    assert unmet == ()


def test_start_after_approval() -> None:
    assert moves_to(E, view("engagement", "plan_approved"), "start", ctx("lead")) == "in_support"


def test_report_lists_outcome_held_and_open_dispatches() -> None:
    context = ctx("consultant", facts=DispatchTally(held=0, open=(4, 7)))
    unmet = refusal(E, view("engagement", "in_support"), "report", context)
    assert unmet == (
        Unmet("the outcome is empty", field="outcome"),
        Unmet("no dispatch has been held yet", remedy="record_dispatch"),
        Unmet(
            "dispatches 4, 7 are still planned or confirmed; "
            "record or cancel them before reporting",
            remedy="settle_dispatches",
        ),
    )


def test_report_after_held_dispatches() -> None:
    context = ctx("lead", payload={"outcome": "窓口改善"}, facts=DispatchTally(held=3))
    assert moves_to(E, view("engagement", "in_support"), "report", context) == "reported"


def test_withdraw_needs_a_reason_and_no_open_dispatch() -> None:
    context = ctx("prefecture", facts=DispatchTally(held=0, open=(9,)))
    unmet = refusal(E, view("engagement", "in_support"), "withdraw", context)
    assert unmet == (
        Unmet("the reason is empty", field="reason"),
        Unmet(
            "dispatch 9 is still planned or confirmed; record or cancel it before withdrawing",
            remedy="settle_dispatches",
        ),
    )


@pytest.mark.parametrize("state", ["requested", "hearing", "plan_approved", "in_support"])
def test_withdraw_with_a_reason(state: str) -> None:
    context = ctx("lead", payload={"reason": "辞退"}, facts=DispatchTally(held=0))
    assert moves_to(E, view("engagement", state), "withdraw", context) == "withdrawn"


def test_a_reported_engagement_cannot_be_withdrawn() -> None:
    context = ctx("lead", payload={"reason": "x"}, facts=DispatchTally(held=1))
    assert refusal(E, view("engagement", "reported"), "withdraw", context) == ()


def test_facts_of_another_type_are_a_programming_error() -> None:
    with pytest.raises(TypeError, match="DispatchTally"):
        E.check(view("engagement", "in_support"), "report", ctx("lead", {"outcome": "x"}))


# -- consultation ----------------------------------------------------------------

C = consultation.DEFINITION


def test_the_prefecture_receives_consultations() -> None:
    assert created_in(C, {"topic": "RPA"}, ctx("prefecture")) == "received"
    with pytest.raises(PermissionDenied) as denied:
        C.check_create({"topic": "RPA"}, ctx("lead"))
    assert (
        str(denied.value) == "lead@example.jp may not create a consultation: only a prefecture may"
    )


def test_assign_checks_the_person_but_not_consistency() -> None:
    facts = replace(GOOD_CONSULTANT, assigned_consultant_id=5, assigned_consultant="alice@x")
    context = ctx("prefecture", {"consultant_id": 7}, facts)
    assert moves_to(C, view("consultation", "received"), "assign", context) == "assigned"


def test_assign_refuses_an_unapproved_subcontractor_and_a_municipal_person() -> None:
    facts = replace(
        GOOD_CONSULTANT, role="municipal", subcontractor="Kibi Data", subcontractor_approved=False
    )
    unmet = refusal(
        C, view("consultation", "received"), "assign", ctx("lead", {"consultant_id": 7}, facts)
    )
    assert len(unmet) == 2
    assert has(unmet, "municipal", "not a consultant", field="consultant_id")
    assert has(unmet, "subcontractor Kibi Data")


def test_assign_needs_a_consultant() -> None:
    unmet = refusal(C, view("consultation", "received"), "assign", ctx("lead"))
    assert unmet == (Unmet("no consultant is named", field="consultant_id"),)


def test_answer_needs_a_known_channel_and_a_summary() -> None:
    unmet = refusal(
        C, view("consultation", "assigned"), "answer", ctx("consultant", {"channel": "fax"})
    )
    assert unmet == (
        Unmet("the channel is 'fax', not one of mail, web, phone", field="channel"),
        Unmet("the summary is empty", field="summary"),
    )


@pytest.mark.parametrize("channel", ["mail", "web", "phone"])
def test_answer_by_each_channel(channel: str) -> None:
    context = ctx("consultant", {"channel": channel, "summary": "回答しました"})
    assert moves_to(C, view("consultation", "assigned"), "answer", context) == "answered"


def test_close_an_answered_consultation() -> None:
    assert moves_to(C, view("consultation", "answered"), "close", ctx("prefecture")) == "closed"


# -- deliverable ----------------------------------------------------------------

D = deliverable.DEFINITION


def test_deliverable_kinds_in_spec_order() -> None:
    assert list(DELIVERABLE_KINDS.items()) == [
        ("org_chart", ("業務実施体制図", True)),
        ("implementation_plan", ("業務実施計画書", False)),
        ("expert_roster", ("専門人材一覧表", False)),
        ("support_plan", ("支援計画書", True)),
        ("monthly_report", ("月次業務報告書", True)),
        ("completion_report", ("業務完了報告書", True)),
    ]


def test_send_back_needs_a_reason() -> None:
    unmet = refusal(D, view("deliverable", "submitted"), "send_back", ctx("prefecture"))
    assert unmet == (Unmet("the reason is empty", field="reason"),)
    context = ctx("prefecture", {"reason": "誤字"})
    assert moves_to(D, view("deliverable", "submitted"), "send_back", context) == "returned"


def test_the_system_drafts_but_only_the_lead_submits() -> None:
    assert moves_to(D, view("deliverable", "pending"), "draft", ctx("system")) == "drafted"
    assert moves_to(D, view("deliverable", "returned"), "draft", ctx("lead")) == "drafted"
    with pytest.raises(PermissionDenied):
        D.check(view("deliverable", "drafted"), "submit", ctx("system"))
    assert moves_to(D, view("deliverable", "drafted"), "submit", ctx("lead")) == "submitted"
    with pytest.raises(PermissionDenied):
        D.check(view("deliverable", "submitted"), "approve", ctx("lead"))
    assert moves_to(D, view("deliverable", "submitted"), "approve", ctx("prefecture")) == (
        "approved"
    )


# -- meeting ---------------------------------------------------------------------

M = meeting.DEFINITION
OCT_MEETING = datetime(2026, 10, 15, 5, 0, tzinfo=UTC)


def test_meeting_kinds() -> None:
    assert MEETING_KINDS == {
        "kickoff": "キックオフ会議",
        "monthly": "定例報告会",
        "hearing": "ヒアリング",
        "report": "事業報告会",
    }


def test_an_unknown_meeting_kind_is_refused_naming_the_kinds() -> None:
    with pytest.raises(CreationRefused) as caught:
        M.check_create({"kind": "party", "month": "2026-10", "at": OCT_MEETING}, ctx("lead"))
    assert caught.value.unmet == (
        Unmet("the meeting kind 'party' is not one of kickoff, monthly, hearing, report", "kind"),
    )
    assert str(caught.value) == (
        "new meeting refused: the meeting kind 'party' is not one of kickoff, monthly, hearing, "
        "report"
    )


def test_one_monthly_meeting_a_month() -> None:
    data = {"kind": "monthly", "month": "2026-10", "at": OCT_MEETING}
    with pytest.raises(CreationRefused) as caught:
        M.check_create(data, ctx("lead", facts=MonthlyMeetingFacts(in_month=(5,))))
    assert caught.value.unmet == (
        Unmet("a monthly regular meeting for 2026-10 already exists (meeting 5)"),
    )
    assert created_in(M, data, ctx("lead", facts=MonthlyMeetingFacts())) == "scheduled"


def test_a_report_meeting_is_not_refused_for_another_meeting_that_month() -> None:
    # Only the monthly regular meeting is one a month; the report meeting may be
    # held while engagements still run, whatever else is scheduled.
    data = {"kind": "report", "month": "2027-03", "at": OCT_MEETING}
    context = ctx("prefecture", facts=MonthlyMeetingFacts(in_month=(3, 8)))
    assert created_in(M, data, context) == "scheduled"


def test_a_kickoff_needs_no_facts() -> None:
    data = {"kind": "kickoff", "month": "2026-04", "at": OCT_MEETING}
    assert created_in(M, data, ctx("lead")) == "scheduled"


def test_hold_needs_minutes_and_a_meeting_that_has_happened() -> None:
    record = view("meeting", "scheduled", kind="monthly", at=OCT_MEETING)
    unmet = refusal(M, record, "hold", ctx("lead"))
    assert len(unmet) == 2
    assert unmet[0] == Unmet("the minutes are empty", field="minutes")
    assert has(unmet, "2026-10-15 14:00+09:00", "still to come")
    later = ctx("lead", {"minutes": "議事録"}, now=OCT_MEETING + timedelta(hours=2))
    assert moves_to(M, record, "hold", later) == "held"


def test_cancel_a_meeting_needs_a_reason() -> None:
    record = view("meeting", "scheduled", kind="monthly", at=OCT_MEETING)
    assert refusal(M, record, "cancel", ctx("prefecture")) == (
        Unmet("the reason is empty", field="reason"),
    )
    assert moves_to(M, record, "cancel", ctx("prefecture", {"reason": "延期"})) == "cancelled"


# -- no command-line words in the engine or the rules ----------------------------

ROOT = Path(__file__).resolve().parents[2]
# A flag (--findings), the command (banso org list) or its environment (BANSO_USER).
CLI_WORDS = re.compile(r"(?<![\w-])--[a-z]|\bbanso |BANSO_")
HYPHENATED_TRIGGER = re.compile(
    "|".join(re.escape(t.replace("_", "-")) for d in DEFINITIONS for t in d.triggers() if "_" in t)
)


def string_constants(folder: str) -> Iterator[tuple[str, int, str]]:
    """Every string literal (f-string parts included) under ``folder``: file, line, text."""
    for path in sorted((ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                yield str(path.relative_to(ROOT)), node.lineno, node.value


@pytest.mark.parametrize("folder", ["engine", "workflows"])
def test_no_string_in_the_engine_or_the_rules_speaks_the_command_line(folder: str) -> None:
    found = [
        (where, line, text)
        for where, line, text in string_constants(folder)
        if CLI_WORDS.search(text) or HYPHENATED_TRIGGER.search(text)
    ]
    assert found == []


# Every refusal the rules can give, each with everything wrong at once.
BAD_PERSON = ConsultantFacts(
    role="municipal",
    active=False,
    email="x@example.jp",
    subcontractor="Kibi Data",
    assigned_consultant_id=5,
    assigned_consultant="alice@example.jp",
)
BAD_DISPATCH = DispatchFacts(
    engagement_state="hearing",
    contract_start=date(2026, 4, 1),
    contract_end=date(2027, 3, 31),
    quotas=Quotas(),
    use=QuotaUse(engagement_id=3, month="2027-04", month_count=2, fy_count=470, std_count=360),
    consultant=BAD_PERSON,
)
LATER = datetime(2027, 4, 12, 1, tzinfo=UTC)
BAD_WORK = worklog.WorkFacts(
    engagement_state="hearing",
    contract_start=date(2026, 4, 1),
    contract_end=date(2027, 3, 31),
    today=date(2026, 6, 1),
)
WORST: list[tuple[WorkflowDefinition, str, RecordView, GuardContext]] = [
    (E, "schedule_hearing", view("engagement", "requested"), ctx("lead")),
    (
        E,
        "schedule_hearing",
        view("engagement", "hearing"),
        ctx("lead", {"consultant_id": 7}, BAD_PERSON),
    ),
    (
        E,
        "schedule_hearing",
        view("engagement", "hearing"),
        ctx("lead", {"consultant_id": 7}, ConsultantFacts(role=None, active=False)),
    ),
    (E, "schedule_hearing", view("engagement", "requested"),
     ctx("lead", {"consultant_id": 7, "at": HEARING_AT}, GOOD_CONSULTANT)),
    (E, "propose_expert", agreed("requested"),
     ctx("lead", {"proposed_consultant_id": 7}, BAD_PERSON)),
    (E, "agree_expert", view("engagement", "requested"), ctx("prefecture")),
    (D, "approve", view("deliverable", "submitted", kind="support_plan", engagement_id=3),
     ctx("prefecture")),
    (D, "receive", view("deliverable", "submitted", kind="org_chart"), ctx("prefecture")),
    (D, "inspect", view("deliverable", "submitted", kind="monthly_report"), ctx("prefecture")),
    (E, "record_hearing", view("engagement", "hearing"), ctx("lead")),
    (E, "draft_plan", view("engagement", "hearing"), ctx("lead", {"planned_dispatches": -1})),
    (E, "approve_plan", view("engagement", "hearing"), ctx("prefecture")),
    (E, "revise_plan", view("engagement", "in_support"), ctx("prefecture")),
    (E, "report", view("engagement", "in_support"), ctx("lead", facts=DispatchTally(0, (4,)))),
    (E, "withdraw", view("engagement", "in_support"), ctx("lead", facts=DispatchTally(0, (4,)))),
    (C, "assign", view("consultation", "received"), ctx("lead")),
    (C, "assign", view("consultation", "received"), ctx("lead", {"consultant_id": 7}, BAD_PERSON)),
    (C, "answer", view("consultation", "assigned"), ctx("lead", {"channel": "fax"})),
    (
        dispatch.DEFINITION,
        "create",
        view(
            "dispatch",
            "planned",
            engagement_id=3,
            consultant_id=7,
            at=LATER,
            mode="bus",
            month="2027-04",
            standardization=True,
        ),
        ctx("consultant", {"override": "x"}, BAD_DISPATCH),
    ),
    (
        dispatch.DEFINITION,
        "record",
        view("dispatch", "confirmed", at=LATER),
        ctx("lead", {"hours": 0}),
    ),
    (dispatch.DEFINITION, "cancel", view("dispatch", "planned"), ctx("lead")),
    (dispatch.DEFINITION, "reassign", view("dispatch", "planned"),
     ctx("lead", {"consultant_id": 7}, BAD_PERSON)),
    (D, "send_back", view("deliverable", "submitted"), ctx("prefecture")),
    (
        M,
        "create",
        view("meeting", "scheduled", kind="monthly", month="2026-10"),
        ctx("lead", facts=MonthlyMeetingFacts((5, 6))),
    ),
    (M, "create", view("meeting", "scheduled", kind="party"), ctx("lead")),
    (M, "hold", view("meeting", "scheduled", at=LATER), ctx("lead")),
    (M, "cancel", view("meeting", "scheduled"), ctx("lead")),
    (
        worklog.DEFINITION,
        "create",
        view("work", "recorded", engagement_id=3, hours=0, day=date(2027, 4, 12), summary=""),
        ctx("consultant", facts=BAD_WORK),
    ),
    (
        worklog.DEFINITION,
        "create",
        view(
            "work",
            "recorded",
            engagement_id=3,
            hours=25,
            day=date(2026, 6, 2),
            summary="\n".join("一行" for _ in range(6)),
        ),
        ctx("consultant", facts=BAD_WORK),
    ),
]


def guards_of(
    definition: WorkflowDefinition, trigger: str, record: RecordView
) -> tuple[Guard, ...]:
    """The guards of ``trigger`` from the record's state ("create": of a new record)."""
    if trigger == "create":
        return definition.create_guards
    transition = definition.transition_for(trigger, record.state)
    assert transition is not None, (definition.kind, trigger, record.state)
    return transition.guards


@pytest.mark.parametrize(
    ("definition", "trigger", "record", "context"),
    WORST,
    ids=[f"{d.kind}.{t}-{n}" for n, (d, t, _r, _c) in enumerate(WORST)],
)
def test_every_refusal_is_structured_and_in_plain_words(
    definition: WorkflowDefinition, trigger: str, record: RecordView, context: GuardContext
) -> None:
    # What each guard returns, before the definition reads plain text as Unmet.
    answers = [
        c for guard in guards_of(definition, trigger, record) for c in guard(record, context)
    ]
    assert answers, "the worst case must be refused"
    for unmet in answers:
        assert isinstance(unmet, Unmet), unmet
        assert not CLI_WORDS.search(unmet.reason), unmet
        assert not HYPHENATED_TRIGGER.search(unmet.reason), unmet
        for name in (unmet.field, unmet.remedy):
            assert name is None or re.fullmatch(r"[a-z_]+", name), unmet


def test_the_worst_cases_reach_every_guard() -> None:
    reached = {
        guard
        for definition, trigger, record, _context in WORST
        for guard in guards_of(definition, trigger, record)
    }
    declared = {
        guard
        for definition in DEFINITIONS
        for guards in (definition.create_guards, *(t.guards for t in definition.transitions))
        for guard in guards
    }
    assert reached == declared
