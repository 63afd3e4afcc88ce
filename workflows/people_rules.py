"""Who may serve an organisation: the checks on a consultant chosen for a
hearing, a dispatch or a consultation.

Spec §6(2)① (experts chosen with the prefecture), §6(2)③ (the same expert
consistently serves an organisation on a theme) and §10 (a subcontractor's
people work only after the prefecture's written approval). The caller computes
the facts about the person inside the transaction; these functions only judge.
"""

from __future__ import annotations

from dataclasses import dataclass

from banso.engine.errors import Unmet
from banso.engine.phrase import Phrase
from banso.workflows.checks import given
from banso.workflows.roles import CONSULTANT, role_label

# The input that names the consultant (a person id on the record).
CONSULTANT_FIELD = "consultant_id"
OVERRIDE_FIELD = "override"

# Remedies that are not triggers: the master data a person fixes first.
ADD_CONSULTANT = "add_consultant"
APPROVE_SUBCONTRACTOR = "approve_subcontractor"


@dataclass(frozen=True)
class ConsultantFacts:
    """What the consultant rules need to know about the person chosen.

    ``role`` is None when Banso does not know the person; ``email`` is how
    people know them (None: say "person ID"). ``subcontractor`` names their
    company when it is not the contractor. ``assigned_consultant_id`` is who
    already serves this organisation × theme (None: nobody yet, or the rule does
    not apply), ``assigned_consultant`` that person's e-mail.
    """

    role: str | None
    active: bool
    email: str | None = None
    subcontractor: str | None = None
    subcontractor_approved: bool = False
    assigned_consultant_id: int | None = None
    assigned_consultant: str | None = None


def consultant_unmet(consultant_id: int, facts: ConsultantFacts) -> list[Unmet]:
    """Every reason the person ``consultant_id`` may not serve as a consultant."""
    who: str = facts.email or Phrase("person {id}", id=consultant_id)
    if facts.role is None:
        # Nothing else can be said about someone Banso does not know.
        return [
            Unmet(Phrase("{who} is not known to Banso", who=who), CONSULTANT_FIELD, ADD_CONSULTANT)
        ]
    unmet: list[Unmet] = []
    if facts.role != CONSULTANT:
        unmet.append(
            Unmet(
                Phrase(
                    "{who} is a {role} ({label}), not a consultant",
                    who=who,
                    role=facts.role,
                    label=role_label(facts.role),
                ),
                CONSULTANT_FIELD,
            )
        )
    if not facts.active:
        unmet.append(
            Unmet(
                Phrase("{who} is inactive; choose an active consultant", who=who),
                CONSULTANT_FIELD,
            )
        )
    if facts.subcontractor is not None and not facts.subcontractor_approved:
        unmet.append(
            Unmet(
                Phrase(
                    "subcontractor {name} has no written approval from the prefecture",
                    name=facts.subcontractor,
                ),
                remedy=APPROVE_SUBCONTRACTOR,
            )
        )
    return unmet


def consistency_unmet(
    consultant_id: int, facts: ConsultantFacts, override: str | None
) -> list[Unmet]:
    """The same consultant serves an org×theme throughout, unless overridden."""
    assigned = facts.assigned_consultant_id
    if assigned is None or assigned == consultant_id or given(override):
        return []
    return [
        Unmet(
            Phrase(
                "org×theme is served by {who}; a different consultant needs an override, "
                "with its reason",
                who=facts.assigned_consultant,
            ),
            OVERRIDE_FIELD,
        )
    ]


def serving_unmet(consultant_id: int, facts: ConsultantFacts, override: str | None) -> list[Unmet]:
    """Both: the person may serve, and consistently (a hearing, a dispatch)."""
    unmet = consultant_unmet(consultant_id, facts)
    if facts.role is None:
        return unmet  # whom Banso does not know serves nobody, consistently or not
    return unmet + consistency_unmet(consultant_id, facts, override)
