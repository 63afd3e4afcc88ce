"""相談: a question to the consultation desk (spec §6(1)).

The prefecture receives every consultation first, then hands it to the
contractor, whose consultant answers the organisation by mail, web meeting or
phone.
"""

from __future__ import annotations

from collections.abc import Iterable

from banso.engine.deadlines import MeetDeadline, OpenDeadline
from banso.engine.errors import Unmet
from banso.engine.outbox import Notify
from banso.engine.phrase import Phrase
from banso.engine.workflow import GuardContext, RecordView, State, Transition, WorkflowDefinition
from banso.workflows.checks import facts_of, needs_choice, needs_text
from banso.workflows.people_rules import CONSULTANT_FIELD, ConsultantFacts, consultant_unmet
from banso.workflows.roles import CONSULTANT, LEAD, PREFECTURE

KIND = "consultation"

RECEIVED = "received"
ASSIGNED = "assigned"
ANSWERED = "answered"
CLOSED = "closed"

ASSIGN = "assign"
ANSWER = "answer"
CLOSE = "close"

CHANNELS: tuple[str, ...] = ("mail", "web", "phone")


def consultant_may_answer(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
    """A consultant who may serve; no consistency rule, a question is one-off."""
    consultant_id = ctx.payload.get(CONSULTANT_FIELD)
    if consultant_id is None:
        return [Unmet("no consultant is named", CONSULTANT_FIELD)]
    return consultant_unmet(consultant_id, facts_of(ctx, ConsultantFacts))


DEFINITION = WorkflowDefinition(
    kind=KIND,
    label="相談",
    states=[
        State(RECEIVED, "受付"),
        State(ASSIGNED, "担当決定"),
        State(ANSWERED, "回答済"),
        State(CLOSED, "完了"),
    ],
    initial=RECEIVED,
    create_roles=(PREFECTURE,),
    transitions=[
        Transition(
            ASSIGN,
            "担当割当",
            (RECEIVED,),
            ASSIGNED,
            guards=(consultant_may_answer,),
            roles=(LEAD, PREFECTURE),
            effects=(
                OpenDeadline("first_contact", "相談への初回対応", 3, responsible="consultant_id"),
                Notify("consultation_assigned", to=("consultant",)),
            ),
        ),
        # Handed to another consultant before it is answered (no new first-contact target).
        Transition(
            ASSIGN,
            "担当割当",
            (ASSIGNED,),
            None,
            guards=(consultant_may_answer,),
            roles=(LEAD, PREFECTURE),
        ),
        Transition(
            ANSWER,
            "回答",
            (ASSIGNED,),
            ANSWERED,
            guards=(
                needs_choice("channel", CHANNELS, Phrase("channel")),
                needs_text("summary", "the summary is empty"),
            ),
            roles=(CONSULTANT, LEAD),
            effects=(MeetDeadline("first_contact"),),
        ),
        Transition(CLOSE, "完了", (ANSWERED,), CLOSED, roles=(LEAD, PREFECTURE)),
    ],
)
