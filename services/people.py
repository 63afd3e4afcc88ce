"""People taken off the programme: their open work listed, and moved to a successor.

A person is deactivated, never deleted (`master.remove_person`): their history
stays and their powers go. What they still hold — engagements, planned visits,
consultations not yet answered, and the deadlines they answer for — is listed
by `person reassign EMAIL`, and moved with ``--to``: visits and consultations at
once (audited, the reason on record); an engagement by proposing the successor
to the prefecture, because changing its consultant needs a new agreement
(§6(2)①) — it moves when the prefecture agrees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from banso.engine.deadlines import ACTIVE
from banso.services.context import Services
from banso.services.identity import acting, person_named
from banso.services.ports import UnitOfWork
from banso.services.transitions import fire_in
from banso.workflows import consultation, dispatch, engagement
from banso.workflows.programme import CLOSED_ENGAGEMENT, OPEN_DISPATCH
from banso.workflows.roles import LEAD, PREFECTURE

STAFF = (LEAD, PREFECTURE)
FAR = date(9999, 12, 31)


@dataclass
class OpenWork:
    """What one person still holds, by kind of record (ids), and what was done with it."""

    person: str
    engagements: list[int] = field(default_factory=list)
    dispatches: list[int] = field(default_factory=list)
    consultations: list[int] = field(default_factory=list)
    deadlines: list[dict[str, Any]] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    awaiting_agreement: list[int] = field(default_factory=list)

    def json(self) -> dict[str, Any]:
        return {
            "person": self.person,
            "engagements": self.engagements,
            "dispatches": self.dispatches,
            "consultations": self.consultations,
            "deadlines": self.deadlines,
            "moved": self.moved,
            "awaiting_agreement": self.awaiting_agreement,
        }


def _open_work(uow: UnitOfWork, person_id: int, email: str) -> OpenWork:
    work = OpenWork(email)
    work.engagements = [
        e.id
        for e in uow.records.find(
            engagement.KIND, where={"consultant_id": person_id}, not_states=CLOSED_ENGAGEMENT
        )
    ]
    work.dispatches = [
        d.id
        for d in uow.records.find(
            dispatch.KIND, where={"consultant_id": person_id}, states=OPEN_DISPATCH
        )
    ]
    work.consultations = [
        c.id
        for c in uow.records.find(
            consultation.KIND, where={"consultant_id": person_id}, states=(consultation.ASSIGNED,)
        )
    ]
    work.deadlines = [
        {"id": d.id, "title": d.title, "about_kind": d.about_kind, "about_id": d.about_id,
         "due": d.due.isoformat()}
        for d in uow.deadlines.owned_by([email], list(ACTIVE), FAR)
    ]  # fmt: skip
    return work


def reassign(services: Services, user: str | None, email: str, to: str | None) -> OpenWork:
    """List ``email``'s open work; with ``to``, move it to that consultant (lead or
    prefecture), in one unit of work: all of it, or nothing."""
    with services.uow(readonly=to is None) as uow:
        actor = acting(uow, user, "reassign people's work", STAFF)
        person = person_named(uow, email)
        work = _open_work(uow, person.id, person.email)
        if to is None:
            return work
        successor = person_named(uow, to)
        why = f"{person.email}から{successor.email}へ担当交代"
        for did in work.dispatches:
            fire_in(services, uow, actor, dispatch.KIND, did, dispatch.REASSIGN,
                    payload={"consultant": successor.email},
                    changes={"consultant_id": successor.id, "reason": why})  # fmt: skip
            work.moved.append(f"dispatch {did}")
        for cid in work.consultations:
            fire_in(services, uow, actor, consultation.KIND, cid, consultation.ASSIGN,
                    payload={"consultant": successor.email},
                    changes={"consultant_id": successor.id})  # fmt: skip
            work.moved.append(f"consultation {cid}")
        if work.engagements and actor.role != LEAD:
            # Proposing an expert to the prefecture is the lead's part (§6(2)①).
            acting(uow, user, "propose a successor for engagements", (LEAD,))
        for eid in work.engagements:
            fire_in(services, uow, actor, engagement.KIND, eid, engagement.PROPOSE_EXPERT,
                    payload={"consultant": successor.email, "override": why,
                             "reason": f"{person.name}の担当交代のため"},
                    changes={engagement.PROPOSED_FIELD: successor.id})  # fmt: skip
            work.awaiting_agreement.append(eid)
        uow.commit()
    return work
