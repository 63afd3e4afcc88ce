"""調査・資料作成: research and materials work between visits (spec §6(2)③).

§6(2)③ asks the contractor to answer each organisation's questions and, where
needed, to research and draft materials (「各団体の相談は、必要に応じて調査・資料
作成等を行うこと」). That work belongs to the support under an approved plan, so an
entry needs an engagement whose plan is approved (``plan_approved``) or in support
(``in_support``): before the plan there is only the hearing and the plan itself
(§6(2)②), and a reported or withdrawn engagement has no support left to prepare.
The hours are counted in the monthly report, never against the dispatch quota:
an entry is not a 派遣.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from banso.engine.errors import Unmet
from banso.engine.phrase import Phrase
from banso.engine.workflow import GuardContext, RecordView, State, WorkflowDefinition
from banso.workflows import engagement
from banso.workflows.checks import facts_of, is_number
from banso.workflows.roles import CONSULTANT, LEAD
from banso.workflows.validation import MAX_HOURS

KIND = "work"

RECORDED = "recorded"

# The engagement states in which work between visits can be recorded.
OPEN_FOR_WORK: tuple[str, ...] = (engagement.PLAN_APPROVED, engagement.IN_SUPPORT)

# A summary is one to a few lines: what was researched or drafted.
MAX_SUMMARY_LINES = 5
MAX_SUMMARY_CHARS = 500


@dataclass(frozen=True)
class WorkFacts:
    """What one entry is judged on: the engagement's state, the contract's period
    and today (Tokyo)."""

    engagement_state: str
    contract_start: date
    contract_end: date
    today: date


def engagement_open_for_work(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
    """Work between visits follows an approved plan (spec §6(2)②③)."""
    state = facts_of(ctx, WorkFacts).engagement_state
    if state in OPEN_FOR_WORK:
        return []
    label = engagement.DEFINITION.label_of
    wanted = " or ".join(f"{s} ({label(s)})" for s in OPEN_FOR_WORK)
    return [
        Unmet(
            Phrase(
                "engagement {id} is {state} ({label}); work between visits needs {wanted}",
                id=record.data["engagement_id"],
                state=state,
                label=label(state),
                wanted=wanted,
                wanted_labels="・".join(f"「{label(s)}」" for s in OPEN_FOR_WORK),
            )
        )
    ]


def hours_in_range(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
    """More than 0 and at most 24 hours in one entry (one day's work)."""
    hours: Any = record.data.get("hours")
    if is_number(hours) and 0 < hours <= MAX_HOURS:
        return []
    # A fixed sentence, so that the Japanese catalog words it (the value is the user's own).
    return [Unmet("the hours must be more than 0 and at most 24", "hours")]


def day_in_contract(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
    """Within the contract, and done already (an entry records work, not a plan)."""
    facts = facts_of(ctx, WorkFacts)
    day: date = record.data["day"]
    start, end = facts.contract_start, facts.contract_end
    if not start <= day <= end:
        return [
            Unmet(
                Phrase(
                    "{day} is outside the contract ({start} to {end})",
                    day=day.isoformat(),
                    start=start.isoformat(),
                    end=end.isoformat(),
                ),
                "date",
            )
        ]
    if day > facts.today:
        return [Unmet("the date is in the future: work is recorded once it is done", "date")]
    return []


def summary_is_short(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
    """One to a few lines: the monthly report quotes it."""
    summary = str(record.data.get("summary") or "")
    lines = summary.strip().splitlines()
    # Fixed words (the limits above), so that the Japanese catalog words them.
    if len(lines) > MAX_SUMMARY_LINES or len(summary) > MAX_SUMMARY_CHARS:
        return [Unmet("the summary must be at most 5 lines and 500 characters", "summary")]
    return []


def _summary_given(record: RecordView, ctx: GuardContext) -> Iterable[Unmet]:
    summary = record.data.get("summary")
    if isinstance(summary, str) and summary.strip():
        return []
    return [Unmet("the summary is empty", "summary")]


DEFINITION = WorkflowDefinition(
    kind=KIND,
    label="調査・資料作成",
    states=[State(RECORDED, "記録済")],
    initial=RECORDED,
    # The engagement's own consultant (services check whose) and the lead.
    create_roles=(CONSULTANT, LEAD),
    create_guards=(
        engagement_open_for_work,
        hours_in_range,
        day_in_contract,
        _summary_given,
        summary_is_short,
    ),
    transitions=[],
)
