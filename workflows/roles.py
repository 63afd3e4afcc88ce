"""The roles a person can have in Banso, and how they are called in Japanese.

Transitions name the roles that may fire them; these constants keep the
spelling in one place (the ``people.role`` column stores the same strings).
"""

from __future__ import annotations

PREFECTURE = "prefecture"
LEAD = "lead"
CONSULTANT = "consultant"
MUNICIPAL = "municipal"
SYSTEM = "system"

ROLES: tuple[str, ...] = (PREFECTURE, LEAD, CONSULTANT, MUNICIPAL, SYSTEM)

ROLE_LABELS: dict[str, str] = {
    PREFECTURE: "県",
    LEAD: "プロジェクト責任者",
    CONSULTANT: "専門人材",
    MUNICIPAL: "市町村担当",
    SYSTEM: "システム",
}


def role_label(role: str) -> str:
    """The Japanese name of ``role`` (the role itself if it is not one of Banso's)."""
    return ROLE_LABELS.get(role, role)
