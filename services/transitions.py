"""Firing a trigger as a person: the use case behind every command that moves a record.

Some triggers need facts their guards judge (who serves this organisation, which
dispatches are still open) or leave something behind (the consultant assigned to
an organisation × theme, a month's regular meeting met); both are declared here
by (kind, trigger), so a command only names the trigger and its input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from banso.engine.audit import NewAuditEvent, jsonable
from banso.engine.errors import PermissionDenied
from banso.engine.phrase import Phrase
from banso.engine.runner import Outcome
from banso.engine.workflow import Actor, RecordView
from banso.services.context import Services
from banso.services.decisions import OnBehalf, firing_as
from banso.services.identity import acting_to_fire
from banso.services.plans import PLAN_FOLLOWS
from banso.services.ports import Person, UnitOfWork
from banso.services.themes import top_theme
from banso.workflows import consultation, dispatch, engagement, meeting
from banso.workflows.engagement import DispatchTally
from banso.workflows.people_rules import ConsultantFacts
from banso.workflows.programme import OPEN_DISPATCH, monthly_meeting_period
from banso.workflows.roles import CONSULTANT, LEAD

# The facts a trigger's guards judge, as the workflow declares their type.
FactsFn = Callable[[UnitOfWork, RecordView, Mapping[str, Any]], object]
AfterFn = Callable[[UnitOfWork, Outcome], None]


def consultant_facts(
    uow: UnitOfWork, consultant: Person | None, org_id: int | None, theme_id: int | None
) -> ConsultantFacts:
    """What the consultant rules need: role, approval of their company, and who
    already serves this organisation on this theme (when both are given)."""
    if consultant is None:
        return ConsultantFacts(role=None, active=False)
    sub = (
        uow.directory.subcontractor_by_id(consultant.subcontractor_id)
        if consultant.subcontractor_id
        else None
    )
    # The same consultant serves the organisation on a theme and its sub-themes.
    assigned_id = (
        uow.directory.assigned_consultant(org_id, top_theme(uow, theme_id).id)
        if org_id is not None and theme_id is not None
        else None
    )
    assigned = uow.directory.person_by_id(assigned_id) if assigned_id else None
    return ConsultantFacts(
        role=consultant.role,
        active=consultant.active,
        email=consultant.email,
        subcontractor=sub.name if sub else None,
        subcontractor_approved=bool(sub and sub.approved_at),
        assigned_consultant_id=assigned.id if assigned else None,
        assigned_consultant=assigned.email if assigned else None,
    )


def dispatch_ids(uow: UnitOfWork, engagement_id: int, states: tuple[str, ...]) -> list[int]:
    found = uow.records.find(dispatch.KIND, where={"engagement_id": engagement_id}, states=states)
    return [d.id for d in found]


def _hearing_facts(
    uow: UnitOfWork, view: RecordView, changes: Mapping[str, Any]
) -> ConsultantFacts:
    person = uow.directory.person_by_id(changes["consultant_id"])
    return consultant_facts(uow, person, view.data["org_id"], view.data["theme_id"])


def _proposal_facts(
    uow: UnitOfWork, view: RecordView, changes: Mapping[str, Any]
) -> ConsultantFacts:
    person = uow.directory.person_by_id(changes[engagement.PROPOSED_FIELD])
    return consultant_facts(uow, person, view.data["org_id"], view.data["theme_id"])


def _assignment_facts(
    uow: UnitOfWork, view: RecordView, changes: Mapping[str, Any]
) -> ConsultantFacts:
    return consultant_facts(uow, uow.directory.person_by_id(changes["consultant_id"]), None, None)


def _dispatch_tally(uow: UnitOfWork, view: RecordView, _c: Mapping[str, Any]) -> DispatchTally:
    return DispatchTally(
        held=len(dispatch_ids(uow, view.id, (dispatch.HELD,))),
        open=tuple(dispatch_ids(uow, view.id, OPEN_DISPATCH)),
    )


def _assign(uow: UnitOfWork, outcome: Outcome) -> None:
    # The first consultant chosen serves the organisation × theme from then on; a hearing
    # moved to another one with a reason (the override) hands the work over.
    data = outcome.record.data
    top = top_theme(uow, data["theme_id"]).id
    if outcome.event.payload.get("override"):
        uow.directory.assign(data["org_id"], top, data["consultant_id"])
    else:
        uow.directory.assign_if_first(data["org_id"], top, data["consultant_id"])


def _handed_over(uow: UnitOfWork, outcome: Outcome) -> None:
    # An agreement during support replaces the consultant: the work is handed over.
    data = outcome.record.data
    if "consultant_id" in outcome.event.payload.get("changes", {}):
        uow.directory.assign(data["org_id"], data["theme_id"], data["consultant_id"])


def _monthly_met(uow: UnitOfWork, outcome: Outcome) -> None:
    # Holding the month's regular meeting fulfils that month's programme deadline.
    data = outcome.record.data
    if data["kind"] in meeting.COUNTS_AS_MONTHLY:
        period = monthly_meeting_period(data["month"])
        uow.deadlines.meet("programme", period, "monthly_meeting", outcome.event.at)


def _agreement(view: RecordView) -> dict[str, Any]:
    # The prefecture agrees to the proposal on the record; once support has begun
    # the agreed consultant takes the engagement over (handed over after).
    proposed = view.data.get(engagement.PROPOSED_FIELD)
    changes: dict[str, Any] = {engagement.AGREED_FIELD: proposed,
                               engagement.PROPOSED_FIELD: None}  # fmt: skip
    if view.state in (engagement.PLAN_APPROVED, engagement.IN_SUPPORT) and proposed is not None:
        changes["consultant_id"] = proposed
    return changes


# Changes a trigger makes that follow from the record itself (not typed by anyone).
DERIVED: dict[tuple[str, str], Callable[[RecordView], dict[str, Any]]] = {
    (engagement.KIND, engagement.AGREE_EXPERT): _agreement,
}
FACTS: dict[tuple[str, str], FactsFn] = {
    (engagement.KIND, engagement.SCHEDULE_HEARING): _hearing_facts,
    (engagement.KIND, engagement.PROPOSE_EXPERT): _proposal_facts,
    (engagement.KIND, engagement.REPORT): _dispatch_tally,
    (engagement.KIND, engagement.WITHDRAW): _dispatch_tally,
    (consultation.KIND, consultation.ASSIGN): _assignment_facts,
    (dispatch.KIND, dispatch.REASSIGN): _assignment_facts,
}
# Triggers whose guards count the engagement's dispatches: the record is locked
# before they are counted, as `dispatch plan` locks it before adding one.
LOCKED: frozenset[tuple[str, str]] = frozenset(
    {(engagement.KIND, engagement.WITHDRAW), (engagement.KIND, engagement.REPORT)}
)
AFTER: dict[tuple[str, str], AfterFn] = {
    (engagement.KIND, engagement.SCHEDULE_HEARING): _assign,
    (engagement.KIND, engagement.AGREE_EXPERT): _handed_over,
    (meeting.KIND, meeting.HOLD): _monthly_met,
}


def fire(
    services: Services,
    user: str | None,
    kind: str,
    record_id: int,
    trigger: str,
    *,
    payload: Mapping[str, Any] | None = None,
    changes: Mapping[str, Any] | None = None,
    on_behalf: OnBehalf | None = None,
) -> Outcome:
    """Fire ``trigger`` on one record as ``user``, in one unit of work; ``on_behalf``:
    the lead records the prefecture's decision (`services.decisions`)."""
    with services.uow() as uow:
        actor = acting_to_fire(uow, user, kind, record_id, trigger)
        outcome = fire_in(
            services, uow, actor, kind, record_id, trigger, payload=payload, changes=changes,
            on_behalf=on_behalf,
        )  # fmt: skip
        uow.commit()
    return outcome


def fire_in(
    services: Services,
    uow: UnitOfWork,
    actor: Actor,
    kind: str,
    record_id: int,
    trigger: str,
    *,
    payload: Mapping[str, Any] | None = None,
    changes: Mapping[str, Any] | None = None,
    on_behalf: OnBehalf | None = None,
) -> Outcome:
    """The same inside a unit of work the caller owns (and commits)."""
    view = uow.records.get(kind, record_id, lock=(kind, trigger) in LOCKED)
    check_own_work(uow, actor, view, trigger)
    actor, decided = firing_as(services, uow, actor, kind, view.state, trigger, on_behalf)
    if decided:
        payload = {**(payload or {}), **decided}
    derive = DERIVED.get((kind, trigger))
    if derive is not None:
        changes = {**derive(view), **(changes or {})}
    facts = FACTS.get((kind, trigger))
    outcome = services.runner.fire(
        uow,
        kind,
        record_id,
        trigger,
        actor=actor,
        payload=payload,
        changes=changes,
        facts=facts(uow, view, changes or {}) if facts else None,
    )
    after = AFTER.get((kind, trigger))
    if after is not None:
        after(uow, outcome)
    follow = PLAN_FOLLOWS.get((kind, trigger))
    if follow is not None:
        follow(services, uow, actor, outcome)
    return outcome


def check_own_work(
    uow: UnitOfWork,
    actor: Actor,
    view: RecordView,
    trigger: str | None = None,
    *,
    action: str | None = None,
) -> None:
    """A consultant acts only on the work assigned to them (DOMAIN.md: roles):
    ``trigger`` fired on ``view``, or ``action`` (in words) done on it."""
    if actor.role != CONSULTANT:
        return
    consultant_id = view.data.get("consultant_id")
    if consultant_id is None and view.data.get("engagement_id"):
        consultant_id = uow.records.get(engagement.KIND, view.data["engagement_id"]).data[
            "consultant_id"
        ]
    person = uow.directory.person_by_id(consultant_id) if consultant_id else None
    if person is None or person.email == actor.email:
        return
    allowed, note = (LEAD, "assigned consultant"), Phrase("assigned to {who}", who=person.email)
    if trigger is not None:
        raise PermissionDenied.to_fire(
            actor=actor.email,
            trigger=trigger,
            kind=view.kind,
            record_id=view.id,
            allowed_roles=allowed,
            note=note,
        )
    raise PermissionDenied(
        actor=actor.email,
        action=action or Phrase("act on {kind} {id}", kind=view.kind, id=view.id),
        allowed_roles=allowed,
        kind=view.kind,
        record_id=view.id,
        note=note,
    )


def audit_change(
    services: Services,
    uow: UnitOfWork,
    actor: Actor,
    kind: str,
    record_id: int,
    change: str,
    payload: Mapping[str, Any],
) -> None:
    """Put a master-data change (an approval, a quota, a person) in the audit chain."""
    uow.audit.append(
        NewAuditEvent(
            at=services.clock.now(),
            actor=actor.email,
            kind=kind,
            record_id=record_id,
            trigger=change,
            from_state=None,
            to_state=None,
            version=0,
            payload=jsonable(payload),
        )
    )
