"""One plan record (workflows.plans): the support-plan deliverable follows its engagements.

Drafting an engagement's plan submits the 支援計画書 that covers it; approving
the plan approves the document (as the same prefecture person, with the same
record of a decision made on its behalf) once no plan it covers still waits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from banso.engine.runner import Outcome
from banso.engine.workflow import SYSTEM, Actor, RecordView
from banso.services.context import Services
from banso.services.ports import Org, Theme, UnitOfWork
from banso.workflows import deliverable, engagement
from banso.workflows.plans import PER_ENGAGEMENT, PER_ORGANISATION, document_approved
from banso.workflows.programme import CLOSED_ENGAGEMENT

FollowFn = Callable[[Services, UnitOfWork, Actor, Outcome], None]


def plan_scope(uow: UnitOfWork) -> str:
    contract = uow.settings.get("contract") or {}
    return str(contract.get("support_plan_per", PER_ORGANISATION))


def plan_document(uow: UnitOfWork, view: RecordView) -> RecordView | None:
    """The 支援計画書 covering engagement ``view``: its own, or its organisation's."""
    own = uow.records.find(
        deliverable.KIND, where={"kind": deliverable.SUPPORT_PLAN, "engagement_id": view.id}
    )
    if own:
        return own[0]
    shared = uow.records.find(
        deliverable.KIND,
        where={"kind": deliverable.SUPPORT_PLAN, "org_id": view.data["org_id"],
               "engagement_id": None},
    )  # fmt: skip
    return shared[0] if shared else None


def covered(uow: UnitOfWork, document: RecordView, view: RecordView) -> list[RecordView]:
    """The engagements whose plans ``document`` carries (the going ones of its organisation)."""
    if document.data.get("engagement_id") is not None:
        return [view]
    return uow.records.find(
        engagement.KIND, where={"org_id": document.data["org_id"]}, not_states=CLOSED_ENGAGEMENT
    )


def plan_deliverable_data(uow: UnitOfWork, org: Org, theme: Theme, engagement_id: int) -> (
    dict[str, Any] | None
):
    """The support-plan deliverable a new engagement needs, or None when its
    organisation's document already covers it."""
    base = {"kind": deliverable.SUPPORT_PLAN, "period": None, "roster_version": None}
    if plan_scope(uow) == PER_ENGAGEMENT:
        return {**base, "title": f"支援計画書（{org.name}・{theme.name}）",
                "engagement_id": engagement_id, "org_id": org.id}  # fmt: skip
    exists = uow.records.count(
        deliverable.KIND,
        where={"kind": deliverable.SUPPORT_PLAN, "org_id": org.id, "engagement_id": None},
    )
    if exists:
        return None
    return {**base, "title": f"支援計画書（{org.name}）", "engagement_id": None, "org_id": org.id}


def _submitted(services: Services, uow: UnitOfWork, actor: Actor, outcome: Outcome) -> None:
    document = plan_document(uow, outcome.record)
    if document is None or document.state == deliverable.SUBMITTED:
        return
    services.runner.fire(
        uow, deliverable.KIND, document.id, deliverable.SUBMIT_PLAN, actor=SYSTEM,
        payload={deliverable.PLAN_OF: outcome.record.id},
    )  # fmt: skip


def _approved(services: Services, uow: UnitOfWork, actor: Actor, outcome: Outcome) -> None:
    document = plan_document(uow, outcome.record)
    if document is None:
        return
    if not document_approved(covered(uow, document, outcome.record)):
        return  # another theme's section still waits for the prefecture
    on_behalf = outcome.event.payload.get("on_behalf")
    services.runner.fire(
        uow, deliverable.KIND, document.id, deliverable.APPROVE, actor=actor,
        payload={deliverable.PLAN_OF: outcome.record.id,
                 **({"on_behalf": on_behalf} if on_behalf else {})},
    )  # fmt: skip


PLAN_FOLLOWS: dict[tuple[str, str], FollowFn] = {
    (engagement.KIND, engagement.DRAFT_PLAN): _submitted,
    (engagement.KIND, engagement.APPROVE_PLAN): _approved,
}
