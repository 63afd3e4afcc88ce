"""Research and materials work between visits (spec §6(2)③): recorded, listed and
summed for the monthly report; never a dispatch, never against the quotas."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from banso.engine.clock import tokyo_date
from banso.engine.errors import StorageUnavailable
from banso.engine.phrase import Phrase
from banso.engine.runner import Outcome
from banso.services.context import Services
from banso.services.dates import check_within_programme
from banso.services.identity import Viewer, acting
from banso.services.mail import describe
from banso.services.ports import UnitOfWork
from banso.services.transitions import check_own_work
from banso.services.views import record_json
from banso.workflows import engagement, worklog
from banso.workflows.roles import CONSULTANT
from banso.workflows.worklog import WorkFacts


def record_work(
    services: Services,
    user: str | None,
    engagement_id: int,
    *,
    day: date,
    hours: float,
    summary: str,
) -> Outcome:
    """Record hours of research or materials for an engagement (its consultant or the lead)."""
    with services.uow() as uow:
        actor = acting(uow, user, "record work between visits", worklog.DEFINITION.create_roles)
        eng = uow.records.get(engagement.KIND, engagement_id)
        check_own_work(uow, actor, eng, action=Phrase("record work for engagement {id}", id=eng.id))
        check_within_programme(uow, "--date", day)
        contract = uow.settings.get("contract")
        if contract is None:
            raise StorageUnavailable("the programme settings are missing", needs_init=True)
        person = uow.directory.person(actor.email)
        assert person is not None  # acting found them
        # The lead may record for the engagement's consultant; the hours are theirs.
        consultant_id = person.id
        if actor.role != CONSULTANT and eng.data["consultant_id"] is not None:
            consultant_id = eng.data["consultant_id"]
        facts = WorkFacts(
            engagement_state=eng.state,
            contract_start=date.fromisoformat(contract["start"]),
            contract_end=date.fromisoformat(contract["end"]),
            today=tokyo_date(services.clock.now()),
        )
        data = {
            "engagement_id": eng.id,
            "consultant_id": consultant_id,
            "org_id": eng.data["org_id"],
            "day": day,
            "month": f"{day:%Y-%m}",
            "hours": hours,
            "summary": summary.strip(),
        }
        outcome = services.runner.create(
            uow, worklog.KIND, actor=actor, data=data, payload={}, facts=facts
        )
        uow.commit()
    return outcome


def work_entries(
    services: Services,
    engagement_id: int | None = None,
    month: str | None = None,
    viewer: Viewer | None = None,
) -> list[dict[str, Any]]:
    """The entries, oldest first; a consultant sees only their own."""
    with services.uow(readonly=True) as uow:
        where: dict[str, Any] = {}
        if viewer is not None and viewer.own_only:
            where["consultant_id"] = viewer.person_id
        if engagement_id is not None:
            where["engagement_id"] = engagement_id
        if month:
            where["month"] = month
        found = uow.records.find(worklog.KIND, where=where, order_by=("day", "id"))
        emails = {p.id: p.email for p in uow.directory.people()}
        labels = _labels(uow, {v.data["engagement_id"] for v in found})
    return [
        {
            **record_json(services, v),
            "consultant": emails.get(v.data["consultant_id"]),
            "engagement": labels.get(v.data["engagement_id"], ""),
        }
        for v in found
    ]


def _labels(uow: UnitOfWork, engagement_ids: set[int]) -> dict[int, str]:
    labels = {}
    for eid in engagement_ids:
        view = uow.records.get(engagement.KIND, eid)
        labels[eid] = describe(uow, engagement.KIND, view.data).label
    return labels


@dataclass(frozen=True)
class WorkHours:
    """The hours of work between visits of one engagement in one month."""

    engagement_id: int
    org_id: int
    label: str  # 団体名・テーマ
    hours: float
    entries: int


def month_hours(uow: UnitOfWork, month: str) -> list[WorkHours]:
    """Per engagement, the month's hours of research and materials (for the monthly report)."""
    found = uow.records.find(worklog.KIND, where={"month": month}, order_by=("day", "id"))
    hours: dict[int, float] = defaultdict(float)
    counts: dict[int, int] = defaultdict(int)
    orgs: dict[int, int] = {}
    for v in found:
        eid = v.data["engagement_id"]
        hours[eid] += float(v.data["hours"])
        counts[eid] += 1
        orgs[eid] = v.data["org_id"]
    labels = _labels(uow, set(hours))
    rows = [
        WorkHours(eid, orgs[eid], labels[eid], round(hours[eid], 2), counts[eid]) for eid in hours
    ]
    return sorted(rows, key=lambda r: (r.label, r.engagement_id))
