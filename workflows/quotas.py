"""The dispatch quotas (spec §6(2)③) and the judgement of one more dispatch.

"最大月2回程度" per theme a month is a soft cap the lead or the prefecture may
exceed with a reason; "年間計470回（うち標準化支援360回）" is the budget, a hard
limit only the prefecture moves (the ``set_budget`` remedy).
"""

from __future__ import annotations

from dataclasses import dataclass

from banso.engine.errors import Unmet
from banso.workflows.checks import given
from banso.workflows.roles import LEAD, PREFECTURE

# Who may lift the monthly cap: the people answerable for the budget, not the
# consultant who would do the extra visit.
OVERRIDE_ROLES: tuple[str, ...] = (LEAD, PREFECTURE)

# The remedy for a full fiscal-year quota: the prefecture changes the budget.
SET_BUDGET = "set_budget"

_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


@dataclass(frozen=True)
class Quotas:
    """The numbers the prefecture sets within the budget."""

    total: int = 470
    standardization: int = 360
    monthly_cap: int = 2


@dataclass(frozen=True)
class QuotaUse:
    """What is already used, not counting the dispatch being planned.

    ``month_count`` counts this engagement's planned, confirmed and held
    dispatches in ``month``; ``fy_count`` and ``std_count`` count the fiscal
    year's, all and standardisation only.
    """

    engagement_id: int
    month: str
    month_count: int
    fy_count: int
    std_count: int


def ordinal(n: int) -> str:
    """``third`` for 3; ``11th`` past the words."""
    if 1 <= n <= len(_ORDINALS):
        return _ORDINALS[n - 1]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def quota_unmet(
    quotas: Quotas,
    use: QuotaUse,
    *,
    standardization: bool,
    override: str | None,
    actor_role: str,
) -> list[Unmet]:
    """Every quota one more dispatch would break, each naming its use and limit."""
    unmet: list[Unmet] = []
    lifted = given(override) and actor_role in OVERRIDE_ROLES
    if use.month_count + 1 > quotas.monthly_cap and not lifted:
        reason = (
            f"monthly cap: engagement {use.engagement_id} already has {use.month_count} of "
            f"{quotas.monthly_cap} dispatches in {use.month}; a {ordinal(use.month_count + 1)} "
            f"needs an override, with its reason, by the lead or the prefecture"
        )
        if given(override):
            reason += f"; a {actor_role}'s override does not count"
        unmet.append(Unmet(reason, field="override"))
    if use.fy_count + 1 > quotas.total:
        unmet.append(
            Unmet(
                f"fiscal-year quota: {use.fy_count} of {quotas.total} dispatches used, "
                f"a hard limit only the prefecture moves",
                field="total",
                remedy=SET_BUDGET,
            )
        )
    if standardization and use.std_count + 1 > quotas.standardization:
        unmet.append(
            Unmet(
                f"standardisation quota: {use.std_count} of {quotas.standardization} "
                f"standardisation dispatches used, a hard limit only the prefecture moves",
                field="standardization",
                remedy=SET_BUDGET,
            )
        )
    return unmet
