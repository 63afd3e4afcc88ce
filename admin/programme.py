"""Setting the programme up: its dates and quotas, its deliverables, sample master data."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from banso.admin.effects import LEAD, Effects
from banso.engine.calendar import BusinessCalendar, HolidayRule
from banso.engine.clock import parse_date, tokyo_date
from banso.engine.era import format_date, format_year
from banso.engine.errors import InvalidValue, NotFound
from banso.engine.runner import TransitionRunner
from banso.engine.workflow import SYSTEM
from banso.storage.models import Deliverable, Organisation, ProgrammeSetting, Theme
from banso.storage.queries import put_setting
from banso.storage.uow import SqlUnitOfWork
from banso.workflows import DELIVERABLE_KINDS

SAMPLES = Path(__file__).with_name("samples")
ORG_KINDS = ("prefecture", "department", "city", "town", "village")


@dataclass(frozen=True)
class ProgrammeConfig:
    """The programme's dates and numbers (``[programme]`` in banso.toml, or init flags)."""

    contract_start: date = date(2026, 4, 1)
    contract_end: date = date(2027, 3, 31)
    kickoff: date | None = None
    org_chart_business_days: int = 5
    holiday_rule: str = HolidayRule.NEXT_BUSINESS_DAY.value
    total: int = 470
    standardization: int = 360
    monthly_cap: int = 2
    consultations_expected: int = 50
    contractor: str = "受託者"  # the contractor's name, as signatures show it
    # Business days allowed for the per-record obligations (issue: deadlines).
    hearing_days: int = 10
    plan_days: int = 10
    dispatch_record_days: int = 3
    first_contact_days: int = 3

    def contract(self) -> dict[str, Any]:
        return {
            "start": self.contract_start.isoformat(),
            "end": self.contract_end.isoformat(),
            "kickoff": (self.kickoff or self.contract_start).isoformat(),
            "org_chart_business_days": self.org_chart_business_days,
            "holiday_rule": self.holiday_rule,
            "consultations_expected": self.consultations_expected,
            "contractor": self.contractor,
            # Keyed by the obligation names the workflows declare (OpenDeadline).
            "deadline_days": {
                "hearing": self.hearing_days,
                "plan": self.plan_days,
                "record": self.dispatch_record_days,
                "first_contact": self.first_contact_days,
            },
        }

    def quota(self) -> dict[str, int]:
        return {
            "total": self.total,
            "standardization": self.standardization,
            "monthly_cap": self.monthly_cap,
        }


def programme_config(table: Mapping[str, Any], where: str = "[programme]") -> ProgrammeConfig:
    """Read the ``[programme]`` table; every key and value is checked."""
    known = {f.name: f for f in fields(ProgrammeConfig)}
    values: dict[str, Any] = {}
    for key, raw in table.items():
        if key not in known:
            raise InvalidValue(f"{where} key {key!r}", raw, "one of " + ", ".join(sorted(known)))
        if key in ("contract_start", "contract_end", "kickoff"):
            values[key] = raw if isinstance(raw, date) else parse_date(str(raw), f"{where} {key}")
        elif key == "contractor":
            if not isinstance(raw, str) or not raw.strip() or "\n" in raw:
                raise InvalidValue(f"{where} contractor", raw, "the contractor's name on one line")
            values[key] = raw.strip()
        elif key == "holiday_rule":
            if raw not in {r.value for r in HolidayRule}:
                rules = ", ".join(r.value for r in HolidayRule)
                raise InvalidValue(f"{where} holiday_rule", raw, rules)
            values[key] = raw
        else:
            if not isinstance(raw, int) or isinstance(raw, bool) or raw < 0:
                raise InvalidValue(f"{where} {key}", raw, "a whole number ≥ 0")
            values[key] = raw
    config = replace(ProgrammeConfig(), **values)
    return check_dates(config)


def stored_programme(uow: SqlUnitOfWork) -> dict[str, Any]:
    """The stored contract settings, as ``[programme]`` keys (empty before the first init)."""
    row = uow.session.get(ProgrammeSetting, "contract")
    if row is None:
        return {}
    c = row.value
    return {
        "contract_start": c["start"],
        "contract_end": c["end"],
        "kickoff": c["kickoff"],
        "org_chart_business_days": c["org_chart_business_days"],
        "holiday_rule": c["holiday_rule"],
        "consultations_expected": c["consultations_expected"],
        "contractor": c.get("contractor", "受託者"),
        **{
            name: c.get("deadline_days", {}).get(obligation, default)
            for name, obligation, default in (
                ("hearing_days", "hearing", 10),
                ("plan_days", "plan", 10),
                ("dispatch_record_days", "record", 3),
                ("first_contact_days", "first_contact", 3),
            )
        },
    }


def check_dates(config: ProgrammeConfig) -> ProgrammeConfig:
    if config.contract_end <= config.contract_start:
        raise InvalidValue(
            "contract end", config.contract_end.isoformat(), "a date after the start"
        )
    kickoff = config.kickoff
    if kickoff and not config.contract_start <= kickoff <= config.contract_end:
        raise InvalidValue("kickoff", kickoff.isoformat(), "a date inside the contract")
    if config.standardization > config.total:
        raise InvalidValue(
            "standardization", config.standardization, f"at most total {config.total}"
        )
    return config


def months(start: date, end: date) -> list[date]:
    """First days of every month from ``start``'s to ``end``'s."""
    out, d = [], date(start.year, start.month, 1)
    while d <= end:
        out.append(d)
        d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out


def setup_programme(
    uow: SqlUnitOfWork,
    runner: TransitionRunner,
    effects: Effects,
    config: ProgrammeConfig,
    *,
    explicit: bool,
) -> list[str]:
    """Store the settings and create the programme's deliverables that are missing.

    Stored dates change only when given ``explicit``-ly (flags or [programme]);
    quotas, once stored, change only through `banso budget set`. Returns what
    it changed (empty when all was already there).
    """
    changes: list[str] = []

    for key, value in (("contract", config.contract()), ("quota", config.quota())):
        row = uow.session.get(ProgrammeSetting, key)
        if row is None or (key == "contract" and explicit and row.value != value):
            put_setting(uow.session, key, value)
            changes.append(f"{key} settings")
    wanted: list[tuple[str, str, str | None, int | None]] = [
        ("org_chart", DELIVERABLE_KINDS["org_chart"][0], None, None),
        ("implementation_plan", DELIVERABLE_KINDS["implementation_plan"][0], None, None),
        ("expert_roster", f"{DELIVERABLE_KINDS['expert_roster'][0]}（第1版）", None, 1),
    ]
    for first in months(config.contract_start, config.contract_end):
        title = f"{DELIVERABLE_KINDS['monthly_report'][0]}（{format_year(first)}{first.month}月分）"
        wanted.append(("monthly_report", title, f"{first:%Y-%m}", None))
    wanted.append(("completion_report", DELIVERABLE_KINDS["completion_report"][0], None, None))
    for kind, title, period, roster_version in wanted:
        exists = uow.session.scalar(
            select(func.count())
            .select_from(Deliverable)
            .where(
                Deliverable.kind == kind,
                Deliverable.period.is_(None) if period is None else Deliverable.period == period,
            )
        )
        if not exists:
            data: dict[str, Any] = {"kind": kind, "title": title, "period": period}
            data["roster_version"] = roster_version
            as_written, basis = _deliverable_due(config, kind, period)
            _create_deliverable(uow, runner, effects, data, as_written, basis)
            changes.append(title)
    for first in months(config.contract_start, config.contract_end):
        last = date(first.year + (first.month == 12), first.month % 12 + 1, 1) - timedelta(days=1)
        opened = effects.open(
            uow,
            obligation="monthly_meeting",
            title=f"定例報告会の開催（{format_year(first)}{first.month}月）",
            about_kind="programme",
            about_id=first.year * 100 + first.month,
            org_id=None,
            # "Held in each month": the last business day of the month, never the next month.
            due=effects.due_date(
                uow, last, f"毎月1回開催（{first.month}月中）", HolidayRule.PREVIOUS_BUSINESS_DAY
            ),
            responsible=LEAD,
            now=runner.clock.now(),
        )
        if opened:
            changes.append(f"monthly meeting {first:%Y-%m}")
    return changes


def _create_deliverable(
    uow: SqlUnitOfWork,
    runner: TransitionRunner,
    effects: Effects,
    data: dict[str, Any],
    as_written: date,
    basis: str,
    why: str | None = None,
) -> None:
    """A deliverable and the deadline for submitting it (met by `deliverable submit`)."""
    outcome = runner.create(
        uow, "deliverable", actor=SYSTEM, data=data, payload={"reason": why} if why else None
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
        now=runner.clock.now(),
    )


def _deliverable_due(config: ProgrammeConfig, kind: str, period: str | None) -> tuple[date, str]:
    """The due date as written in spec §9, and how it was derived."""
    if kind == "org_chart":
        days = config.org_chart_business_days
        due = BusinessCalendar().add_business_days(config.contract_start, days)
        return due, f"契約締結後速やかに（{days}営業日以内）"
    if kind in ("implementation_plan", "expert_roster"):
        return config.kickoff or config.contract_start, "キックオフ会議時"
    if kind == "monthly_report" and period:
        first = date.fromisoformat(f"{period}-01")
        following = date(first.year + (first.month == 12), first.month % 12 + 1, 10)
        return following, "翌月10日まで"
    return config.contract_end, f"{format_date(config.contract_end)}（契約終了日）"


def new_roster_version(
    uow: SqlUnitOfWork, runner: TransitionRunner, effects: Effects, why: str
) -> str | None:
    """A consultant was added, changed or removed: the expert roster needs a new version.

    A version not yet drafted will simply list the change, so only a roster
    that has moved on (drafted or later) gets a successor.
    """
    latest = uow.session.scalars(
        select(Deliverable)
        .where(Deliverable.kind == "expert_roster")
        .order_by(Deliverable.roster_version.desc())
    ).first()
    if latest is not None and latest.state == "pending":
        return None
    version = (latest.roster_version or 0) + 1 if latest else 1
    title = f"{DELIVERABLE_KINDS['expert_roster'][0]}（第{version}版）"
    start = tokyo_date(runner.clock.now())
    _create_deliverable(
        uow,
        runner,
        effects,
        {"kind": "expert_roster", "title": title, "period": None, "roster_version": version},
        effects.calendar.add_business_days(start, 5),
        f"変更（{start.isoformat()}）から5営業日以内",
        why=why,
    )
    return title


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def load_sample(uow: SqlUnitOfWork, name: str) -> list[str]:
    """Load a sample's organisations and themes (existing codes are left as they are)."""
    folder = SAMPLES / name
    if not folder.is_dir():
        available = ", ".join(sorted(p.name for p in SAMPLES.iterdir() if p.is_dir()))
        raise NotFound("sample", name, f"available: {available}")
    added: list[str] = []
    session = uow.session
    for n, row in enumerate(_rows(folder / "organisations.csv"), start=2):
        if row["kind"] not in ORG_KINDS:
            raise InvalidValue(
                f"organisations.csv row {n}, column kind", row["kind"], "an org kind"
            )
        if session.scalars(select(Organisation).where(Organisation.code == row["code"])).first():
            continue
        session.add(Organisation(code=row["code"], name=row["name"], kind=row["kind"]))
        added.append(row["code"])
    session.flush()
    for n, row in enumerate(_rows(folder / "themes.csv"), start=2):
        if session.scalars(select(Theme).where(Theme.code == row["code"])).first():
            continue
        parent_id = None
        if row["parent"]:
            parent = session.scalars(select(Theme).where(Theme.code == row["parent"])).first()
            if parent is None:
                raise InvalidValue(
                    f"themes.csv row {n}, column parent", row["parent"], "a code above"
                )
            parent_id = parent.id
        std = row["standardization"].lower() in ("yes", "true", "1")
        session.add(
            Theme(code=row["code"], name=row["name"], standardization=std, parent_id=parent_id)
        )
        session.flush()
        added.append(row["code"])
    return added
