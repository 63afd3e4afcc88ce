"""The dispatch budget: used / committed / left, per theme and in total; the quotas."""

from __future__ import annotations

from datetime import date
from typing import Any

from banso.engine.clock import tokyo_date
from banso.engine.era import fiscal_year
from banso.engine.errors import InvalidValue, Refused
from banso.services.context import Services
from banso.services.decisions import OnBehalf, decider
from banso.services.dispatches import year_use
from banso.services.stored import setting
from banso.services.transitions import audit_change
from banso.workflows.programme import COUNTED


def budget(services: Services) -> dict[str, Any]:
    """The fiscal year's dispatches against the quotas, and the months left."""
    today = tokyo_date(services.clock.now())
    fy = fiscal_year(today)
    with services.uow(readonly=True) as uow:
        quota, contract = setting(uow, "quota"), setting(uow, "contract")
        dispatches = uow.records.find("dispatch", where={"fiscal_year": fy}, states=COUNTED)
        consultations = uow.records.count("consultation", where={"fiscal_year": fy})
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
    return {
        "fiscal_year": fy,
        "total": {
            **total,
            "limit": quota["total"],
            "left": quota["total"] - total["held"] - total["committed"],
        },
        "standardization": {
            **std,
            "limit": quota["standardization"],
            "left": quota["standardization"] - std["held"] - std["committed"],
        },
        "monthly_cap": quota["monthly_cap"],
        "themes": sorted(per_theme.values(), key=lambda e: e["theme"]),
        "months_left": months_left,
        "consultations": {
            "count": consultations,
            "expected": contract.get("consultations_expected", 50),
        },
    }


def set_quotas(
    services: Services,
    user: str | None,
    *,
    total: int | None = None,
    standardization: int | None = None,
    monthly_cap: int | None = None,
    on_behalf: OnBehalf | None = None,
) -> dict[str, int]:
    """Change the dispatch quotas (prefecture only); never below what is already used."""
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
        used, std_used = year_use(uow, fy)
        for option, value, floor in (
            ("--total", total, used),
            ("--standardization", standardization, std_used),
        ):
            if value is not None and value < floor:
                raise Refused(
                    f"{option} {value} is below the {floor} dispatches already planned or held "
                    "this fiscal year; cancel dispatches first or choose a larger number"
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
                "--standardization", new["standardization"], f"at most the total {new['total']}"
            )
        uow.settings.put("quota", new)
        audit_change(
            services, uow, actor, "budget", fy, "set", {"before": quota, "after": new, **decided}
        )
        uow.commit()
    return new
