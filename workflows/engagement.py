"""支援案件: support for one organisation on one theme (spec §6(2)).

requested → hearing (online hearing, findings, a draft support plan) →
plan_approved (the prefecture agrees the plan and the expert) → in_support
(dispatches) → reported; withdrawn from anywhere before the report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from banso.engine.deadlines import CancelDeadline, MeetDeadline, OpenDeadline
from banso.engine.outbox import Notify
from banso.engine.workflow import GuardContext, RecordView, State, Transition, WorkflowDefinition
from banso.workflows.checks import id_list, is_aware, is_blank, is_whole, needs_text, plural
from banso.workflows.people_rules import consistency_unmet, consultant_unmet
from banso.workflows.roles import CONSULTANT, LEAD, PREFECTURE

KIND = "engagement"

REQUESTED = "requested"
HEARING = "hearing"
PLAN_APPROVED = "plan_approved"
IN_SUPPORT = "in_support"
REPORTED = "reported"
WITHDRAWN = "withdrawn"

HEARING_NOT_RECORDED = "the hearing is not recorded (record-hearing --findings TEXT)"
PLAN_NOT_DRAFTED = "the support plan is not drafted (draft-plan --goals TEXT)"
NO_CONSULTANT = "no consultant is chosen (schedule-hearing --at DATETIME --consultant EMAIL)"


def hearing_can_be_scheduled(record: RecordView, ctx: GuardContext) -> Iterable[str]:
    """A time, and a consultant who may serve this organisation on this theme."""
    unmet: list[str] = []
    if not is_aware(ctx.payload.get("at")):
        unmet.append("the hearing time is missing (--at DATETIME)")
    consultant_id = ctx.payload.get("consultant_id")
    if consultant_id is None:
        # Without a person there are no facts about one to judge.
        unmet.append("no consultant is named (--consultant EMAIL)")
        return unmet
    unmet += consultant_unmet(consultant_id, ctx.facts)
    unmet += consistency_unmet(consultant_id, ctx.facts, ctx.payload.get("override"))
    return unmet


def hearing_is_recorded(record: RecordView, ctx: GuardContext) -> Iterable[str]:
    """A plan rests on the hearing's findings (spec §6(2)②)."""
    return [HEARING_NOT_RECORDED] if is_blank(record.data.get("findings")) else []


def planned_dispatches_valid(record: RecordView, ctx: GuardContext) -> Iterable[str]:
    """The optional number of planned dispatches is a whole number ≥ 0."""
    n = ctx.payload.get("planned_dispatches")
    if n is None or (is_whole(n) and n >= 0):
        return []
    return [f"planned dispatches must be a whole number ≥ 0, not {n!r} (--planned-dispatches N)"]


def plan_is_complete(record: RecordView, ctx: GuardContext) -> Iterable[str]:
    """What the prefecture agrees to: findings, goals and the chosen expert."""
    unmet: list[str] = []
    if is_blank(record.data.get("findings")):
        unmet.append(HEARING_NOT_RECORDED)
    if is_blank(record.data.get("goals")):
        unmet.append(PLAN_NOT_DRAFTED)
    if record.data.get("consultant_id") is None:
        unmet.append(NO_CONSULTANT)
    return unmet


def open_dispatches_unmet(facts: Mapping[str, Any], before: str) -> list[str]:
    """Planned or confirmed dispatches that still hang on the engagement."""
    ids: list[int] = list(facts["open_dispatches"])
    if not ids:
        return []
    noun = plural(len(ids), "dispatch", "dispatches")
    verb = plural(len(ids), "is", "are")
    return [
        f"{noun} {id_list(ids)} {verb} still planned or confirmed (record or cancel "
        f"{plural(len(ids), 'it', 'them')} {before}: dispatch record ID --summary TEXT, "
        f"dispatch cancel ID --reason TEXT)"
    ]


def support_is_done(record: RecordView, ctx: GuardContext) -> Iterable[str]:
    """An outcome rests on at least one held dispatch and none left hanging."""
    unmet: list[str] = []
    if ctx.facts["held_dispatches"] < 1:
        unmet.append("no dispatch has been held yet (dispatch record ID --summary TEXT)")
    unmet += open_dispatches_unmet(ctx.facts, "before reporting")
    return unmet


def nothing_left_open(record: RecordView, ctx: GuardContext) -> Iterable[str]:
    """A withdrawn engagement must not leave visits in the calendar."""
    return open_dispatches_unmet(ctx.facts, "before withdrawing")


HEARING_INVITATION = Notify(
    "hearing_invitation", to=("contact", "consultant"), invitation="request"
)
# A hearing moved to another consultant: the former one gets a CANCEL for it.
HEARING_REASSIGNED = Notify("hearing_reassigned", to=("former_consultant",), invitation="cancel")

DEFINITION = WorkflowDefinition(
    kind=KIND,
    label="支援案件",
    states=[
        State(REQUESTED, "要望受付"),
        State(HEARING, "ヒアリング"),
        State(PLAN_APPROVED, "計画承認済"),
        State(IN_SUPPORT, "支援中"),
        State(REPORTED, "報告済"),
        State(WITHDRAWN, "取下げ"),
    ],
    initial=REQUESTED,
    create_roles=(LEAD, PREFECTURE),
    create_effects=(OpenDeadline("hearing", "ヒアリングの実施", 10),),
    transitions=[
        Transition(
            "schedule_hearing",
            "ヒアリング日程調整",
            (REQUESTED,),
            HEARING,
            guards=(hearing_can_be_scheduled,),
            roles=(LEAD,),
            effects=(HEARING_INVITATION,),
        ),
        # Rescheduling (another time or consultant) keeps the engagement in hearing.
        Transition(
            "schedule_hearing",
            "ヒアリング日程調整",
            (HEARING,),
            None,
            guards=(hearing_can_be_scheduled,),
            roles=(LEAD,),
            effects=(HEARING_INVITATION, HEARING_REASSIGNED),
        ),
        Transition(
            "record_hearing",
            "ヒアリング記録",
            (HEARING,),
            None,
            guards=(
                needs_text("findings", "the findings are empty (record-hearing --findings TEXT)"),
            ),
            roles=(LEAD, CONSULTANT),
            effects=(
                MeetDeadline("hearing"),
                OpenDeadline("plan", "支援計画書の作成", 10, responsible="consultant_id"),
            ),
        ),
        Transition(
            "draft_plan",
            "支援計画作成",
            (HEARING,),
            None,
            guards=(
                needs_text("goals", "the goals are empty (draft-plan --goals TEXT)"),
                planned_dispatches_valid,
                hearing_is_recorded,
            ),
            roles=(LEAD, CONSULTANT),
            effects=(MeetDeadline("plan"), Notify("approval_request", to=("prefecture",))),
        ),
        Transition(
            "approve_plan",
            "支援計画承認",
            (HEARING,),
            PLAN_APPROVED,
            guards=(plan_is_complete,),
            roles=(PREFECTURE,),
        ),
        Transition("start", "支援開始", (PLAN_APPROVED,), IN_SUPPORT, roles=(LEAD,)),
        Transition(
            "report",
            "成果報告",
            (IN_SUPPORT,),
            REPORTED,
            guards=(
                needs_text("outcome", "the outcome is empty (report --outcome TEXT)"),
                support_is_done,
            ),
            roles=(LEAD, CONSULTANT),
            effects=(MeetDeadline("report_before_meeting"),),
        ),
        Transition(
            "withdraw",
            "取下げ",
            (REQUESTED, HEARING, PLAN_APPROVED, IN_SUPPORT),
            WITHDRAWN,
            guards=(
                needs_text("reason", "the reason is empty (withdraw --reason TEXT)"),
                nothing_left_open,
            ),
            roles=(LEAD, PREFECTURE),
            effects=tuple(CancelDeadline(o) for o in ("hearing", "plan", "report_before_meeting")),
        ),
    ],
)
