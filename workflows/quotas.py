"""The dispatch quotas (spec §6(2)③) and the judgement of one more dispatch.

"最大月2回程度" per theme a month is a soft cap the lead or the prefecture may
exceed with a reason. The theme is the survey's theme: a sub-theme (住民基本台帳
under 情報システム標準化) counts with its top-level theme, so that opening
engagements side by side does not multiply the cap.

"年間計470回を想定" and "うち標準化支援360回を見込む" are expectations; the
binding limit is the budget agreed with the prefecture ("予算の範囲内において、県と
調整の上決定"): ``total`` is that hard limit, only the prefecture moves it (the
``set_budget`` remedy); ``standardization`` is a target a dispatch past it is
warned about, not refused. The approved plan's number of dispatches is the
engagement's own limit: past it, an override with a reason or a revised plan.
"""

from __future__ import annotations

from dataclasses import dataclass

from banso.engine.errors import Unmet
from banso.engine.phrase import Phrase
from banso.workflows.checks import given, id_list
from banso.workflows.roles import LEAD, PREFECTURE, ROLE_LABELS

# Who may lift the monthly cap and the plan's number: the people answerable for
# the budget, not the consultant who would do the extra visit.
OVERRIDE_ROLES: tuple[str, ...] = (LEAD, PREFECTURE)

# The remedy for a full budget: the prefecture changes it.
SET_BUDGET = "set_budget"
# The remedy for a plan's number reached: the prefecture agrees a revised plan.
REVISE_PLAN = "revise_plan"

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

    ``month_count`` counts the planned, confirmed and held dispatches in
    ``month`` of this engagement and of ``family``, the other engagements of
    the same organisation on the same top-level ``theme``; ``fy_count`` and
    ``std_count`` count the fiscal year's, all and standardisation only.
    ``planned`` is the approved plan's number of dispatches (None: no number),
    ``engagement_count`` this engagement's dispatches in all months.
    """

    engagement_id: int
    month: str
    month_count: int
    fy_count: int
    std_count: int
    family: tuple[int, ...] = ()
    theme: str = ""
    planned: int | None = None
    engagement_count: int = 0


def ordinal(n: int) -> str:
    """``third`` for 3; ``11th`` past the words."""
    if 1 <= n <= len(_ORDINALS):
        return _ORDINALS[n - 1]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _monthly_holder(use: QuotaUse) -> Phrase:
    if not use.family:
        return Phrase("engagement {id} already has", id=use.engagement_id)
    ids = id_list(sorted((use.engagement_id, *use.family)))
    if use.theme:
        return Phrase(
            "engagements {ids} on {theme} (a sub-theme counts with its top-level theme) "
            "already have",
            ids=ids,
            theme=use.theme,
        )
    return Phrase(
        "engagements {ids} (a sub-theme counts with its top-level theme) already have", ids=ids
    )


def quota_unmet(
    quotas: Quotas,
    use: QuotaUse,
    *,
    standardization: bool,
    override: str | None,
    actor_role: str,
) -> list[Unmet]:
    """Every limit one more dispatch would break, each naming its use and limit.

    The standardisation target is not one of them: see :func:`quota_notes`.
    """
    del standardization  # a target, not a limit (quota_notes)
    unmet: list[Unmet] = []
    lifted = given(override) and actor_role in OVERRIDE_ROLES
    not_yours: str = (
        Phrase(
            "; a {role}'s override does not count",
            role=actor_role,
            role_label=ROLE_LABELS.get(actor_role, actor_role),
        )
        if given(override)
        else ""
    )
    if use.month_count + 1 > quotas.monthly_cap and not lifted:
        reason = Phrase(
            "monthly cap: {holder} {count} of {cap} dispatches in {month}; a {nth} needs an "
            "override, with its reason, by the lead or the prefecture{not_yours}",
            holder=_monthly_holder(use),
            count=use.month_count,
            cap=quotas.monthly_cap,
            month=use.month,
            nth=ordinal(use.month_count + 1),
            next=use.month_count + 1,
            not_yours=not_yours,
        )
        unmet.append(Unmet(reason, field="override"))
    if use.planned is not None and use.engagement_count + 1 > use.planned and not lifted:
        reason = Phrase(
            "approved plan: engagement {id} planned {planned} dispatches and has {count}; "
            "a {nth} needs an override, with its reason, by the lead or the prefecture, "
            "or a revised plan{not_yours}",
            id=use.engagement_id,
            planned=use.planned,
            count=use.engagement_count,
            nth=ordinal(use.engagement_count + 1),
            next=use.engagement_count + 1,
            not_yours=not_yours,
        )
        unmet.append(Unmet(reason, field="override", remedy=REVISE_PLAN))
    if use.fy_count + 1 > quotas.total:
        unmet.append(
            Unmet(
                Phrase(
                    "fiscal-year quota: {used} of {total} dispatches used, the budget agreed "
                    "with the prefecture, a hard limit only the prefecture moves",
                    used=use.fy_count,
                    total=quotas.total,
                ),
                field="total",
                remedy=SET_BUDGET,
            )
        )
    return unmet


def standardization_note(std_count: int, target: int) -> str | None:
    """The warning when ``std_count`` standardisation dispatches pass the target."""
    if std_count <= target:
        return None
    return Phrase(
        "standardisation target passed: {count} standardisation dispatches against the "
        "{target} expected (うち標準化支援{target}回を見込む); accepted within the budget",
        count=std_count,
        target=target,
    )


def quota_notes(quotas: Quotas, use: QuotaUse, *, standardization: bool) -> list[str]:
    """What one more, accepted dispatch should tell the person planning it."""
    if not standardization:
        return []
    note = standardization_note(use.std_count + 1, quotas.standardization)
    return [note] if note else []
