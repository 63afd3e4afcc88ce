"""The dispatch budget: used / committed / left, per theme and in total; the quotas."""

from __future__ import annotations

from datetime import date
from typing import Any

from banso.engine.clock import tokyo_date
from banso.engine.era import fiscal_year, format_fiscal_year
from banso.engine.errors import InvalidValue, Refused
from banso.engine.phrase import Phrase
from banso.services.context import Services
from banso.services.decisions import OnBehalf, decider
from banso.services.dispatches import year_use
from banso.services.ports import UnitOfWork
from banso.services.stored import setting
from banso.services.transitions import audit_change
from banso.workflows import engagement
from banso.workflows.programme import COUNTED
from banso.workflows.quotas import standardization_note

# Engagements whose approved plan still promises dispatches.
PLANNING = (engagement.PLAN_APPROVED, engagement.IN_SUPPORT)


def plan_commitments(uow: UnitOfWork, fy: int) -> dict[str, int]:
    """What the approved plans of engagements still going commit: the dispatches they
    plan, and of those the ones not planned yet (``to_plan``)."""
    planned = to_plan = 0
    for e in uow.records.find(engagement.KIND, states=PLANNING):
        number = e.data.get("planned_dispatches")
        if number is None:
            continue
        used = uow.records.count(
            "dispatch", where={"engagement_id": e.id, "fiscal_year": fy}, states=COUNTED
        )
        planned += number
        to_plan += max(0, number - used)
    return {"planned": planned, "to_plan": to_plan}


def budget(services: Services) -> dict[str, Any]:
    """The fiscal year's dispatches against the quotas, and the months left."""
    today = tokyo_date(services.clock.now())
    fy = fiscal_year(today)
    with services.uow(readonly=True) as uow:
        quota, contract = setting(uow, "quota"), setting(uow, "contract")
        dispatches = uow.records.find("dispatch", where={"fiscal_year": fy}, states=COUNTED)
        consultations = uow.records.count("consultation", where={"fiscal_year": fy})
        plans = plan_commitments(uow, fy)
        theme_of: dict[int, Any] = {}
        per_theme: dict[str, dict[str, Any]] = {}
        total = {"held": 0, "committed": 0}
        std = {"held": 0, "committed": 0}
        for d in dispatches:
            eid = d.data["engagement_id"]
            if eid not in theme_of:
                theme_id = uow.records.get("engagement", eid).data["theme_id"]
                theme_of[eid] = uow.directory.theme_by_id(theme_id)
            theme = theme_of[eid]
            entry = per_theme.setdefault(
                theme.code, {"theme": theme.code, "name": theme.name, "held": 0, "committed": 0}
            )
            key = "held" if d.state == "held" else "committed"
            entry[key] += 1
            total[key] += 1
            if d.data["standardization"]:
                std[key] += 1
    end = date.fromisoformat(contract["end"])
    months_left = (
        max(0, (end.year - today.year) * 12 + end.month - today.month + 1) if today <= end else 0
    )
    left = quota["total"] - total["held"] - total["committed"]
    std_used = std["held"] + std["committed"]
    return {
        "fiscal_year": fy,
        # The budget agreed with the prefecture: the hard limit.
        "total": {**total, "limit": quota["total"], "left": left},
        # 標準化支援 "を見込む": a target; past it, a warning, never a refusal.
        "standardization": {
            **std,
            "target": quota["standardization"],
            "left": quota["standardization"] - std_used,
            "warning": standardization_note(std_used, quota["standardization"]),
        },
        # What the approved plans still promise beyond the dispatches already planned:
        # the budget left after them is what a new plan may count on.
        "plans": {**plans, "left_after_plans": left - plans["to_plan"]},
        "monthly_cap": quota["monthly_cap"],
        "themes": sorted(per_theme.values(), key=lambda e: e["theme"]),
        "months_left": months_left,
        "consultations": {
            "count": consultations,
            "expected": contract.get("consultations_expected", 50),
        },
    }


def budget_text(data: dict[str, Any]) -> str:
    """`banso budget` for people (the command and the demo print the same)."""
    total, std, plans = data["total"], data["standardization"], data["plans"]
    lines = [
        f"{format_fiscal_year(data['fiscal_year'])} dispatches: {total['held']} held, "
        f"{total['committed']} planned/confirmed, {total['left']} left of the budget "
        f"{total['limit']}",
        f"  approved plans: {plans['planned']} dispatches, {plans['to_plan']} of them not "
        f"planned yet; {plans['left_after_plans']} left after them",
        f"  標準化支援: {std['held']} held, {std['committed']} planned/confirmed, "
        f"target {std['target']}",
        f"  monthly cap per organisation and theme: {data['monthly_cap']}; "
        f"months left in the contract: {data['months_left']}",
        f"consultations: {data['consultations']['count']} of about "
        f"{data['consultations']['expected']} expected",
    ]
    if std["warning"]:
        lines.append(f"warning: {std['warning']}")
    return "\n".join(lines)


def set_quotas(
    services: Services,
    user: str | None,
    *,
    total: int | None = None,
    standardization: int | None = None,
    monthly_cap: int | None = None,
    on_behalf: OnBehalf | None = None,
) -> dict[str, int]:
    """Change the dispatch quotas (prefecture only); the budget never below what is
    already used (the standardisation figure is a target and may be)."""
    for option, value in (
        ("--total", total),
        ("--standardization", standardization),
        ("--monthly-cap", monthly_cap),
    ):
        if value is not None and value < 0:
            raise InvalidValue(option, value, "a whole number ≥ 0")
    with services.uow() as uow:
        actor, decided = decider(services, uow, user, "change the budget", on_behalf)
        quota = setting(uow, "quota", lock=True)
        fy = fiscal_year(tokyo_date(services.clock.now()))
        used, _std_used = year_use(uow, fy)
        if total is not None and total < used:
            raise Refused(
                Phrase(
                    "--total {total} is below the {used} dispatches already planned or held "
                    "this fiscal year; cancel dispatches first or choose a larger number",
                    total=total,
                    used=used,
                )
            )
        new = {
            "total": quota["total"] if total is None else total,
            "standardization": quota["standardization"]
            if standardization is None
            else standardization,
            "monthly_cap": quota["monthly_cap"] if monthly_cap is None else monthly_cap,
        }
        if new["standardization"] > new["total"]:
            raise InvalidValue(
                "--standardization",
                new["standardization"],
                Phrase("at most the total {total}", total=new["total"]),
            )
        uow.settings.put("quota", new)
        audit_change(
            services, uow, actor, "budget", fy, "set", {"before": quota, "after": new, **decided}
        )
        uow.commit()
    return new
