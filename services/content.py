"""What each deliverable says, as plain values: the contract between the use cases that
gather it (`services.documents`) and the renderers that lay it out (`documents/`).

Dates are ``date`` values (the renderers write them in 和暦); counts are whole
numbers; text is as people wrote it. Nothing here knows a file format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Head:
    """What every document of the programme carries at its top."""

    programme: str  # 令和8年度 県・市町村DX推進伴走支援事業
    fiscal_year: int  # 2026 (令和8年度)
    contractor: str  # 株式会社…, as it signs
    addressee: str  # 岡山県 総務部 デジタル推進課
    issued: date  # the date the document bears
    title: str  # 月次業務報告書（令和8年10月分）
    version: int = 1  # 第N版 of this deliverable
    contract: tuple[date, date] | None = None  # the contract's period (None: the fiscal year)

    def period(self) -> tuple[date, date]:
        """The contract's first and last day (the fiscal year's, if not given)."""
        return self.contract or (date(self.fiscal_year, 4, 1), date(self.fiscal_year + 1, 3, 31))


@dataclass(frozen=True)
class Member:
    """A person on the contractor's team (or a subcontractor's)."""

    name: str
    role: str  # プロジェクト責任者, 専門人材
    company: str  # the contractor's name, or the subcontractor's
    email: str
    phone: str | None = None
    fields: tuple[str, ...] = ()  # 対応可能分野
    track_record: str | None = None  # 実績
    subcontractor: bool = False
    approval_ref: str | None = None  # the prefecture's approval of the subcontractor (§10)


@dataclass(frozen=True)
class SubcontractorLine:
    name: str
    scope: str | None
    approved_on: date | None
    approval_ref: str | None


@dataclass(frozen=True)
class OrgChart:
    """業務実施体制図 (§8(1)): the lead as the single point of contact, and everyone else."""

    head: Head
    lead: Member | None
    members: tuple[Member, ...]
    subcontractors: tuple[SubcontractorLine, ...] = ()


@dataclass(frozen=True)
class ScheduleItem:
    on: date
    what: str  # キックオフ会議, 定例報告会（5月）, 月次業務報告書（令和8年4月分）の提出


@dataclass(frozen=True)
class Quotas:
    total: int  # 年間の派遣回数（予算）
    standardization: int  # うち標準化支援
    monthly_cap: int  # 1案件あたり月の上限の目安


@dataclass(frozen=True)
class ImplementationPlan:
    """業務実施計画書: purpose, period, scope, team, the year's schedule, quotas, §10 and §11."""

    head: Head
    purpose: str
    period: tuple[date, date]
    scope: tuple[str, ...]
    team: tuple[Member, ...]
    schedule: tuple[ScheduleItem, ...]
    quotas: Quotas
    confidentiality: str  # how §11 is kept
    subcontracting: str  # how §10 is handled


@dataclass(frozen=True)
class RosterRow:
    member: Member
    themes: tuple[bool, ...]  # one per Roster.themes: 対応可能 (○)
    organisations: tuple[str, ...]  # organisations served so far


@dataclass(frozen=True)
class Roster:
    """専門人材一覧表 (Excel): one row per consultant, a new version whenever it changes."""

    head: Head
    as_of: date
    themes: tuple[str, ...]  # the top-level themes, as column headings
    rows: tuple[RosterRow, ...]


@dataclass(frozen=True)
class MonthPlan:
    month: str  # "2026-06"
    onsite: int
    web: int


@dataclass(frozen=True)
class Approval:
    by: str
    on: date


@dataclass(frozen=True)
class SupportPlan:
    """支援計画書: one engagement's hearing, goals and planned dispatches, and its approval."""

    head: Head
    org_name: str
    department: str | None
    theme_name: str
    hearing_on: date | None
    findings: str
    goals: str
    planned_dispatches: int | None
    by_month: tuple[MonthPlan, ...]
    consultant: Member | None
    period: tuple[date, date]
    approval: Approval | None = None


@dataclass(frozen=True)
class DispatchLine:
    """Dispatches of one organisation × theme in the period."""

    org_name: str
    theme_name: str
    count: int
    hours: float
    onsite: int
    web: int


@dataclass(frozen=True)
class WorkLine:
    """Research and materials between visits for one engagement in the month (§6(2)③):
    hours, never counted as a dispatch."""

    org_name: str
    theme_name: str
    hours: float
    entries: int


@dataclass(frozen=True)
class ConsultationLine:
    topic: str
    org_name: str
    channel: str | None  # 電話, メール, WEB会議 (labels)
    state: str  # label


@dataclass(frozen=True)
class EngagementLine:
    org_name: str
    theme_name: str
    state: str  # 支援中 (the label)
    consultant: str | None
    held: int  # dispatches held so far
    outcome: str | None = None
    findings: str | None = None


@dataclass(frozen=True)
class QuotaUse:
    used: int  # held + planned/confirmed, this fiscal year
    held: int
    total: int
    standardization_used: int
    standardization: int
    by_month: tuple[tuple[str, int], ...]  # ("2026-04", held that month), for the chart


@dataclass(frozen=True)
class DeadlineLine:
    title: str
    due: date
    status: str  # label: 完了, 期限超過 …
    met_on: date | None = None


@dataclass(frozen=True)
class MeetingLine:
    kind: str  # 定例報告会 …
    on: date
    state: str  # label
    minutes: str | None = None


@dataclass(frozen=True)
class PlannedDispatch:
    on: date
    org_name: str
    theme_name: str
    mode: str  # 訪問 / WEB会議


@dataclass(frozen=True)
class ForecastTheme:
    """One top-level theme to the contract's end (services.forecast)."""

    theme_name: str
    standardization: bool
    engagements: int  # going
    used: int  # held, planned or confirmed this fiscal year
    expected: int  # what the approved plans still expect
    possible: int  # what the monthly cap still allows


@dataclass(frozen=True)
class Forecast:
    """年度末までの見通し: from ``as_of`` to ``end``, against the budget and the target."""

    as_of: date
    end: date
    monthly_cap: int
    budget: int
    used: int
    expected: int
    possible: int  # under the cap, for the engagements going
    standardization_target: int
    standardization_used: int
    standardization_expected: int
    standardization_at_most: int  # within the cap and the budget
    themes: tuple[ForecastTheme, ...]
    warnings: tuple[str, ...] = ()  # in Japanese, each naming whom to act on and by when


@dataclass(frozen=True)
class MonthlyReport:
    """月次業務報告書: the month's work, where each engagement stands, use against the quotas."""

    head: Head
    period: str  # "2026-10"
    dispatches: tuple[DispatchLine, ...]
    consultations: tuple[ConsultationLine, ...]
    engagements: tuple[EngagementLine, ...]
    quota: QuotaUse
    deadlines: tuple[DeadlineLine, ...]  # due in the month: met and missed
    meeting: MeetingLine | None  # the month's 定例報告会
    next_month: tuple[PlannedDispatch, ...]
    issues: str = ""
    contract_ends: bool = False  # the last month: says so
    work: tuple[WorkLine, ...] = ()  # 調査・資料作成, per engagement
    forecast: Forecast | None = None  # 年度末までの見通し (None: the contract has ended)


@dataclass(frozen=True)
class DeliverableLine:
    title: str
    due: date | None
    state: str  # label
    submitted_on: date | None = None
    approved_on: date | None = None


@dataclass(frozen=True)
class ThemeTotal:
    theme_name: str
    held: int
    hours: float


@dataclass(frozen=True)
class CompletionReport:
    """業務完了報告書: the whole year."""

    head: Head
    engagements: tuple[EngagementLine, ...]
    themes: tuple[ThemeTotal, ...]
    quota: QuotaUse
    consultations: tuple[ConsultationLine, ...]
    meetings: tuple[MeetingLine, ...]
    deliverables: tuple[DeliverableLine, ...]
    issues: str = ""
    proposals: str = ""


@dataclass(frozen=True)
class ReportSlides:
    """事業報告会資料 (PowerPoint): the programme, totals, one slide per outcome, lessons."""

    head: Head
    summary: tuple[str, ...]  # the programme in a few lines
    quota: QuotaUse
    themes: tuple[ThemeTotal, ...]
    outcomes: tuple[EngagementLine, ...]
    lessons: tuple[str, ...] = field(default_factory=tuple)  # 横展開


@dataclass(frozen=True)
class CoverLetter:
    """送付状: what is sent, under the contractor's outgoing number."""

    head: Head
    number: str  # 伴走第12号
    enclosed: tuple[str, ...]  # file names or titles


Content = (
    OrgChart
    | ImplementationPlan
    | Roster
    | SupportPlan
    | MonthlyReport
    | CompletionReport
    | ReportSlides
    | CoverLetter
)
