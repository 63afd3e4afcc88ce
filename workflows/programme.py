"""The programme's own rules: its dates and numbers, §9 due dates, what counts.

Pure: the use cases in ``services`` ask these functions and store the answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from typing import Any

from banso.engine.calendar import BusinessCalendar, HolidayRule
from banso.engine.clock import parse_date
from banso.engine.era import format_date, format_year
from banso.engine.errors import InvalidValue
from banso.engine.phrase import Phrase
from banso.workflows import deliverable, dispatch, engagement, meeting
from banso.workflows.deliverable import DELIVERABLE_KINDS
from banso.workflows.plans import PLAN_SCOPES
from banso.workflows.roles import LEAD as LEAD_ROLE

# A deadline's responsible when it is whoever is the project lead at the time
# it fires (so a new lead inherits the deadlines).
LEAD = LEAD_ROLE

# A dispatch uses a quota slot while it is planned, confirmed or held; a
# cancelled one frees it.
COUNTED = (dispatch.PLANNED, dispatch.CONFIRMED, dispatch.HELD)
OPEN_DISPATCH = (dispatch.PLANNED, dispatch.CONFIRMED)
# An engagement still going: one per organisation × theme at a time.
CLOSED_ENGAGEMENT = (engagement.WITHDRAWN, engagement.REPORTED)

# How long each kind of event lasts in the calendar invitations (hours).
EVENT_HOURS = {engagement.KIND: 1, dispatch.KIND: 2, meeting.KIND: 1}

ORG_KINDS = ("prefecture", "department", "city", "town", "village")

# Obligation → [programme] key for the business days each per-record deadline allows.
DEADLINE_DAY_KEYS = {
    "hearing": "hearing_days",
    "plan": "plan_days",
    "record": "dispatch_record_days",
    "first_contact": "first_contact_days",
}


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
    hearing_days: int = 10
    plan_days: int = 10
    dispatch_record_days: int = 3
    first_contact_days: int = 3
    # 支援計画書 one per organisation with a section per theme (§9 No.4 支援対象ごと), or
    # one per engagement (workflows.plans).
    support_plan_per: str = "organisation"

    def contract(self) -> dict[str, Any]:
        """As stored under the ``contract`` setting."""
        return {
            "start": self.contract_start.isoformat(),
            "end": self.contract_end.isoformat(),
            # None until init is told or the kickoff meeting is scheduled.
            "kickoff": self.kickoff.isoformat() if self.kickoff else None,
            "org_chart_business_days": self.org_chart_business_days,
            "holiday_rule": self.holiday_rule,
            "consultations_expected": self.consultations_expected,
            "contractor": self.contractor,
            "support_plan_per": self.support_plan_per,
            # Keyed by the obligation names the workflows declare (OpenDeadline).
            "deadline_days": {o: getattr(self, k) for o, k in DEADLINE_DAY_KEYS.items()},
        }

    def quota(self) -> dict[str, int]:
        """As stored under the ``quota`` setting."""
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
            raise InvalidValue(
                f"{where} key {key!r}",
                raw,
                Phrase("one of {choices}", choices=", ".join(sorted(known))),
            )
        if key in ("contract_start", "contract_end", "kickoff"):
            values[key] = raw if isinstance(raw, date) else parse_date(str(raw), f"{where} {key}")
        elif key == "contractor":
            if not isinstance(raw, str) or not raw.strip() or "\n" in raw:
                raise InvalidValue(f"{where} contractor", raw, "the contractor's name on one line")
            values[key] = raw.strip()
        elif key == "support_plan_per":
            if raw not in PLAN_SCOPES:
                raise InvalidValue(f"{where} support_plan_per", raw, " or ".join(PLAN_SCOPES))
            values[key] = raw
        elif key == "holiday_rule":
            if raw not in {r.value for r in HolidayRule}:
                rules = ", ".join(r.value for r in HolidayRule)
                raise InvalidValue(f"{where} holiday_rule", raw, rules)
            values[key] = raw
        else:
            if not isinstance(raw, int) or isinstance(raw, bool) or raw < 0:
                raise InvalidValue(f"{where} {key}", raw, "a whole number ≥ 0")
            values[key] = raw
    return check_dates(replace(ProgrammeConfig(), **values))


def stored_table(contract: Mapping[str, Any] | None) -> dict[str, Any]:
    """The stored contract settings as ``[programme]`` keys (empty before the first init)."""
    if contract is None:
        return {}
    defaults = ProgrammeConfig()
    days = contract.get("deadline_days", {})
    return {
        "contract_start": contract["start"],
        "contract_end": contract["end"],
        **({"kickoff": contract["kickoff"]} if contract.get("kickoff") else {}),
        "org_chart_business_days": contract["org_chart_business_days"],
        "holiday_rule": contract["holiday_rule"],
        "consultations_expected": contract["consultations_expected"],
        "contractor": contract.get("contractor", defaults.contractor),
        "support_plan_per": contract.get("support_plan_per", defaults.support_plan_per),
        **{k: days.get(o, getattr(defaults, k)) for o, k in DEADLINE_DAY_KEYS.items()},
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
            "standardization",
            config.standardization,
            Phrase("at most total {total}", total=config.total),
        )
    return config


def months(start: date, end: date) -> list[date]:
    """First days of every month from ``start``'s to ``end``'s."""
    out, d = [], date(start.year, start.month, 1)
    while d <= end:
        out.append(d)
        d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out


def month_end(first: date) -> date:
    return date(first.year + (first.month == 12), first.month % 12 + 1, 1) - timedelta(days=1)


@dataclass(frozen=True)
class PlannedDeliverable:
    """A deliverable the programme owes, with its §9 due date as written."""

    kind: str
    title: str
    period: str | None
    roster_version: int | None
    due: date
    basis: str


# Until the kickoff date is known, what is due at it is due provisionally this many
# business days into the contract (about a month), not on day 1.
KICKOFF_PROVISIONAL_DAYS = 20


def kickoff_due(config: ProgrammeConfig, cal: BusinessCalendar) -> tuple[date, str]:
    """When what is due "キックオフ会議時" falls due, and why (§9 No.2, No.3)."""
    if config.kickoff is not None:
        return config.kickoff, f"キックオフ会議時（{config.kickoff.isoformat()}）"
    provisional = cal.add_business_days(config.contract_start, KICKOFF_PROVISIONAL_DAYS)
    return provisional, (
        f"キックオフ会議時（日程未定のため、契約開始から{KICKOFF_PROVISIONAL_DAYS}営業日後を"
        "仮の期日とします）"
    )


def programme_deliverables(config: ProgrammeConfig) -> list[PlannedDeliverable]:
    """The programme's deliverables (spec §9), in the order they fall due."""
    cal = BusinessCalendar()
    start = config.contract_start
    kickoff, at_kickoff = kickoff_due(config, cal)
    days = config.org_chart_business_days
    out = [
        PlannedDeliverable(
            "org_chart",
            DELIVERABLE_KINDS["org_chart"][0],
            None,
            None,
            cal.add_business_days(start, days),
            f"契約締結後速やかに（{days}営業日以内）",
        ),
        PlannedDeliverable(
            "implementation_plan",
            DELIVERABLE_KINDS["implementation_plan"][0],
            None,
            None,
            kickoff,
            at_kickoff,
        ),
        PlannedDeliverable("expert_roster", roster_title(1), None, 1, kickoff, at_kickoff),
    ]
    for first in months(config.contract_start, config.contract_end):
        following = date(first.year + (first.month == 12), first.month % 12 + 1, 10)
        out.append(
            PlannedDeliverable(
                "monthly_report",
                f"{DELIVERABLE_KINDS['monthly_report'][0]}（{monthly_label(f'{first:%Y-%m}')}）",
                f"{first:%Y-%m}",
                None,
                following,
                "翌月10日まで",
            )
        )
    end = config.contract_end
    out.append(
        PlannedDeliverable(
            "completion_report",
            DELIVERABLE_KINDS["completion_report"][0],
            None,
            None,
            end,
            f"{format_date(end)}（契約終了日）",
        )
    )
    return out


def monthly_meeting_deadline(first: date) -> tuple[str, date, str, HolidayRule]:
    """定例報告会 "held in each month": its title, due date, basis and rule — the last
    business day of the month, never the next month."""
    return (
        f"定例報告会の開催（{format_year(first)}{first.month}月）",
        month_end(first),
        f"毎月1回開催（{first.month}月中）",
        HolidayRule.PREVIOUS_BUSINESS_DAY,
    )


def monthly_meeting_period(month: str) -> int:
    """The id a month's regular-meeting deadline is filed under (2026-04 → 202604)."""
    year, number = (int(x) for x in month.split("-"))
    return year * 100 + number


def report_before_meeting(meeting_day: date) -> tuple[date, str, HolidayRule]:
    """Every engagement still going is reported before the report meeting (§6(3))."""
    return (
        meeting_day - timedelta(days=1),
        f"事業報告会（{format_date(meeting_day)}）の前日まで",
        HolidayRule.PREVIOUS_BUSINESS_DAY,
    )


def roster_title(version: int) -> str:
    return f"{DELIVERABLE_KINDS['expert_roster'][0]}（第{version}版）"


def next_roster_version(latest_state: str | None, latest_version: int | None) -> int | None:
    """The roster version a change of consultants needs, or None when the latest
    is not drafted yet (it will simply list the change)."""
    if latest_state == deliverable.PENDING:
        return None
    return (latest_version or 0) + 1


ROSTER_CHANGE_DAYS = 5  # a changed roster is resubmitted within 5 business days


def meeting_attendees(kind: str, for_engagement: bool) -> tuple[str, ...]:
    """Who a meeting invites, as recipient roles: a hearing the organisation's contact and
    its consultant; the kickoff and the report meeting everyone on the programme (§6(3));
    any other meeting the prefecture and the lead."""
    if kind == "hearing" and for_engagement:
        return ("contact", "consultant")
    if kind == "report":
        # §6(3): 県職員と市町村職員が合同で参加 — every organisation's contact too.
        return ("prefecture", "lead", "all_consultants", "all_contacts")
    if kind == "kickoff":
        return ("prefecture", "lead", "all_consultants")
    return ("prefecture", "lead")


def is_standardization(standardization: bool, parent_standardization: bool | None) -> bool:
    """A theme counts as standardisation if it or its parent says so."""
    return standardization or bool(parent_standardization)


def monthly_label(period: str) -> str:
    """令和8年4月分 for "2026-04"."""
    first = date.fromisoformat(f"{period}-01")
    return f"{format_year(first)}{first.month}月分"


def top_level_theme(theme_id: int, parent_of: Mapping[int, int | None]) -> int:
    """The survey's theme a (sub-)theme belongs to: the monthly cap and the
    same-consultant rule are per organisation × this theme (spec §6(2)③ テーマ)."""
    seen = {theme_id}
    while (parent := parent_of.get(theme_id)) is not None:
        if parent in seen:  # a loop in the master data: stop where it closes
            break
        seen.add(parent)
        theme_id = parent
    return theme_id


# Where an imported engagement's hearing deadline comes from (`survey import --hearing-by`).
HEARING_BY_PREFERRED = "preferred"  # the start of the row's 希望時期 (else the days)
HEARING_BY_DAYS = "days"  # the setting's business days from the import


def hearing_due(
    preferred_months: tuple[str, ...], hearing_by: str | date
) -> tuple[date, str] | None:
    """The hearing's due date as written and its basis for one survey row, or None for
    the setting's business days: a survey lists when the organisation wants support
    (希望時期), and hearings are spread over the year, not all due days after the import."""
    if isinstance(hearing_by, date):
        return hearing_by, f"調査取込時の指定により{hearing_by.isoformat()}まで"
    if hearing_by == HEARING_BY_DAYS or not preferred_months:
        return None
    first, last = preferred_months[0], preferred_months[-1]
    start = date.fromisoformat(f"{first}-01")
    period = monthly_label(first).removesuffix("分")
    if last != first:
        period += "〜" + monthly_label(last).removesuffix("分")
    return start, f"希望時期（{period}）の始まり{start.isoformat()}まで"
