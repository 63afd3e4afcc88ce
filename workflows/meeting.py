"""会議: the kickoff, the monthly regular meeting (spec §8(3)), hearings and
the report meeting after support ends (spec §6(3))."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from banso.engine.errors import Unmet
from banso.engine.outbox import Notify
from banso.engine.phrase import Phrase
from banso.engine.workflow import GuardContext, RecordView, State, Transition, WorkflowDefinition
from banso.workflows.checks import facts_of, has_happened, id_list, needs_text, plural
from banso.workflows.office_hours import held_in_office_hours
from banso.workflows.roles import LEAD, PREFECTURE

KIND = "meeting"

SCHEDULED = "scheduled"
HELD = "held"
CANCELLED = "cancelled"

HOLD = "hold"
CANCEL = "cancel"

KICKOFF = "kickoff"
MONTHLY = "monthly"
HEARING = "hearing"
REPORT = "report"

# Kinds that fulfil their month's §8(3) regular meeting (the kickoff is April's).
COUNTS_AS_MONTHLY = (MONTHLY, KICKOFF)

# kind → title, in the order they happen in the year.
MEETING_KINDS: dict[str, str] = {
    KICKOFF: "キックオフ会議",
    MONTHLY: "定例報告会",
    HEARING: "ヒアリング",
    REPORT: "事業報告会",
}


@dataclass(frozen=True)
class MonthlyMeetingFacts:
    """The monthly regular meetings already scheduled or held in the new
    meeting's month (cancelled ones do not count)."""

    in_month: tuple[int, ...] = ()


def kind_is_known(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
    """One of the four kinds of meeting the programme has."""
    kind = record.data.get("kind")
    if kind in MEETING_KINDS:
        return []
    return [
        Unmet(
            Phrase(
                "the meeting kind {kind!r} is not one of {kinds}",
                kind=kind,
                kinds=", ".join(MEETING_KINDS),
            ),
            "kind",
        )
    ]


def one_monthly_meeting_a_month(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
    """Spec §8(3) asks for one regular meeting a month; a second is a mistake.

    Only the monthly meeting is judged here: a report meeting, say, may be
    held while some engagements still run.
    """
    if record.data.get("kind") != MONTHLY:
        return []
    ids = facts_of(ctx, MonthlyMeetingFacts).in_month
    if not ids:
        return []
    noun = plural(len(ids), "meeting", "meetings")
    return [
        Unmet(
            Phrase(
                "a monthly regular meeting for {month} already exists ({noun} {ids})",
                month=record.data["month"],
                noun=noun,
                ids=id_list(ids),
            )
        )
    ]


DEFINITION = WorkflowDefinition(
    kind=KIND,
    label="会議",
    states=[
        State(SCHEDULED, "予定"),
        State(HELD, "開催済"),
        State(CANCELLED, "中止"),
    ],
    initial=SCHEDULED,
    create_roles=(LEAD, PREFECTURE),
    create_guards=(
        kind_is_known,
        one_monthly_meeting_a_month,
        held_in_office_hours("at", Phrase("a meeting")),
    ),
    create_effects=(Notify("meeting_invitation", to=("attendees",), invitation="request"),),
    transitions=[
        Transition(
            HOLD,
            "開催記録",
            (SCHEDULED,),
            HELD,
            guards=(
                needs_text("minutes", "the minutes are empty"),
                has_happened(Phrase("meeting")),
            ),
            roles=(LEAD,),
        ),
        Transition(
            CANCEL,
            "中止",
            (SCHEDULED,),
            CANCELLED,
            guards=(needs_text("reason", "the reason is empty"),),
            roles=(LEAD, PREFECTURE),
            effects=(Notify("meeting_cancelled", to=("attendees",), invitation="cancel"),),
        ),
    ],
)
