"""The consultation desk (§6(1)): the prefecture receives, a consultant answers.

The prefecture receives every consultation first and passes it on by phone or mail
(its staff never run Banso, DOMAIN.md): the lead enters it on the prefecture's
behalf, as a decision is recorded (services.decisions), naming the prefecture person
who received it and the day; the organisation's contact goes with it as before.
"""

from __future__ import annotations

from collections.abc import Mapping

from banso.engine.clock import tokyo_date
from banso.engine.era import fiscal_year
from banso.engine.errors import InvalidValue, PermissionDenied
from banso.engine.phrase import Phrase
from banso.engine.runner import Outcome
from banso.services.context import Services
from banso.services.decisions import OnBehalf, decision_actor
from banso.services.engagements import org_named
from banso.services.identity import acting, acting_to_fire, person_named
from banso.services.transitions import fire_in
from banso.workflows.email import email_problem
from banso.workflows.roles import LEAD, PREFECTURE


def new_consultation(
    services: Services,
    user: str | None,
    org_code: str,
    topic: str,
    channel: str | None,
    contact: Mapping[str, str | None] | None = None,
    on_behalf: OnBehalf | None = None,
) -> Outcome:
    """Enter a consultation the prefecture received: a prefecture person directly, or
    the lead ``on_behalf`` of the one who received it (the day it came in; a reference
    and the forwarded mail if there are any). ``contact``: the organisation's
    contact_name, contact_email and contact_phone."""
    email = (contact or {}).get("contact_email")
    if email:
        problem = email_problem(email)
        if problem:
            raise InvalidValue(
                "--contact-email",
                email,
                Phrase("an address mail can reach ({problem})", problem=problem),
            )
    with services.uow() as uow:
        actor = acting(uow, user, "enter a consultation")
        payload: dict[str, object] = {}
        if on_behalf is not None:
            actor, payload = decision_actor(services, uow, actor, on_behalf, needs_ref=False)
        elif actor.role == LEAD:
            raise PermissionDenied(
                actor=actor.email,
                action="enter a consultation",
                allowed_roles=(PREFECTURE,),
                note="the lead enters it on the prefecture's behalf: --on-behalf-of EMAIL --date D",
            )
        org = org_named(uow, org_code)
        data = {
            "org_id": org.id,
            "topic": topic,
            "channel": channel,
            "fiscal_year": fiscal_year(tokyo_date(services.clock.now())),
            **{k: v for k, v in (contact or {}).items() if v},
        }
        outcome = services.runner.create(
            uow, "consultation", actor=actor, data=data, payload=payload
        )
        uow.commit()
    return outcome


def assign_consultation(
    services: Services, user: str | None, consultation_id: int, consultant: str
) -> Outcome:
    """Hand a consultation to a consultant (lead or prefecture)."""
    with services.uow() as uow:
        person = person_named(uow, consultant)
        actor = acting_to_fire(uow, user, "consultation", consultation_id, "assign")
        outcome = fire_in(
            services,
            uow,
            actor,
            "consultation",
            consultation_id,
            "assign",
            payload={"consultant": consultant},
            changes={"consultant_id": person.id},
        )
        uow.commit()
    return outcome
