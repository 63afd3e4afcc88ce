"""支援案件: support for one organisation on one theme (spec §6(2)).

requested → hearing (online hearing, findings, a draft support plan) →
plan_approved (the prefecture approves the plan) → in_support (dispatches) →
reported; withdrawn from anywhere before the report.

The expert is agreed with the prefecture before the hearing (§6(2)① 県と協議の上):
the lead proposes a consultant (``propose_expert``), the prefecture agrees
(``agree_expert``), and a hearing may only be held by the agreed one. The
agreement is a guarded fact on the record (``proposed_consultant_id``,
``agreed_consultant_id``), not a state of its own: it may be given, and given
again for another consultant, in every state before the report (a consultant
replaced during support needs a new agreement too), so a state would have to
be duplicated across the whole workflow.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from banso.engine.deadlines import CancelDeadline, MeetDeadline, OpenDeadline
from banso.engine.errors import Unmet
from banso.engine.outbox import Notify
from banso.engine.phrase import Phrase
from banso.engine.workflow import GuardContext, RecordView, State, Transition, WorkflowDefinition
from banso.workflows.checks import (
    facts_of,
    id_list,
    is_aware,
    is_blank,
    is_whole,
    needs_text,
    plural,
)
from banso.workflows.office_hours import held_in_office_hours
from banso.workflows.people_rules import (
    CONSULTANT_FIELD,
    ConsultantFacts,
    serving_unmet,
)
from banso.workflows.roles import CONSULTANT, LEAD, PREFECTURE

KIND = "engagement"

REQUESTED = "requested"
HEARING = "hearing"
PLAN_APPROVED = "plan_approved"
IN_SUPPORT = "in_support"
REPORTED = "reported"
WITHDRAWN = "withdrawn"

SCHEDULE_HEARING = "schedule_hearing"
RECORD_HEARING = "record_hearing"
DRAFT_PLAN = "draft_plan"
APPROVE_PLAN = "approve_plan"
REVISE_PLAN = "revise_plan"
START = "start"
REPORT = "report"
WITHDRAW = "withdraw"
PROPOSE_EXPERT = "propose_expert"
AGREE_EXPERT = "agree_expert"

PROPOSED_FIELD = "proposed_consultant_id"
AGREED_FIELD = "agreed_consultant_id"

# Remedies on the engagement's dispatches (another kind of record).
RECORD_DISPATCH = "record_dispatch"
SETTLE_DISPATCHES = "settle_dispatches"  # record or cancel each

HEARING_NOT_RECORDED = Unmet("the hearing is not recorded", "findings", RECORD_HEARING)
PLAN_NOT_DRAFTED = Unmet("the support plan is not drafted", "goals", DRAFT_PLAN)
NO_CONSULTANT = Unmet("no consultant is chosen", CONSULTANT_FIELD, SCHEDULE_HEARING)


@dataclass(frozen=True)
class DispatchTally:
    """The engagement's dispatches, as reporting or withdrawing it needs them:
    how many were held, and which are still planned or confirmed."""

    held: int
    open: tuple[int, ...] = ()


def hearing_can_be_scheduled(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
    """A time, and a consultant who may serve this organisation on this theme."""
    unmet: list[Unmet] = []
    if not is_aware(ctx.payload.get("at")):
        unmet.append(Unmet("the hearing time is missing", "at"))
    consultant_id = ctx.payload.get(CONSULTANT_FIELD)
    if consultant_id is None:
        # Without a person there are no facts about one to judge.
        unmet.append(Unmet("no consultant is named", CONSULTANT_FIELD))
        return unmet
    facts = facts_of(ctx, ConsultantFacts)
    return unmet + serving_unmet(consultant_id, facts, ctx.payload.get("override"))


def expert_is_agreed(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
    """Only the consultant the prefecture agreed to may hold the hearing (§6(2)①)."""
    consultant_id = ctx.payload.get(CONSULTANT_FIELD)
    if consultant_id is None or record.data.get(AGREED_FIELD) == consultant_id:
        return []
    facts = ctx.facts if isinstance(ctx.facts, ConsultantFacts) else None
    who: str = (facts.email if facts else None) or Phrase("person {id}", id=consultant_id)
    if record.data.get(PROPOSED_FIELD) == consultant_id:
        return [
            Unmet(Phrase("the prefecture has not agreed to {who} for this engagement yet",
                         who=who),
                  remedy=AGREE_EXPERT)
        ]  # fmt: skip
    return [
        Unmet(
            Phrase(
                "{who} is not the consultant agreed with the prefecture for this engagement; "
                "propose them and have the prefecture agree",
                who=who,
            ),
            CONSULTANT_FIELD,
            PROPOSE_EXPERT,
        )
    ]


def proposal_can_be_made(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
    """A consultant who may serve this organisation on this theme, not agreed already."""
    consultant_id = ctx.payload.get(PROPOSED_FIELD)
    if consultant_id is None:
        return [Unmet("no consultant is named", CONSULTANT_FIELD)]
    facts = facts_of(ctx, ConsultantFacts)
    unmet = serving_unmet(consultant_id, facts, ctx.payload.get("override"))
    if record.data.get(AGREED_FIELD) == consultant_id:
        who: str = facts.email or Phrase("person {id}", id=consultant_id)
        unmet.append(
            Unmet(Phrase("{who} is already agreed for this engagement", who=who), CONSULTANT_FIELD)
        )
    return unmet


def proposal_is_pending(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
    """The prefecture agrees to a named proposal, not to nobody."""
    if record.data.get(PROPOSED_FIELD) is None:
        return [Unmet("no consultant is proposed to the prefecture", remedy=PROPOSE_EXPERT)]
    return []


def hearing_is_recorded(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
    """A plan rests on the hearing's findings (spec §6(2)②)."""
    return [HEARING_NOT_RECORDED] if is_blank(record.data.get("findings")) else []


def planned_dispatches_valid(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
    """The optional number of planned dispatches is a whole number ≥ 0."""
    n = ctx.payload.get("planned_dispatches")
    if n is None or (is_whole(n) and n >= 0):
        return []
    return [
        Unmet(
            Phrase("planned dispatches must be a whole number ≥ 0, not {n!r}", n=n),
            "planned_dispatches",
        )
    ]


def planned_dispatches_given(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
    """A revised plan says how many dispatches it now plans."""
    if ctx.payload.get("planned_dispatches") is None:
        return [Unmet("the revised number of dispatches is missing", "planned_dispatches")]
    return planned_dispatches_valid(record, ctx)


def plan_is_complete(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
    """What the prefecture agrees to: findings, goals and the chosen expert."""
    unmet: list[Unmet] = []
    if is_blank(record.data.get("findings")):
        unmet.append(HEARING_NOT_RECORDED)
    if is_blank(record.data.get("goals")):
        unmet.append(PLAN_NOT_DRAFTED)
    if record.data.get(CONSULTANT_FIELD) is None:
        unmet.append(NO_CONSULTANT)
    elif record.data.get(AGREED_FIELD) != record.data.get(CONSULTANT_FIELD):
        # Another consultant was proposed and agreed since the hearing: hold it again.
        unmet.append(
            Unmet("the consultant is not the one agreed with the prefecture",
                  CONSULTANT_FIELD, SCHEDULE_HEARING)
        )  # fmt: skip
    return unmet


def open_dispatches_unmet(tally: DispatchTally, before: str) -> list[Unmet]:
    """Planned or confirmed dispatches that still hang on the engagement."""
    ids = tally.open
    if not ids:
        return []
    noun = plural(len(ids), "dispatch", "dispatches")
    verb = plural(len(ids), "is", "are")
    them = plural(len(ids), "it", "them")
    return [
        Unmet(
            Phrase(
                "{noun} {ids} {verb} still planned or confirmed; record or cancel {them} {before}",
                noun=noun,
                ids=id_list(ids),
                verb=verb,
                them=them,
                before=Phrase(before),
            ),
            remedy=SETTLE_DISPATCHES,
        )
    ]


def support_is_done(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
    """An outcome rests on at least one held dispatch and none left hanging."""
    tally = facts_of(ctx, DispatchTally)
    unmet: list[Unmet] = []
    if tally.held < 1:
        unmet.append(Unmet("no dispatch has been held yet", remedy=RECORD_DISPATCH))
    unmet += open_dispatches_unmet(tally, Phrase("before reporting"))
    return unmet


def nothing_left_open(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
    """A withdrawn engagement must not leave visits in the calendar."""
    return open_dispatches_unmet(facts_of(ctx, DispatchTally), Phrase("before withdrawing"))


EXPERT_STATES = (REQUESTED, HEARING, PLAN_APPROVED, IN_SUPPORT)
HEARING_IN_OFFICE_HOURS = held_in_office_hours("at", Phrase("a hearing"), from_payload=True)

HEARING_INVITATION = Notify(
    "hearing_invitation", to=("contact", "consultant"), invitation="request"
)
# A hearing moved to another consultant: the former one gets a CANCEL for it.
# (Only an agreed consultant is ever named: expert_is_agreed guards the hearing.)
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
        # The expert agreement (§6(2)①): proposed by the lead, agreed by the prefecture,
        # and again whenever the consultant changes, in any state before the report.
        Transition(
            PROPOSE_EXPERT,
            "専門人材の協議",
            EXPERT_STATES,
            None,
            guards=(proposal_can_be_made,),
            roles=(LEAD,),
            # The prefecture is asked, by mail, to agree (it answers by reply).
            effects=(Notify("expert_proposal", to=("prefecture",)),),
        ),
        Transition(
            AGREE_EXPERT,
            "専門人材の合意",
            EXPERT_STATES,
            None,
            guards=(proposal_is_pending,),
            roles=(PREFECTURE,),
            # The organisation learns who will support it (or who takes over).
            effects=(Notify("expert_agreed", to=("contact",)),),
        ),
        Transition(
            SCHEDULE_HEARING,
            "ヒアリング日程調整",
            (REQUESTED,),
            HEARING,
            guards=(hearing_can_be_scheduled, expert_is_agreed, HEARING_IN_OFFICE_HOURS),
            roles=(LEAD,),
            effects=(HEARING_INVITATION,),
        ),
        # Rescheduling (another time or consultant) keeps the engagement in hearing.
        Transition(
            SCHEDULE_HEARING,
            "ヒアリング日程調整",
            (HEARING,),
            None,
            guards=(hearing_can_be_scheduled, expert_is_agreed, HEARING_IN_OFFICE_HOURS),
            roles=(LEAD,),
            effects=(HEARING_INVITATION, HEARING_REASSIGNED),
        ),
        Transition(
            RECORD_HEARING,
            "ヒアリング記録",
            (HEARING,),
            None,
            guards=(needs_text("findings", "the findings are empty"),),
            roles=(LEAD, CONSULTANT),
            effects=(
                MeetDeadline("hearing"),
                OpenDeadline("plan", "支援計画書の作成", 10, responsible="consultant_id"),
            ),
        ),
        Transition(
            DRAFT_PLAN,
            "支援計画作成",
            (HEARING,),
            None,
            guards=(
                needs_text("goals", "the goals are empty"),
                planned_dispatches_valid,
                hearing_is_recorded,
            ),
            roles=(LEAD, CONSULTANT),
            effects=(MeetDeadline("plan"), Notify("approval_request", to=("prefecture",))),
        ),
        Transition(
            APPROVE_PLAN,
            "支援計画承認",
            (HEARING,),
            PLAN_APPROVED,
            guards=(plan_is_complete,),
            roles=(PREFECTURE,),
            # The lead hears of every decision; the organisation that support starts.
            effects=(
                Notify("decision_recorded", to=("lead",)),
                Notify("plan_approved", to=("contact",)),
            ),
        ),
        # The prefecture agrees a revised plan: more (or fewer) dispatches than approved.
        Transition(
            REVISE_PLAN,
            "支援計画変更",
            (PLAN_APPROVED, IN_SUPPORT),
            None,
            guards=(planned_dispatches_given, needs_text("reason", "the reason is empty")),
            roles=(PREFECTURE,),
        ),
        Transition(START, "支援開始", (PLAN_APPROVED,), IN_SUPPORT, roles=(LEAD,)),
        Transition(
            REPORT,
            "成果報告",
            (IN_SUPPORT,),
            REPORTED,
            guards=(
                needs_text("outcome", "the outcome is empty"),
                support_is_done,
            ),
            roles=(LEAD, CONSULTANT),
            effects=(MeetDeadline("report_before_meeting"),),
        ),
        Transition(
            WITHDRAW,
            "取下げ",
            (REQUESTED, HEARING, PLAN_APPROVED, IN_SUPPORT),
            WITHDRAWN,
            guards=(
                needs_text("reason", "the reason is empty"),
                nothing_left_open,
            ),
            roles=(LEAD, PREFECTURE),
            effects=tuple(CancelDeadline(o) for o in ("hearing", "plan", "report_before_meeting")),
        ),
    ],
)
