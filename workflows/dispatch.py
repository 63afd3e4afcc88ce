"""専門人材派遣: one visit or web meeting of a consultant (spec §6(2)③).

Planning one is where the programme's limits bite: the engagement must be in
support, the consultant must be allowed to serve, and the monthly cap and the
fiscal-year quotas must leave room.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from banso.engine.clock import tokyo_date
from banso.engine.deadlines import CancelDeadline, MeetDeadline, OpenDeadline
from banso.engine.errors import Unmet
from banso.engine.outbox import Notify
from banso.engine.phrase import Phrase
from banso.engine.workflow import GuardContext, RecordView, State, Transition, WorkflowDefinition
from banso.workflows import engagement
from banso.workflows.checks import choice_unmet, facts_of, has_happened, is_number, needs_text
from banso.workflows.office_hours import held_in_office_hours
from banso.workflows.people_rules import ConsultantFacts, consultant_unmet, serving_unmet
from banso.workflows.quotas import Quotas, QuotaUse, quota_unmet
from banso.workflows.roles import CONSULTANT, LEAD, PREFECTURE

KIND = "dispatch"

PLANNED = "planned"
CONFIRMED = "confirmed"
HELD = "held"
CANCELLED = "cancelled"

CONFIRM = "confirm"
RECORD = "record"
CANCEL = "cancel"
# Another consultant takes a planned visit over (their predecessor deactivated, say).
REASSIGN = "reassign"

MODES: tuple[str, ...] = ("onsite", "web")


@dataclass(frozen=True)
class DispatchFacts:
    """What planning one more dispatch is judged on, counted in the same
    transaction that inserts it: the engagement's state, the contract's period,
    the quotas and their use, and the consultant."""

    engagement_state: str
    contract_start: date
    contract_end: date
    quotas: Quotas
    use: QuotaUse
    consultant: ConsultantFacts


def engagement_in_support(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
    """Dispatches follow an approved plan and a started support (spec §6(2)②)."""
    state = facts_of(ctx, DispatchFacts).engagement_state
    if state == engagement.IN_SUPPORT:
        return []
    label = engagement.DEFINITION.label_of
    return [
        Unmet(
            Phrase(
                "engagement {id} is {state} ({label}); dispatches need {wanted} ({wanted_label})",
                id=record.data["engagement_id"],
                state=state,
                label=label(state),
                wanted=engagement.IN_SUPPORT,
                wanted_label=label(engagement.IN_SUPPORT),
            )
        )
    ]


def within_contract(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
    """A dispatch belongs to the contract's period: outside it, it would count
    against another fiscal year's quota and escape this one."""
    facts = facts_of(ctx, DispatchFacts)
    day = tokyo_date(record.data["at"])
    start, end = facts.contract_start, facts.contract_end
    if start <= day <= end:
        return []
    return [
        Unmet(
            Phrase(
                "{day} is outside the contract ({start} to {end})",
                day=day.isoformat(),
                start=start.isoformat(),
                end=end.isoformat(),
            ),
            "at",
        )
    ]


def mode_is_known(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
    """In person or by web meeting, nothing else (spec §6(2)③)."""
    return choice_unmet(record.data.get("mode"), MODES, Phrase("mode"), "mode")


def consultant_may_serve(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
    """The same checks as for the hearing, on the dispatch's consultant."""
    consultant_id: int = record.data["consultant_id"]
    person = facts_of(ctx, DispatchFacts).consultant
    return serving_unmet(consultant_id, person, ctx.payload.get("override"))


def quotas_leave_room(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
    """The monthly cap (soft) and the fiscal-year quotas (hard)."""
    facts = facts_of(ctx, DispatchFacts)
    return quota_unmet(
        facts.quotas,
        facts.use,
        standardization=bool(record.data["standardization"]),
        override=ctx.payload.get("override"),
        actor_role=ctx.actor.role,
    )


def hours_positive(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
    """The optional hours spent are more than zero."""
    hours = ctx.payload.get("hours")
    if hours is None or (is_number(hours) and hours > 0):
        return []
    return [Unmet(Phrase("the hours must be more than 0, not {hours!r}", hours=hours), "hours")]


def successor_may_serve(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
    """The consultant taking a visit over may serve (the reason stands for the override)."""
    consultant_id = ctx.payload.get("consultant_id")
    if consultant_id is None:
        return [Unmet("no consultant is named", "consultant_id")]
    # Handing a visit to the one who has it would mail the organisation a change that is none.
    if consultant_id == record.data.get("consultant_id"):
        return [Unmet("the visit is already this consultant's; name another one", "consultant_id")]
    return consultant_unmet(consultant_id, facts_of(ctx, ConsultantFacts))


DEFINITION = WorkflowDefinition(
    kind=KIND,
    label="専門人材派遣",
    states=[
        State(PLANNED, "予定"),
        State(CONFIRMED, "確定"),
        State(HELD, "実施済"),
        State(CANCELLED, "中止"),
    ],
    initial=PLANNED,
    # The prefecture may plan too: it is the one who lifts the monthly cap.
    create_roles=(LEAD, CONSULTANT, PREFECTURE),
    create_guards=(
        engagement_in_support,
        within_contract,
        mode_is_known,
        held_in_office_hours("at", Phrase("a dispatch")),
        consultant_may_serve,
        quotas_leave_room,
    ),
    create_effects=(
        # The record is due within 3 business days of the dispatch itself.
        OpenDeadline("record", "派遣実施記録の登録", 3, base="at", responsible="consultant_id"),
        Notify("dispatch_invitation", to=("contact", "consultant"), invitation="request"),
    ),
    transitions=[
        Transition(
            CONFIRM,
            "確定",
            (PLANNED,),
            CONFIRMED,
            roles=(LEAD, CONSULTANT),
            effects=(
                Notify("dispatch_invitation", to=("contact", "consultant"), invitation="request"),
            ),
        ),
        Transition(
            RECORD,
            "実施記録",
            (CONFIRMED,),
            HELD,
            guards=(
                needs_text("summary", "the summary is empty"),
                hours_positive,
                has_happened(Phrase("dispatch")),
            ),
            roles=(LEAD, CONSULTANT),
            # A short record to the organisation, if the [mail] settings ask for it.
            effects=(MeetDeadline("record"), Notify("visit_record", to=("contact",))),
        ),
        Transition(
            REASSIGN,
            "担当交代",
            (PLANNED, CONFIRMED),
            None,
            guards=(needs_text("reason", "the reason is empty"), successor_may_serve),
            roles=(LEAD,),
            # The organisation and the new consultant are told (the .ics moves to the new
            # one, a higher SEQUENCE); the one it was taken from gets a CANCEL.
            effects=(
                Notify("dispatch_reassigned", to=("contact", "consultant"), invitation="request"),
                Notify("dispatch_released", to=("former_consultant",), invitation="cancel"),
            ),
        ),
        Transition(
            CANCEL,
            "中止",
            (PLANNED, CONFIRMED),
            CANCELLED,
            guards=(needs_text("reason", "the reason is empty"),),
            roles=(LEAD, CONSULTANT, PREFECTURE),
            effects=(
                CancelDeadline("record"),
                Notify("dispatch_cancelled", to=("contact", "consultant"), invitation="cancel"),
            ),
        ),
    ],
)
