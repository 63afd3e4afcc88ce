"""Planning a dispatch of a consultant, within the monthly cap and the year's quotas."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from banso.engine.clock import tokyo_date
from banso.engine.era import fiscal_year
from banso.engine.errors import InvalidValue, StorageUnavailable
from banso.engine.phrase import Phrase
from banso.engine.runner import Outcome
from banso.engine.workflow import RecordView
from banso.services.context import Services
from banso.services.dates import check_within_programme
from banso.services.identity import acting, person_named
from banso.services.ports import UnitOfWork
from banso.services.themes import family_engagements, top_theme
from banso.services.transitions import check_own_work, consultant_facts, fire_in
from banso.workflows import dispatch, engagement
from banso.workflows.dispatch import DispatchFacts
from banso.workflows.programme import COUNTED, is_standardization
from banso.workflows.quotas import Quotas, QuotaUse, quota_notes
from banso.workflows.roles import LEAD


def year_use(uow: UnitOfWork, fy: int) -> tuple[int, int]:
    """Dispatches using a slot in fiscal year ``fy``: all of them, and standardisation."""
    counted = uow.records.count(dispatch.KIND, where={"fiscal_year": fy}, states=COUNTED)
    std = uow.records.count(
        dispatch.KIND, where={"fiscal_year": fy, "standardization": True}, states=COUNTED
    )
    return counted, std


def quota_use(uow: UnitOfWork, eng: RecordView, month: str, fy: int) -> QuotaUse:
    """The slots already used: in ``month`` by the organisation on the engagement's
    top-level theme (its sub-themes counted with it), by the engagement under its
    approved plan, and in the fiscal year."""
    fy_count, std_count = year_use(uow, fy)
    org_id, theme_id = eng.data["org_id"], eng.data["theme_id"]
    family = [e.id for e in family_engagements(uow, org_id, theme_id)]
    month_count = sum(
        uow.records.count(
            dispatch.KIND, where={"engagement_id": eid, "month": month}, states=COUNTED
        )
        for eid in family
    )
    return QuotaUse(
        engagement_id=eng.id,
        month=month,
        month_count=month_count,
        fy_count=fy_count,
        std_count=std_count,
        family=tuple(eid for eid in family if eid != eng.id),
        theme=top_theme(uow, theme_id).name,
        planned=eng.data.get("planned_dispatches"),
        engagement_count=uow.records.count(
            dispatch.KIND, where={"engagement_id": eng.id}, states=COUNTED
        ),
    )


def theme_counts_as_standardization(uow: UnitOfWork, theme_id: int) -> bool:
    theme = uow.directory.theme_by_id(theme_id)
    if theme is None:
        return False
    parent = uow.directory.theme_by_id(theme.parent_id) if theme.parent_id else None
    return is_standardization(theme.standardization, parent.standardization if parent else None)


def plan_dispatch(
    services: Services,
    user: str | None,
    engagement_id: int,
    *,
    at: datetime,
    mode: str,
    consultant: str | None = None,
    override: str | None = None,
    invite: Mapping[str, Any] | None = None,
) -> Outcome:
    """A dispatch for an engagement in support; quotas are checked as it is planned."""
    day = tokyo_date(at)
    with services.uow() as uow:
        actor = acting(uow, user, "plan a dispatch")
        # Lock the quota row first: whoever holds it counts and inserts alone.
        quota = uow.settings.get("quota", lock=True)
        contract = uow.settings.get("contract")
        if quota is None or contract is None:
            raise StorageUnavailable("the programme settings are missing", needs_init=True)
        check_within_programme(uow, "--at", at)
        # Then the engagement: a withdrawal or report waits for this plan (or this
        # plan for it) and then counts its dispatches, so neither misses the other.
        eng = uow.records.get(engagement.KIND, engagement_id, lock=True)
        check_own_work(
            uow, actor, eng, action=Phrase("plan a dispatch for engagement {id}", id=eng.id)
        )
        if consultant:
            person = person_named(uow, consultant)
        elif eng.data["consultant_id"]:
            found = uow.directory.person_by_id(eng.data["consultant_id"])
            assert found is not None  # a foreign key
            person = found
        else:
            raise InvalidValue(
                "consultant", None, "an e-mail: the engagement has no consultant yet"
            )
        month, fy = f"{day:%Y-%m}", fiscal_year(day)
        facts = DispatchFacts(
            engagement_state=eng.state,
            contract_start=date.fromisoformat(contract["start"]),
            contract_end=date.fromisoformat(contract["end"]),
            quotas=Quotas(**quota),
            use=quota_use(uow, eng, month, fy),
            consultant=consultant_facts(uow, person, eng.data["org_id"], eng.data["theme_id"]),
        )
        standardization = theme_counts_as_standardization(uow, eng.data["theme_id"])
        data = {
            "engagement_id": engagement_id,
            "consultant_id": person.id,
            "at": at,
            "mode": mode,
            "month": month,
            "fiscal_year": fy,
            "invite": dict(invite or {}),
            "standardization": standardization,
        }
        outcome = services.runner.create(
            uow, dispatch.KIND, actor=actor, data=data, payload={"override": override}, facts=facts
        )
        top = top_theme(uow, eng.data["theme_id"])
        uow.directory.assign_if_first(eng.data["org_id"], top.id, person.id)
        uow.commit()
    notes = quota_notes(facts.quotas, facts.use, standardization=standardization)
    return replace(outcome, notes=tuple(notes)) if notes else outcome


def reassign_dispatch(
    services: Services, user: str | None, dispatch_id: int, *, consultant: str, reason: str
) -> Outcome:
    """Another consultant takes one planned or confirmed visit over (lead); the mail
    (organisation, new and former consultant) follows from the trigger."""
    with services.uow() as uow:
        person = person_named(uow, consultant)
        actor = acting(uow, user, "reassign a dispatch", (LEAD,))
        outcome = fire_in(
            services, uow, actor, dispatch.KIND, dispatch_id, dispatch.REASSIGN,
            payload={"consultant": person.email},
            changes={"consultant_id": person.id, "reason": reason},
        )  # fmt: skip
        uow.commit()
    return outcome
