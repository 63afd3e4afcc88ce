"""Decisions the prefecture makes, recorded by the prefecture itself or on its behalf.

The prefecture's staff never run Banso (DOMAIN.md): they answer a request by
mail or by a numbered written notice, and the lead records that answer. Such a
decision is the prefecture person's (it is they who approved), made by the
lead (it is the lead who typed it): the audit event's actor is the prefecture
person and its payload's ``on_behalf`` names the lead, the day the prefecture
decided, its reference (文書番号) and the evidence file's name and SHA-256 (the
file itself is kept in the file store beside the documents).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from banso.engine.clock import tokyo_date
from banso.engine.errors import InvalidValue, NotFound, PermissionDenied, Refused
from banso.engine.phrase import Phrase
from banso.engine.workflow import Actor
from banso.services.context import Services
from banso.services.dates import check_within_programme
from banso.services.identity import acting
from banso.services.ports import UnitOfWork
from banso.workflows.decisions import is_prefecture_decision
from banso.workflows.labels import KIND_LABELS
from banso.workflows.roles import LEAD, PREFECTURE

ON_BEHALF = "on_behalf"  # the audit payload's key
ON_BEHALF_ACTION = "record a decision on the prefecture's behalf (--on-behalf-of)"
MAX_EVIDENCE = 20_000_000  # bytes: a reply mail with its attachments, not an archive


@dataclass(frozen=True)
class Evidence:
    """The file that shows the decision: the reply mail (.eml), a scanned notice…"""

    name: str
    data: bytes


@dataclass(frozen=True)
class OnBehalf:
    """``--on-behalf-of EMAIL --date D --ref 文書番号 [--evidence FILE]``."""

    person: str
    day: date
    # None only where the act has no 文書番号 of its own (a consultation the prefecture
    # received by phone and passed on); a decision always has one.
    ref: str | None
    evidence: Evidence | None = None


def evidence_name(name: str) -> str:
    """The file's own name, without any folder it was given in."""
    return name.replace("\\", "/").rsplit("/", 1)[-1] or "evidence"


def decision_actor(
    services: Services,
    uow: UnitOfWork,
    actor: Actor,
    behalf: OnBehalf,
    *,
    needs_ref: bool = True,
) -> tuple[Actor, dict[str, Any]]:
    """The prefecture person whose decision the lead ``actor`` records, and what the
    audit payload carries about it. Refuses anyone but the lead, anyone but an active
    prefecture person as the decider, a day after today and an empty reference
    (unless ``needs_ref`` is false: then a reference is kept when one is given)."""
    if actor.role != LEAD:
        raise PermissionDenied(actor=actor.email, action=ON_BEHALF_ACTION, allowed_roles=(LEAD,))
    person = uow.directory.person(behalf.person)
    if person is None:
        raise NotFound("person with e-mail", behalf.person)
    if person.role != PREFECTURE or not person.active:
        raise InvalidValue(
            "--on-behalf-of",
            behalf.person,
            "an active prefecture person (see `banso person list --role prefecture`)",
        )
    check_within_programme(uow, "--date", behalf.day)
    today = tokyo_date(services.clock.now())
    if behalf.day > today:
        raise InvalidValue(
            "--date",
            behalf.day.isoformat(),
            Phrase("the day the prefecture decided, not after {today}", today=today),
        )
    ref = (behalf.ref or "").strip()
    if not ref and (needs_ref or behalf.ref is not None):
        raise InvalidValue("--ref", behalf.ref, "the prefecture's reference (文書番号)")
    record: dict[str, Any] = {
        "decided_by": person.email,
        "recorded_by": actor.email,
        "date": behalf.day.isoformat(),
        **({"ref": ref} if ref else {}),
    }
    if behalf.evidence is not None:
        record["evidence"] = store_evidence(services, behalf, behalf.evidence)
    return Actor(email=person.email, role=PREFECTURE), {ON_BEHALF: record}


def store_evidence(services: Services, behalf: OnBehalf, evidence: Evidence) -> dict[str, Any]:
    """Keep the evidence file in the file store; its name, size and SHA-256 go in the audit."""
    if len(evidence.data) > MAX_EVIDENCE:
        raise InvalidValue(
            "--evidence",
            evidence.name,
            Phrase("a file of at most {mb} MB", mb=MAX_EVIDENCE // 1_000_000),
        )
    name = evidence_name(evidence.name)
    digest = hashlib.sha256(evidence.data).hexdigest()
    location = services.files.save(
        f"証跡_{behalf.day.isoformat()}_{digest[:12]}_{name}", evidence.data
    )
    return {"name": name, "sha256": digest, "size": len(evidence.data), "location": location}


def decider(
    services: Services,
    uow: UnitOfWork,
    user: str | None,
    action: str,
    behalf: OnBehalf | None,
) -> tuple[Actor, dict[str, Any]]:
    """Who makes a prefecture decision that is not a trigger (a quota, a contract date, a
    subcontractor's approval): a prefecture person directly, or the lead on its behalf."""
    if behalf is None:
        return acting(uow, user, action, (PREFECTURE,)), {}
    return decision_actor(services, uow, acting(uow, user, action), behalf)


def firing_as(
    services: Services,
    uow: UnitOfWork,
    actor: Actor,
    kind: str,
    state: str,
    trigger: str,
    behalf: OnBehalf | None,
) -> tuple[Actor, Mapping[str, Any]]:
    """The actor a trigger fires as, and what its audit payload gains: unchanged
    without ``behalf``; with it, only a prefecture decision may be recorded so."""
    if behalf is None:
        return actor, {}
    if actor.role != LEAD:
        raise PermissionDenied(actor=actor.email, action=ON_BEHALF_ACTION, allowed_roles=(LEAD,))
    definition = services.runner.definition(kind)
    if not is_prefecture_decision(definition, trigger):
        raise Refused(
            Phrase(
                "{command} of a {kind} is not a decision of the prefecture; "
                "--on-behalf-of records only those (drop it)",
                command=trigger.replace("_", "-"),
                kind=kind,
                kind_label=KIND_LABELS.get(kind, kind),
            )
        )
    return decision_actor(services, uow, actor, behalf)
