"""Who may serve an organisation: the checks on a consultant chosen for a
hearing, a dispatch or a consultation.

Spec §6(2)① (experts chosen with the prefecture), §6(2)③ (the same expert
consistently serves an organisation on a theme) and §10 (a subcontractor's
people work only after the prefecture's written approval). The caller computes
the facts about the person inside the transaction; these functions only judge.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from banso.workflows.checks import given
from banso.workflows.roles import CONSULTANT, role_label


def consultant_unmet(consultant_id: int, facts: Mapping[str, Any]) -> list[str]:
    """Every reason the person ``consultant_id`` may not serve as a consultant.

    Facts: ``consultant_role`` (None when unknown), ``consultant_email`` (how
    people know them; optional), ``consultant_active``, ``subcontractor``
    (company name or None), ``subcontractor_approved``.
    """
    role: str | None = facts["consultant_role"]
    who = facts.get("consultant_email") or f"person {consultant_id}"
    if role is None:
        # Nothing else can be said about someone Banso does not know.
        return [f"{who} is not known to Banso (person add --role consultant)"]
    unmet: list[str] = []
    if role != CONSULTANT:
        unmet.append(
            f"{who} is a {role} ({role_label(role)}), not a consultant "
            f"(choose one from person list --role consultant)"
        )
    if not facts["consultant_active"]:
        unmet.append(f"{who} is inactive (choose an active consultant)")
    company: str | None = facts["subcontractor"]
    if company is not None and not facts["subcontractor_approved"]:
        unmet.append(
            f"subcontractor {company} has no written approval from the prefecture "
            f"(subcontractor approve)"
        )
    return unmet


def consistency_unmet(
    consultant_id: int, facts: Mapping[str, Any], override: str | None
) -> list[str]:
    """The same consultant serves an org×theme throughout, unless overridden.

    Facts: ``assigned_consultant_id`` (None when nobody is assigned yet) and
    ``assigned_consultant`` (that person's e-mail).
    """
    assigned: int | None = facts["assigned_consultant_id"]
    if assigned is None or assigned == consultant_id or given(override):
        return []
    return [
        f"org×theme is served by {facts['assigned_consultant']}; "
        f"a different consultant needs --override REASON"
    ]
