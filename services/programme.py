"""Setting the programme up: its dates and quotas, its deliverables, master data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from banso.engine.calendar import DueDate
from banso.engine.clock import tokyo_date
from banso.engine.deadlines import ACTIVE
from banso.engine.era import format_date
from banso.engine.errors import InvalidValue, Refused
from banso.engine.reminders import first_step
from banso.engine.runner import Outcome
from banso.engine.workflow import SYSTEM, Actor
from banso.services.context import Services
from banso.services.decisions import OnBehalf, decider
from banso.services.effects import Effects
from banso.services.ports import UnitOfWork
from banso.services.transitions import audit_change
from banso.workflows.programme import (
    LEAD,
    ORG_KINDS,
    ROSTER_CHANGE_DAYS,
    ProgrammeConfig,
    monthly_meeting_deadline,
    monthly_meeting_period,
    months,
    next_roster_version,
    programme_config,
    programme_deliverables,
    roster_title,
    stored_table,
)


def configure(services: Services, table: Mapping[str, Any], where: str) -> list[str]:
    """`banso init`: store the settings and create what the programme owes that is missing.

    On an existing database the stored settings stay as they are, whatever
    ``table`` says: contract dates, the contractor and quotas are the prefecture's
    to change, through `banso programme set` and `banso budget set` (audited).
    ``ignored_settings`` says which given values init left alone. Returns what changed.
    """
    programme_config(table, where)  # bad input: refuse before any change
    with services.uow() as uow:
        config = programme_config({**stored_table(uow.settings.get("contract")), **table}, where)
        changes = setup_programme(services, uow, config, explicit=False)
        uow.commit()
    return changes


def ignored_settings(services: Services, table: Mapping[str, Any]) -> list[str]:
    """The ``[programme]`` keys ``table`` gives that differ from what is stored (init
    leaves them alone on an existing database); empty before the first init."""
    with services.uow(readonly=True) as uow:
        contract, quota = uow.settings.get("contract"), uow.settings.get("quota")
    if contract is None:
        return []
    stored = {**stored_table(contract), **(quota or {})}
    given = programme_config({**stored, **table}, "[programme] / init flags")
    wanted = {**stored_table(given.contract()), **given.quota()}
    return sorted(k for k in table if wanted.get(k) != stored.get(k))


QUOTA_KEYS = ("total", "standardization", "monthly_cap")


def set_programme(
    services: Services,
    user: str | None,
    table: Mapping[str, Any],
    *,
    on_behalf: OnBehalf | None = None,
) -> dict[str, Any]:
    """Change the stored programme settings (contract dates, the contractor, the plan
    documents, the deadline days): a decision of the prefecture, made directly or recorded
    by the lead on its behalf, audited with what was before and after. Returns the changes."""
    where = "banso programme set"
    for key in table:
        if key in QUOTA_KEYS:
            raise InvalidValue(
                where, key, "a contract setting; quotas change with `banso budget set`"
            )
    programme_config(table, where)  # bad input: refuse before any change
    with services.uow() as uow:
        actor, decided = decider(services, uow, user, "change the programme settings", on_behalf)
        stored = uow.settings.get("contract")
        if stored is None:
            raise Refused("the programme is not set up yet; run `banso init` first")
        before = stored_table(stored)
        config = programme_config({**before, **table}, where)
        done = setup_programme(services, uow, config, explicit=True)
        after = stored_table(uow.settings.get("contract"))
        changed: dict[str, Any] = {k: {"before": before.get(k), "after": v}
                                   for k, v in after.items()
                                   if str(before.get(k)) != str(v)}  # fmt: skip
        if changed:
            # The open programme deadlines follow the new dates; say which moved.
            moved = [line.removeprefix("moved: ") for line in done if line.startswith("moved: ")]
            audit_change(services, uow, actor, "programme", 1, "set",
                         {"settings": changed, "moved": moved, **decided})  # fmt: skip
            uow.commit()
            if moved:
                changed["moved"] = moved
    return changed


def setup_programme(
    services: Services, uow: UnitOfWork, config: ProgrammeConfig, *, explicit: bool
) -> list[str]:
    """Store the settings and create the programme's deliverables that are missing.

    Stored dates change only when given ``explicit``-ly (flags or [programme]);
    quotas, once stored, change only through `banso budget set`.
    """
    effects = Effects(services)
    changes: list[str] = []
    moved_dates = False
    for key, value in (("contract", config.contract()), ("quota", config.quota())):
        stored = uow.settings.get(key)
        if stored is None or (key == "contract" and explicit and stored != value):
            uow.settings.put(key, value)
            changes.append(f"{key} settings")
            if key == "quota":
                # In the chain from the start, so that `audit verify` can compare them.
                audit_change(
                    services, uow, SYSTEM, "budget",
                    config.contract_start.year, "init", {"after": value},
                )  # fmt: skip
            moved_dates = stored is not None and key == "contract"
    if moved_dates:
        changes += [f"moved: {line}" for line in move_programme_deadlines(services, uow, config)]
    for planned in programme_deliverables(config):
        exists = uow.records.count(
            "deliverable", where={"kind": planned.kind, "period": planned.period}
        )
        if not exists:
            create_deliverable(
                services,
                uow,
                {
                    "kind": planned.kind,
                    "title": planned.title,
                    "period": planned.period,
                    "roster_version": planned.roster_version,
                },
                planned.due,
                planned.basis,
            )
            changes.append(planned.title)
    for first in months(config.contract_start, config.contract_end):
        title, last, basis, rule = monthly_meeting_deadline(first)
        opened = effects.open(
            uow,
            obligation="monthly_meeting",
            title=title,
            about_kind="programme",
            about_id=first.year * 100 + first.month,
            org_id=None,
            due=effects.due_date(uow, last, basis, rule),
            responsible=LEAD,
            now=services.clock.now(),
        )
        if opened:
            changes.append(f"monthly meeting {first:%Y-%m}")
    return changes


def move_programme_deadlines(
    services: Services, uow: UnitOfWork, config: ProgrammeConfig
) -> list[str]:
    """The contract dates or the kickoff changed (``config``, already stored): every
    programme deadline still open follows them; met ones stay as they were.
    Returns what moved, one line each ("title: old → new")."""
    effects = Effects(services)
    now = services.clock.now()
    moved: list[str] = []

    def move(kind: str | None, about_id: int, obligation: str, due: DueDate, title: str) -> None:
        current = uow.deadlines.find(kind, about_id, obligation)
        if current is None or current.status not in ACTIVE:
            return
        if (current.due_as_written, current.due, current.explanation) == (
            due.as_written,
            due.effective,
            due.explanation,
        ):
            return
        step = first_step(services.policy, services.calendar, due.effective, now)
        uow.deadlines.move(
            kind,
            about_id,
            obligation,
            due,
            first_step=step.index if step else 0,
            first_fire_at=step.fire_at if step else None,
        )
        moved.append(f"{title}: {current.due.isoformat()} → {due.effective.isoformat()}")

    for planned in programme_deliverables(config):
        where: dict[str, Any] = {"kind": planned.kind, "period": planned.period}
        if planned.roster_version is not None:
            where["roster_version"] = planned.roster_version
        for d in uow.records.find("deliverable", where=where):
            due = effects.due_date(uow, planned.due, planned.basis)
            move("deliverable", d.id, "submission", due, f"{d.data['title']}の提出")
    for first in months(config.contract_start, config.contract_end):
        title, last, basis, rule = monthly_meeting_deadline(first)
        due = effects.due_date(uow, last, basis, rule)
        move("programme", monthly_meeting_period(f"{first:%Y-%m}"), "monthly_meeting", due, title)
    return moved


def set_kickoff(services: Services, uow: UnitOfWork, day: date) -> list[str]:
    """The kickoff is on ``day`` (the kickoff meeting was scheduled or moved): store it
    and move what is due at it. Returns what moved."""
    stored = uow.settings.get("contract")
    if stored is None or stored.get("kickoff") == day.isoformat():
        return []
    config = programme_config({**stored_table(stored), "kickoff": day}, "the kickoff meeting")
    uow.settings.put("contract", config.contract())
    return move_programme_deadlines(services, uow, config)


def create_deliverable(
    services: Services,
    uow: UnitOfWork,
    data: dict[str, Any],
    as_written: date,
    basis: str,
    why: str | None = None,
    actor: Actor = SYSTEM,
) -> Outcome:
    """A deliverable and the deadline for submitting it (met by `deliverable submit`)."""
    effects = Effects(services)
    outcome = services.runner.create(
        uow, "deliverable", actor=actor, data=data, payload={"reason": why} if why else None
    )
    effects.open(
        uow,
        obligation="submission",
        title=f"{data['title']}の提出",
        about_kind="deliverable",
        about_id=outcome.record.id,
        org_id=None,
        due=effects.due_date(uow, as_written, basis),
        responsible=LEAD,
        now=services.clock.now(),
    )
    return outcome


def new_roster_version(services: Services, uow: UnitOfWork, why: str) -> str | None:
    """A consultant was added, changed or removed: the expert roster needs a new version
    (unless the latest is not drafted yet). Returns the new roster's title."""
    rosters = uow.records.find("deliverable", where={"kind": "expert_roster"})
    latest = max(rosters, key=lambda r: r.data["roster_version"] or 0, default=None)
    version = next_roster_version(
        latest.state if latest else None, latest.data["roster_version"] if latest else None
    )
    if version is None:
        return None
    title = roster_title(version)
    start = tokyo_date(services.clock.now())
    create_deliverable(
        services,
        uow,
        {"kind": "expert_roster", "title": title, "period": None, "roster_version": version},
        services.calendar.add_business_days(start, ROSTER_CHANGE_DAYS),
        f"変更（{format_date(start)}）から{ROSTER_CHANGE_DAYS}営業日以内",
        why=why,
    )
    return title


@dataclass(frozen=True)
class OrgRow:
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class ThemeRow:
    code: str
    name: str
    standardization: bool
    parent: str | None


def load_master_data(
    services: Services, orgs: Sequence[OrgRow], themes: Sequence[ThemeRow]
) -> list[str]:
    """Add organisations and themes (codes already known are left as they are)."""
    added: list[str] = []
    with services.uow() as uow:
        for n, row in enumerate(orgs, start=2):
            if row.kind not in ORG_KINDS:
                where = f"organisations.csv row {n}, column kind"
                raise InvalidValue(where, row.kind, "an org kind")
            if uow.directory.org(row.code) is None:
                uow.directory.add_org(row.code, row.name, row.kind)
                added.append(row.code)
        for n, theme in enumerate(themes, start=2):
            if uow.directory.theme(theme.code) is not None:
                continue
            parent_id = None
            if theme.parent:
                parent = uow.directory.theme(theme.parent)
                if parent is None:
                    where = f"themes.csv row {n}, column parent"
                    raise InvalidValue(where, theme.parent, "a code above")
                parent_id = parent.id
            uow.directory.add_theme(theme.code, theme.name, theme.standardization, parent_id)
            added.append(theme.code)
        uow.commit()
    return added
