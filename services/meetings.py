"""Meetings: kickoff, the monthly regular meeting, hearings, the report meeting."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from banso.engine.clock import tokyo_date
from banso.engine.runner import Outcome
from banso.services.context import Services
from banso.services.dates import check_within_programme
from banso.services.effects import Effects, responsible
from banso.services.identity import acting
from banso.services.mail import describe
from banso.services.ports import UnitOfWork
from banso.services.programme import set_kickoff
from banso.workflows import engagement, meeting
from banso.workflows.meeting import MonthlyMeetingFacts
from banso.workflows.programme import CLOSED_ENGAGEMENT, report_before_meeting


def schedule_meeting(
    services: Services,
    user: str | None,
    kind: str,
    *,
    at: datetime,
    place: str | None = None,
    url: str | None = None,
    engagement_id: int | None = None,
    invite: Mapping[str, Any] | None = None,
    override: str | None = None,
) -> Outcome:
    """Schedule a meeting (lead or prefecture); one monthly regular meeting a month."""
    month = f"{tokyo_date(at):%Y-%m}"
    with services.uow() as uow:
        actor = acting(uow, user, "schedule a meeting")
        check_within_programme(uow, "--at", at)
        if engagement_id is not None:
            uow.records.get(engagement.KIND, engagement_id)
        data = {
            "kind": kind,
            "at": at,
            "month": month,
            "place": place,
            "url": url,
            "engagement_id": engagement_id,
            "invite": dict(invite or {}),
        }
        monthly = uow.records.find(
            meeting.KIND,
            where={"kind": meeting.MONTHLY, "month": month},
            not_states=(meeting.CANCELLED,),
        )
        facts = MonthlyMeetingFacts(in_month=tuple(m.id for m in monthly))
        outcome = services.runner.create(
            uow, meeting.KIND, actor=actor, data=data, payload={"override": override}, facts=facts
        )
        if kind == meeting.REPORT:
            engagements_due_before(services, uow, at)
        notes: list[str] = []
        if kind == meeting.KICKOFF:
            # What is due at the kickoff (§9 No.2, No.3) follows the meeting.
            notes = [f"moved: {line}" for line in set_kickoff(services, uow, tokyo_date(at))]
        uow.commit()
    return replace(outcome, notes=tuple(notes)) if notes else outcome


def engagements_due_before(services: Services, uow: UnitOfWork, at: datetime) -> None:
    """Every engagement still going must be reported before the report meeting (§6(3))."""
    effects = Effects(services)
    as_written, basis, rule = report_before_meeting(tokyo_date(at))
    for e in uow.records.find(engagement.KIND, not_states=CLOSED_ENGAGEMENT):
        about = describe(uow, engagement.KIND, e.data)
        effects.open(
            uow,
            obligation="report_before_meeting",
            title=f"支援成果の報告（{about.label}）",
            about_kind=engagement.KIND,
            about_id=e.id,
            org_id=e.data["org_id"],
            due=effects.due_date(uow, as_written, basis, rule),
            responsible=responsible(uow, "consultant_id", e.data),
            now=services.clock.now(),
        )
