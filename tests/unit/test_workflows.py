"""The programme's workflows against CLI.md's state table and the spec's rules.

No I/O: records and contexts are built by hand, facts are what the use case
would compute inside its transaction.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from banso.engine.errors import CreationRefused, PermissionDenied, TransitionRefused
from banso.engine.workflow import Actor, GuardContext, RecordView, WorkflowDefinition
from banso.workflows import (
    DEFINITIONS,
    DELIVERABLE_KINDS,
    MEETING_KINDS,
    consultation,
    deliverable,
    engagement,
    meeting,
)
from banso.workflows.roles import ROLE_LABELS, ROLES

NOW = datetime(2026, 10, 9, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
BY_KIND: dict[str, WorkflowDefinition] = {d.kind: d for d in DEFINITIONS}


def who(role: str) -> Actor:
    return Actor(email=f"{role}@example.jp", role=role)


def ctx(
    role: str = "lead",
    payload: Mapping[str, Any] | None = None,
    facts: Mapping[str, Any] | None = None,
    now: datetime = NOW,
) -> GuardContext:
    return GuardContext(actor=who(role), now=now, payload=payload or {}, facts=facts or {})


def view(kind: str, state: str, /, **data: Any) -> RecordView:
    return RecordView(kind=kind, id=3, state=state, version=1, data=data)


def refusal(
    definition: WorkflowDefinition, record: RecordView, trigger: str, context: GuardContext
) -> tuple[str, ...]:
    """The unmet conditions of a trigger that must be refused."""
    with pytest.raises(TransitionRefused) as caught:
        definition.check(record, trigger, context)
    return caught.value.unmet


def has(messages: tuple[str, ...] | list[str], *fragments: str) -> bool:
    """Some message contains every fragment."""
    return any(all(f in m for f in fragments) for m in messages)


# -- the definitions as a whole ------------------------------------------------


def test_the_five_kinds_with_japanese_names() -> None:
    assert {d.kind: d.label for d in DEFINITIONS} == {
        "engagement": "支援案件",
        "dispatch": "専門人材派遣",
        "consultation": "相談",
        "deliverable": "成果物",
        "meeting": "会議",
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
    "deliverable": ["pending", "drafted", "submitted", "approved", "returned"],
    "meeting": ["scheduled", "held", "cancelled"],
}

# (kind, trigger, source, destination); None is an internal transition.
MOVES: list[tuple[str, str, str, str | None]] = [
    ("engagement", "schedule_hearing", "requested", "hearing"),
    ("engagement", "schedule_hearing", "hearing", None),
    ("engagement", "record_hearing", "hearing", None),
    ("engagement", "draft_plan", "hearing", None),
    ("engagement", "approve_plan", "hearing", "plan_approved"),
    ("engagement", "start", "plan_approved", "in_support"),
    ("engagement", "report", "in_support", "reported"),
    ("engagement", "withdraw", "requested", "withdrawn"),
    ("engagement", "withdraw", "hearing", "withdrawn"),
    ("engagement", "withdraw", "plan_approved", "withdrawn"),
    ("engagement", "withdraw", "in_support", "withdrawn"),
    ("consultation", "assign", "received", "assigned"),
    ("consultation", "answer", "assigned", "answered"),
    ("consultation", "close", "answered", "closed"),
    ("dispatch", "confirm", "planned", "confirmed"),
    ("dispatch", "record", "confirmed", "held"),
    ("dispatch", "cancel", "planned", "cancelled"),
    ("dispatch", "cancel", "confirmed", "cancelled"),
    ("deliverable", "draft", "pending", "drafted"),
    ("deliverable", "submit", "drafted", "submitted"),
    ("deliverable", "approve", "submitted", "approved"),
    ("deliverable", "send_back", "submitted", "returned"),
    ("deliverable", "draft", "returned", "drafted"),
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
        ("deliverable", "approved"),
        ("meeting", "held"),
        ("meeting", "cancelled"),
    ],
)
def test_final_states_allow_nothing(kind: str, state: str) -> None:
    assert BY_KIND[kind].allowed(state) == []


# Who may fire what (DOMAIN.md "Who is involved").
ROLES_OF: list[tuple[str, str, set[str]]] = [
    ("engagement", "create", {"lead", "prefecture"}),
    ("engagement", "schedule_hearing", {"lead"}),
    ("engagement", "record_hearing", {"lead", "consultant"}),
    ("engagement", "draft_plan", {"lead", "consultant"}),
    ("engagement", "approve_plan", {"prefecture"}),
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

GOOD_CONSULTANT: dict[str, Any] = {
    "consultant_role": "consultant",
    "consultant_active": True,
    "subcontractor": None,
    "subcontractor_approved": False,
    "assigned_consultant_id": None,
    "assigned_consultant": None,
}
HEARING_AT = datetime(2026, 10, 20, 1, 0, tzinfo=UTC)


def schedule(override: str | None = None, **facts: Any) -> GuardContext:
    return ctx(
        "lead",
        payload={"at": HEARING_AT, "consultant_id": 7, "override": override},
        facts={**GOOD_CONSULTANT, **facts},
    )


@pytest.mark.parametrize("state", ["requested", "hearing"])
def test_schedule_hearing_with_a_free_consultant(state: str) -> None:
    assert E.check(view("engagement", state), "schedule_hearing", schedule()).trigger == (
        "schedule_hearing"
    )


def test_schedule_hearing_needs_a_time_and_a_consultant() -> None:
    unmet = refusal(E, view("engagement", "requested"), "schedule_hearing", ctx("lead"))
    assert len(unmet) == 2
    assert has(unmet, "--at DATETIME") and has(unmet, "--consultant EMAIL")


def test_schedule_hearing_refuses_a_naive_time() -> None:
    payload = {"at": datetime(2026, 10, 20, 10, 0), "consultant_id": 7, "override": None}
    unmet = refusal(
        E,
        view("engagement", "requested"),
        "schedule_hearing",
        ctx("lead", payload=payload, facts=GOOD_CONSULTANT),
    )
    assert has(unmet, "--at DATETIME")


def test_schedule_hearing_lists_every_problem_with_the_person() -> None:
    context = schedule(
        consultant_role="lead",
        consultant_active=False,
        subcontractor="Kibi Data",
        subcontractor_approved=False,
        assigned_consultant_id=5,
        assigned_consultant="alice@example.jp",
    )
    unmet = refusal(E, view("engagement", "requested"), "schedule_hearing", context)
    assert len(unmet) == 4
    assert has(unmet, "person 7", "not a consultant")
    assert has(unmet, "person 7", "inactive")
    assert (
        "subcontractor Kibi Data has no written approval from the prefecture "
        "(subcontractor approve)"
    ) in unmet
    assert (
        "org×theme is served by alice@example.jp; a different consultant needs --override REASON"
    ) in unmet


def test_an_unknown_person_is_said_once() -> None:
    unmet = refusal(
        E,
        view("engagement", "requested"),
        "schedule_hearing",
        schedule(consultant_role=None, consultant_active=False),
    )
    assert unmet == ("person 7 is not known to Banso (person add --role consultant)",)


def test_an_approved_subcontractor_may_serve() -> None:
    context = schedule(subcontractor="Kibi Data", subcontractor_approved=True)
    E.check(view("engagement", "requested"), "schedule_hearing", context)


def test_consistency_same_consultant_needs_no_override() -> None:
    context = schedule(assigned_consultant_id=7, assigned_consultant="bob@example.jp")
    E.check(view("engagement", "requested"), "schedule_hearing", context)


@pytest.mark.parametrize("override", [None, "", "   "])
def test_consistency_another_consultant_without_override(override: str | None) -> None:
    context = schedule(
        override=override, assigned_consultant_id=5, assigned_consultant="alice@example.jp"
    )
    unmet = refusal(E, view("engagement", "hearing"), "schedule_hearing", context)
    assert has(unmet, "alice@example.jp", "--override REASON")


def test_consistency_another_consultant_with_override() -> None:
    context = schedule(
        override="alice is on leave", assigned_consultant_id=5, assigned_consultant="alice@x"
    )
    E.check(view("engagement", "hearing"), "schedule_hearing", context)


def test_only_the_lead_schedules_hearings() -> None:
    with pytest.raises(PermissionDenied):
        E.check(view("engagement", "requested"), "schedule_hearing", ctx("consultant"))


@pytest.mark.parametrize("findings", [None, "", "  \n"])
def test_record_hearing_needs_findings(findings: str | None) -> None:
    unmet = refusal(
        E,
        view("engagement", "hearing"),
        "record_hearing",
        ctx("consultant", payload={"findings": findings}),
    )
    assert unmet == ("the findings are empty (record-hearing --findings TEXT)",)


def test_record_hearing_with_findings() -> None:
    E.check(
        view("engagement", "hearing"),
        "record_hearing",
        ctx("consultant", payload={"findings": "紙の申請が多い"}),
    )


def test_draft_plan_needs_the_hearing_and_goals() -> None:
    unmet = refusal(E, view("engagement", "hearing"), "draft_plan", ctx("consultant"))
    assert len(unmet) == 2
    assert "the hearing is not recorded (record-hearing --findings TEXT)" in unmet
    assert has(unmet, "goals", "--goals TEXT")


@pytest.mark.parametrize("n", [-1, True, "3", 1.5])
def test_draft_plan_refuses_odd_planned_dispatches(n: object) -> None:
    record = view("engagement", "hearing", findings="課題あり")
    payload = {"goals": "書かない窓口", "planned_dispatches": n}
    unmet = refusal(E, record, "draft_plan", ctx("lead", payload=payload))
    assert has(unmet, "--planned-dispatches N")


@pytest.mark.parametrize("n", [None, 0, 12])
def test_draft_plan_accepts_planned_dispatches(n: int | None) -> None:
    record = view("engagement", "hearing", findings="課題あり")
    E.check(record, "draft_plan", ctx("lead", payload={"goals": "目標", "planned_dispatches": n}))


def test_approve_plan_on_a_bare_engagement_says_all_three() -> None:
    unmet = refusal(E, view("engagement", "hearing"), "approve_plan", ctx("prefecture"))
    assert unmet == (
        "the hearing is not recorded (record-hearing --findings TEXT)",
        "the support plan is not drafted (draft-plan --goals TEXT)",
        "no consultant is chosen (schedule-hearing --at DATETIME --consultant EMAIL)",
    )


def test_approve_plan_when_complete() -> None:
    record = view("engagement", "hearing", findings="課題", goals="目標", consultant_id=7)
    assert E.check(record, "approve_plan", ctx("prefecture")).dest == "plan_approved"


@pytest.mark.parametrize("role", ["consultant", "lead", "municipal", "system"])
def test_only_the_prefecture_approves_a_plan(role: str) -> None:
    record = view("engagement", "hearing", findings="課題", goals="目標", consultant_id=7)
    with pytest.raises(PermissionDenied):
        E.check(record, "approve_plan", ctx(role))


def test_approve_plan_from_requested_is_not_a_guard_matter() -> None:
    unmet = refusal(E, view("engagement", "requested"), "approve_plan", ctx("prefecture"))
    assert unmet == ()


def test_start_after_approval() -> None:
    assert E.check(view("engagement", "plan_approved"), "start", ctx("lead")).dest == "in_support"


def test_report_lists_outcome_held_and_open_dispatches() -> None:
    context = ctx("consultant", facts={"held_dispatches": 0, "open_dispatches": [4, 7]})
    unmet = refusal(E, view("engagement", "in_support"), "report", context)
    assert len(unmet) == 3
    assert has(unmet, "outcome", "--outcome TEXT")
    assert has(unmet, "no dispatch has been held")
    assert has(unmet, "dispatches 4, 7 are still planned or confirmed")


def test_report_after_held_dispatches() -> None:
    context = ctx(
        "lead", payload={"outcome": "窓口改善"}, facts={"held_dispatches": 3, "open_dispatches": []}
    )
    assert E.check(view("engagement", "in_support"), "report", context).dest == "reported"


def test_withdraw_needs_a_reason_and_no_open_dispatch() -> None:
    context = ctx("prefecture", facts={"open_dispatches": [9]})
    unmet = refusal(E, view("engagement", "in_support"), "withdraw", context)
    assert len(unmet) == 2
    assert has(unmet, "--reason TEXT")
    assert has(unmet, "dispatch 9 is still planned or confirmed")


def test_withdraw_with_a_reason() -> None:
    context = ctx("lead", payload={"reason": "辞退"}, facts={"open_dispatches": []})
    assert E.check(view("engagement", "requested"), "withdraw", context).dest == "withdrawn"


def test_a_reported_engagement_cannot_be_withdrawn() -> None:
    context = ctx("lead", payload={"reason": "x"}, facts={"open_dispatches": []})
    assert refusal(E, view("engagement", "reported"), "withdraw", context) == ()


# -- consultation ----------------------------------------------------------------

C = consultation.DEFINITION


def test_the_prefecture_receives_consultations() -> None:
    C.check_create({"topic": "RPA"}, ctx("prefecture"))
    with pytest.raises(PermissionDenied):
        C.check_create({"topic": "RPA"}, ctx("lead"))


def test_assign_checks_the_person_but_not_consistency() -> None:
    facts = {
        **GOOD_CONSULTANT,
        "assigned_consultant_id": 5,
        "assigned_consultant": "alice@example.jp",
    }
    C.check(
        view("consultation", "received"), "assign", ctx("prefecture", {"consultant_id": 7}, facts)
    )


def test_assign_refuses_an_unapproved_subcontractor_and_a_municipal_person() -> None:
    facts = {
        **GOOD_CONSULTANT,
        "consultant_role": "municipal",
        "subcontractor": "Kibi Data",
        "subcontractor_approved": False,
    }
    unmet = refusal(
        C, view("consultation", "received"), "assign", ctx("lead", {"consultant_id": 7}, facts)
    )
    assert len(unmet) == 2
    assert has(unmet, "municipal", "not a consultant")
    assert has(unmet, "subcontractor Kibi Data")


def test_assign_needs_a_consultant() -> None:
    unmet = refusal(C, view("consultation", "received"), "assign", ctx("lead"))
    assert has(unmet, "--consultant EMAIL")


def test_answer_needs_a_known_channel_and_a_summary() -> None:
    unmet = refusal(
        C, view("consultation", "assigned"), "answer", ctx("consultant", {"channel": "fax"})
    )
    assert len(unmet) == 2
    assert has(unmet, "'fax'", "mail, web, phone")
    assert has(unmet, "--summary TEXT")


@pytest.mark.parametrize("channel", ["mail", "web", "phone"])
def test_answer_by_each_channel(channel: str) -> None:
    payload = {"channel": channel, "summary": "回答しました"}
    C.check(view("consultation", "assigned"), "answer", ctx("consultant", payload))


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
    assert unmet == ("the reason is empty (deliverable return ID --reason TEXT)",)
    D.check(view("deliverable", "submitted"), "send_back", ctx("prefecture", {"reason": "誤字"}))


def test_the_system_drafts_but_only_the_lead_submits() -> None:
    D.check(view("deliverable", "pending"), "draft", ctx("system"))
    with pytest.raises(PermissionDenied):
        D.check(view("deliverable", "drafted"), "submit", ctx("system"))
    with pytest.raises(PermissionDenied):
        D.check(view("deliverable", "submitted"), "approve", ctx("lead"))


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
        "the meeting kind 'party' is not one of kickoff, monthly, hearing, report",
    )


def test_one_monthly_meeting_a_month() -> None:
    data = {"kind": "monthly", "month": "2026-10", "at": OCT_MEETING}
    with pytest.raises(CreationRefused) as caught:
        M.check_create(data, ctx("lead", facts={"monthly_meetings_in_month": [5]}))
    assert caught.value.unmet == (
        "a monthly regular meeting for 2026-10 already exists (meeting 5)",
    )
    M.check_create(data, ctx("lead", facts={"monthly_meetings_in_month": []}))


def test_a_report_meeting_is_not_refused_for_unreported_engagements() -> None:
    data = {"kind": "report", "month": "2027-03", "at": OCT_MEETING}
    M.check_create(data, ctx("prefecture", facts={"unreported_engagements": [3, 8]}))


def test_a_kickoff_needs_no_facts() -> None:
    M.check_create({"kind": "kickoff", "month": "2026-04", "at": OCT_MEETING}, ctx("lead"))


def test_hold_needs_minutes_and_a_meeting_that_has_happened() -> None:
    record = view("meeting", "scheduled", kind="monthly", at=OCT_MEETING)
    unmet = refusal(M, record, "hold", ctx("lead"))
    assert len(unmet) == 2
    assert has(unmet, "--minutes TEXT")
    assert has(unmet, "2026-10-15 14:00+09:00", "still to come")
    later = ctx("lead", {"minutes": "議事録"}, now=OCT_MEETING + timedelta(hours=2))
    assert M.check(record, "hold", later).dest == "held"


def test_cancel_a_meeting_needs_a_reason() -> None:
    record = view("meeting", "scheduled", kind="monthly", at=OCT_MEETING)
    assert has(refusal(M, record, "cancel", ctx("prefecture")), "--reason TEXT")
